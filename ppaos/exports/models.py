"""Large exports, written by a background task to a file only the requester may download."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppaos.lib.jobs import JobProgress, JobStatus


class ExportJob(JobProgress, models.Model):
    Status = JobStatus
    progress_fields = ("rows_done", "rows_total")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    spec = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    fmt = models.CharField(max_length=4)
    pseudonymised = models.BooleanField(default=False)
    description = models.CharField(max_length=200, blank=True)
    # The requester's interface language: the headers are written in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Relative to MEDIA_ROOT (exports/...); emptied when the file is removed.
    file_path = models.CharField(max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.description} ({self.fmt})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file_path) and not self.is_expired
