"""Background tasks (django.tasks): thin wrappers that call services."""

from django.tasks import task

from ppaos.dashboards.models import Refresh


@task
def run_refresh(refresh_id: int) -> None:
    from ppaos.dashboards.services import refresh_run

    refresh_run(refresh=Refresh.objects.get(pk=refresh_id))


@task
def run_community_refresh(community_id: int | None = None) -> None:
    """Refresh every community marked out of date (`community_id`: the one whose save queued
    this run, for the task's record; the others marked meanwhile are counted too)."""
    from ppaos.dashboards.services import refresh_communities_due

    refresh_communities_due()
