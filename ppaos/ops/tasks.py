"""Background tasks (django.tasks): thin wrappers that call services."""

from django.tasks import task


@task
def run_periodic(run_id: int) -> None:
    from ppaos.ops.services import periodic_run_execute

    periodic_run_execute(run_id=run_id)
