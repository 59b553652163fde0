"""Reads of households and people, always filtered by the reader's scope."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ppaos.accounts.scope import EDIT_PEOPLE, REVIEW_DUPLICATE_IDS, VIEW_PEOPLE, scope_for
from ppaos.lib.thaidigits import normalise_id, to_ascii_digits
from ppaos.registry.id_crypto import lookup_hash
from ppaos.registry.models import DuplicateIdFlag, Household, Membership, Person


def current_member_count() -> Coalesce:
    """A household's current members, as a correlated subquery (`annotate(member_count=...)`).

    A subquery rather than a JOIN + GROUP BY: PostgreSQL counts the members of only the rows
    it returns (the 50 of a page, after ORDER BY ... LIMIT on the household index), and the
    paginator's COUNT(*) drops the unused annotation instead of grouping every household of
    the list with its memberships."""
    current = (
        Membership.objects.filter(household=OuterRef("pk"), end_date__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("*"))  # COUNT(*): read from the (household, end_date) index alone
        .values("n")
    )
    return Coalesce(Subquery(current, output_field=IntegerField()), 0)


def household_list(*, user, capability: str = VIEW_PEOPLE) -> QuerySet[Household]:
    """Households the user may see (or edit, with `capability=EDIT_PEOPLE`), each with its
    `member_count` (current members)."""
    area = scope_for(user).area(capability)
    return (
        Household.objects.filter(area.q("community"))
        .select_related("community", "subdistrict__district")
        .annotate(member_count=current_member_count())
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
    current = Membership.objects.filter(end_date__isnull=True).select_related(
        "household__community"
    )
    return (
        Person.objects.filter(
            area.q("memberships__household__community"), memberships__end_date__isnull=True
        )
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
        .distinct()
    )


def household_search(households: QuerySet[Household], query: str) -> QuerySet[Household]:
    """Households (already scoped) matching `query` by code, house number, or a current
    member's name, national ID or phone (registry.search), best first."""
    from ppaos.registry.search import household_matches

    return household_matches(households, query)


def duplicate_flags(*, user) -> QuerySet[DuplicateIdFlag]:
    """Open held national IDs for a reviewer (coordinator or admin) who can see both records:
    the one the ID was entered for and the one already holding it. Nothing for other roles."""
    if not scope_for(user).can(REVIEW_DUPLICATE_IDS):
        return DuplicateIdFlag.objects.none()
    visible = person_list(user=user).values("pk")
    return (
        DuplicateIdFlag.objects.filter(resolved_at__isnull=True, person__in=visible)
        .filter(Q(existing__isnull=True) | Q(existing__in=visible))
        .select_related("person", "existing", "created_by")
    )


def audit_reference_q(text: str) -> Q | None:
    """The audit log's record filter for a registry reference: a household code (the
    household and its members' events) or a 13-digit national ID (the person's events, found
    through the keyed hash, never in clear); None for anything else."""
    household = Household.objects.filter(code__iexact=to_ascii_digits(text)).first()
    if household is not None:
        members = Membership.objects.filter(household=household).values_list("person_id", flat=True)
        return Q(object_type="registry.household", object_id=str(household.pk)) | Q(
            object_type="registry.person", object_id__in=[str(pk) for pk in members]
        )
    digits = normalise_id(text)
    if digits.isdigit() and len(digits) == 13:
        people = Person.objects.filter(national_id_hash=lookup_hash(digits))
        return Q(
            object_type="registry.person",
            object_id__in=[str(pk) for pk in people.values_list("pk", flat=True)],
        )
    return None
