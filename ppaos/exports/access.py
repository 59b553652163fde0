"""Export jobs belong to the user who asked: anyone else gets 404."""

from django.shortcuts import get_object_or_404

from ppaos.exports.models import ExportJob


def job_for_user(*, user, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.filter(created_by=user), pk=pk)
