"""Export jobs belong to the user who asked: anyone else gets 404."""

from django.shortcuts import get_object_or_404

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.exports.models import ExportJob


def sees_people(user, params: dict | None = None) -> bool:
    """The default rule for an export's identified form: the user's role sees people
    somewhere (the rows themselves come from the list's scoped selector)."""
    return scope_for(user).can(VIEW_PEOPLE)


def job_for_user(*, user, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.filter(created_by=user), pk=pk)
