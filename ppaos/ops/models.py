from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.lib.jobs import JobStatus


class PeriodicRun(models.Model):
    """One slot of one periodic job (ppaos/ops/schedule.py): claimed by a scheduler, run by the
    task worker. (job, slot) is unique, so two schedulers never run the same slot twice."""

    Status = JobStatus

    job = models.CharField(_("job"), max_length=40)
    slot = models.DateTimeField(_("scheduled for"))
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A one-line summary ("3 expired export file(s) removed") or the error; never personal data.
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("periodic run")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="ops_periodicrun_one_per_slot")
        ]
        indexes = [models.Index(fields=["job", "-slot"])]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M:%S} ({self.status})"
