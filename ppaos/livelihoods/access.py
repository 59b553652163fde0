"""Permission-checked fetchers. Out of scope looks exactly like not found: 404."""

from django.shortcuts import get_object_or_404

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import EDIT_PEOPLE, MANAGE_TARGETING, VIEW_PEOPLE
from ppaos.livelihoods.models import Enrolment, IncomeRecord, Partner, Programme, Stage
from ppaos.livelihoods.selectors import enrolment_list, managed_programme_list, programme_list


def programme_for_user(*, user, pk: int) -> Programme:
    """A programme working in a community the user may count."""
    return get_object_or_404(programme_list(user=user), pk=pk)


def enrolment_for_user(*, user, pk: int, for_edit: bool = False) -> Enrolment:
    """An enrolment of a household the user may see (or edit)."""
    capability = EDIT_PEOPLE if for_edit else VIEW_PEOPLE
    return get_object_or_404(enrolment_list(user=user, capability=capability), pk=pk)


def income_for_user(*, user, pk: int, for_edit: bool = False) -> IncomeRecord:
    """An income record of an enrolment the user may see (or edit)."""
    enrolments = enrolment_list(user=user, capability=EDIT_PEOPLE if for_edit else VIEW_PEOPLE)
    return get_object_or_404(
        IncomeRecord.objects.filter(enrolment__in=enrolments).select_related(
            "enrolment__person", "enrolment__programme", "enrolment__household"
        ),
        pk=pk,
    )


# Managing programmes: coordinators and district officers, over the communities they manage.


def programme_for_manager(*, user, pk: int) -> Programme:
    """A programme working in a community the user manages (MANAGE_TARGETING)."""
    require_capability(user, MANAGE_TARGETING)
    return get_object_or_404(managed_programme_list(user=user), pk=pk)


def stage_for_manager(*, user, pk: int) -> Stage:
    require_capability(user, MANAGE_TARGETING)
    programmes = managed_programme_list(user=user)
    return get_object_or_404(
        Stage.objects.filter(programme__in=programmes).select_related("programme"), pk=pk
    )


def partner_for_manager(*, user, pk: int) -> Partner:
    require_capability(user, MANAGE_TARGETING)
    programmes = managed_programme_list(user=user)
    return get_object_or_404(
        Partner.objects.filter(programme__in=programmes).select_related("programme"), pk=pk
    )


def enrolment_for_manager(*, user, pk: int) -> Enrolment:
    """An enrolment of a household in a community the user manages."""
    require_capability(user, MANAGE_TARGETING)
    return get_object_or_404(enrolment_list(user=user, capability=MANAGE_TARGETING), pk=pk)
