"""Background tasks (django.tasks): thin wrappers that call services."""

from django.tasks import task

from ppaos.targeting.models import Job


@task
def run_import_job(job_id: int) -> None:
    from ppaos.targeting.services import job_run_import

    job_run_import(job=Job.objects.get(pk=job_id))


@task
def run_linkage_job(job_id: int) -> None:
    from ppaos.targeting.link_jobs import job_run_linkage

    job_run_linkage(job=Job.objects.get(pk=job_id))


@task
def run_offline_job(job_id: int) -> None:
    from ppaos.targeting.submissions import job_run_submissions

    job_run_submissions(job=Job.objects.get(pk=job_id))
