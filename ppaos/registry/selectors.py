"""Reads of households and people, always filtered by the reader's scope."""

from django.db.models import Count, Prefetch, Q, QuerySet

from ppaos.accounts.scope import EDIT_PEOPLE, VIEW_PEOPLE, scope_for
from ppaos.registry.models import Household, Membership, Person


def household_list(*, user, capability: str = VIEW_PEOPLE) -> QuerySet[Household]:
    """Households the user may see (or edit, with `capability=EDIT_PEOPLE`)."""
    area = scope_for(user).area(capability)
    return (
        Household.objects.filter(area.q("community"))
        .select_related("community", "subdistrict__district")
        .annotate(member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
    )


def household_editable_list(*, user) -> QuerySet[Household]:
    return household_list(user=user, capability=EDIT_PEOPLE)


def household_members(*, household: Household, include_past: bool = False):
    """The household's memberships with their people, head first."""
    memberships = household.memberships.select_related("person")
    if not include_past:
        memberships = memberships.filter(end_date__isnull=True)
    order = {"head": 0, "spouse": 1}
    return sorted(memberships, key=lambda m: (m.end_date is not None, order.get(m.relation, 2)))


def person_list(*, user, capability: str = VIEW_PEOPLE) -> QuerySet[Person]:
    """People whose current household the user may see."""
    area = scope_for(user).area(capability)
    current = Membership.objects.filter(end_date__isnull=True).select_related("household")
    return (
        Person.objects.filter(
            area.q("memberships__household__community"), memberships__end_date__isnull=True
        )
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
        .distinct()
    )


def household_search(households: QuerySet[Household], query: str) -> QuerySet[Household]:
    """Households (already scoped) whose code or house number contains `query`, or, when the
    query is a valid national ID, where a current member has it (found by its keyed hash)."""
    from ppaos.registry import id_crypto, national_id

    matches = Q(code__icontains=query) | Q(house_no__icontains=query)
    digits = national_id.normalize(query)
    if national_id.is_valid(digits):
        holders = Membership.objects.filter(
            end_date__isnull=True, person__national_id_hash=id_crypto.lookup_hash(digits)
        ).values("household_id")
        matches |= Q(pk__in=holders)
    return households.filter(matches)
