"""Who may work on data-subject rights: admins and coordinators, inside their own area.

The area is the one their audit capability covers (only those two roles hold it). Anything
outside it, or any other role, answers 404 like a record that does not exist."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from ppaos.accounts.scope import VIEW_AUDIT, AreaSet, scope_for
from ppaos.privacy.models import ConsentRecord, DataSubjectRequest, LegalHold
from ppaos.registry.models import Membership, Person

PRIVACY_CAPABILITY = VIEW_AUDIT


def privacy_area(user) -> AreaSet:
    area = scope_for(user).area(PRIVACY_CAPABILITY)
    if area.is_empty:
        raise Http404("Not available for this role")
    return area


def people_in_scope(user) -> QuerySet[Person]:
    """Everyone who ever lived in a household of the user's area (people who left too)."""
    area = privacy_area(user)
    stays = Membership.objects.filter(area.q("household__community")).values("person_id")
    return Person.objects.filter(pk__in=stays)


def person_for_privacy(*, user, pk: int) -> Person:
    return get_object_or_404(people_in_scope(user), pk=pk)


def consent_for_privacy(*, user, pk: int) -> ConsentRecord:
    return get_object_or_404(
        ConsentRecord.objects.filter(person__in=people_in_scope(user)).select_related("person"),
        pk=pk,
    )


def request_for_privacy(*, user, pk: int) -> DataSubjectRequest:
    return get_object_or_404(
        DataSubjectRequest.objects.filter(person__in=people_in_scope(user)).select_related(
            "person"
        ),
        pk=pk,
    )


def hold_for_privacy(*, user, pk: int) -> LegalHold:
    return get_object_or_404(
        LegalHold.objects.filter(person__in=people_in_scope(user)).select_related("person"),
        pk=pk,
    )
