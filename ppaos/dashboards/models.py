"""Pre-aggregated dashboard figures: one row per (refresh, community, metric, month, round).

Communities are the scoping unit, so every figure of any area a user may count is a SUM over
the rows of the communities in that user's scope. A refresh writes a complete new set of rows
under its own id and then drops the older sets: pages always read one finished refresh and
never see a half-written one."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community
from ppaos.lib.jobs import JobProgress, JobStatus


class Refresh(JobProgress, models.Model):
    """One computation of every figure (`ppaos refresh-dashboards` or the background task)."""

    Status = JobStatus

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    # The day monthly and "overdue" figures are computed for.
    as_of = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dashboard refresh")

    def __str__(self) -> str:
        return f"refresh {self.pk} ({self.status})"


class Figure(models.Model):
    """A count for one community. `period` is the first day of a month for monthly counts
    (things that happened in that month) and empty for the state at the refresh;
    `round_name` is set for counts per survey round (levels)."""

    # Indexed by (refresh, period, round_name) below.
    refresh = models.ForeignKey(Refresh, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Not indexed: only a community's deletion looks rows up by it.
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    metric = models.CharField(max_length=40)
    period = models.DateField(null=True, blank=True)
    round_name = models.CharField(max_length=50, blank=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("dashboard figure")
        # Pages read one refresh's rows of one kind: at the refresh, per month, per round.
        indexes = [models.Index(fields=["refresh", "period", "round_name"])]

    def __str__(self) -> str:
        when = self.period or self.round_name
        return f"{self.community_id} {self.metric} {when} = {self.value}"


class CommunityRefresh(models.Model):
    """The incremental refresh of one community's figures: `due_at` is set while they are out
    of date (a visit, referral or survey saved there) and cleared when a run takes them, so
    saves in between queue nothing more (see services.refresh_schedule_community)."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("community figures refresh")

    def __str__(self) -> str:
        return f"figures of community {self.community_id}"
