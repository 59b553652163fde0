"""Background tasks (django.tasks): thin wrappers that call services."""

from django.tasks import task

from ppaos.dashboards.models import Refresh


@task
def run_refresh(refresh_id: int) -> None:
    from ppaos.dashboards.services import refresh_run

    refresh_run(refresh=Refresh.objects.get(pk=refresh_id))


@task
def run_community_refresh(community_id: int) -> None:
    from ppaos.dashboards.services import refresh_run_community_due

    refresh_run_community_due(community_id=community_id)
