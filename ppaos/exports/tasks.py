"""Background tasks (django.tasks): thin wrappers that call services."""

from django.tasks import task

from ppaos.exports.models import ExportJob


@task
def run_export_job(job_id: int) -> None:
    from ppaos.exports.services import export_job_run

    export_job_run(job=ExportJob.objects.select_related("created_by").get(pk=job_id))
