"""What every background-job row shares (a targeting import or linkage, an export, a dashboard
refresh): its status choices and the progress its page polls."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobProgress:
    """`percent` and `is_finished` for a model with a `status` (JobStatus) and two counters,
    named by `progress_fields` (done, total). Models set `Status = JobStatus` in their body."""

    progress_fields = ("steps_done", "steps_total")

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        done, total = (getattr(self, name) for name in self.progress_fields)
        return int(100 * done / total) if total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
