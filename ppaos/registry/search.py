"""Finding people and households by name, national ID, phone, household code or house number,
among those the user may see (registry.selectors scopes every search).

A query is read every way it can be meant:
- a name: its search key (search_keys.normalize_name: no tone marks, no prefix) against the
  stored `search_name`. Ranked exact, then a word starting with it, then every word of the
  query contained; on PostgreSQL also names similar by trigrams (pg_trgm, a typo), last.
- a national ID (13 digits, dashes, spaces or Thai digits allowed): by its keyed hash.
- a phone number (9-10 digits, or +66): the whole number, by its keyed hash.
- a household code or house number: households whose code or house number starts with it
  first, then those that contain it.

Every search from a page or the API is audited (`search_audit`) with the query masked: no
national ID or phone number in clear.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_noop

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.audit.services import audit_export
from ppaos.lib.i18n import Deferred
from ppaos.lib.redact import redact_query
from ppaos.registry import id_crypto
from ppaos.registry.models import Household, Membership, Person
from ppaos.registry.search_keys import digits_of, normalize_name, normalize_phone, phone_hash
from ppaos.registry.selectors import household_list, person_list

MAX_QUERY = 100
# Trigram matches only for names this long (shorter ones have too few trigrams to compare).
TRIGRAM_MIN = 3
EXACT, PREFIX, CONTAINS, SIMILAR = 0, 1, 2, 3


@dataclass(frozen=True)
class Query:
    text: str  # as typed, trimmed
    name: str  # the name search key
    id_hash: str | None
    phone_hash: str | None

    @property
    def is_empty(self) -> bool:
        return not (self.text and (self.name or self.id_hash or self.phone_hash))


def parse(text: str) -> Query:
    text = (text or "").strip()[:MAX_QUERY]
    digits = digits_of(text)
    id_hash = id_crypto.lookup_hash(digits) if len(digits) == 13 else None
    phone = phone_hash(text) if digits and normalize_phone(digits) else None
    # Digits alone are an ID, a phone, a code or a house number: not a name.
    name = "" if digits else normalize_name(text)
    return Query(text=text, name=name, id_hash=id_hash, phone_hash=phone)


def _uses_trigrams(query: Query) -> bool:
    return connection.vendor == "postgresql" and len(query.name) >= TRIGRAM_MIN


def _name_conditions(name: str) -> tuple[Q, Q, Q]:
    """(exact, prefix, contains) conditions on `search_name` for a name key."""
    exact = Q(search_name=name)
    prefix = Q(search_name__startswith=name) | Q(search_name__contains=f" {name}")
    contains = Q()
    for word in name.split():
        contains &= Q(search_name__contains=word)
    return exact, prefix, contains


def _person_condition(query: Query) -> Q | None:
    """Whether a person matches the query at all; None when nothing can match."""
    if query.is_empty:
        return None
    condition = Q(pk__in=[])
    if query.id_hash:
        condition |= Q(national_id_hash=query.id_hash)
    if query.phone_hash:
        condition |= Q(phone_hash=query.phone_hash)
    if query.name:
        _exact, _prefix, contains = _name_conditions(query.name)
        condition |= contains
        if _uses_trigrams(query):
            condition |= Q(search_name__trigram_word_similar=query.name)
    return condition


def person_matches(people: QuerySet[Person], text: str) -> QuerySet[Person]:
    """`people` (already scoped) matching `text`, best first (`search_rank`, then trigram
    word similarity on PostgreSQL, then the name)."""
    query = parse(text)
    condition = _person_condition(query)
    if condition is None:
        return people.none()
    whens = []
    if query.id_hash:
        whens.append(When(national_id_hash=query.id_hash, then=Value(EXACT)))
    if query.phone_hash:
        whens.append(When(phone_hash=query.phone_hash, then=Value(EXACT)))
    order = ["search_rank"]
    if query.name:
        exact, prefix, contains = _name_conditions(query.name)
        whens += [
            When(exact, then=Value(EXACT)),
            When(prefix, then=Value(PREFIX)),
            When(contains, then=Value(CONTAINS)),
        ]
        if _uses_trigrams(query):
            from django.contrib.postgres.search import TrigramWordSimilarity

            people = people.annotate(
                search_similarity=TrigramWordSimilarity(Value(query.name), "search_name")
            )
            order.append(F("search_similarity").desc())
    rank = Case(*whens, default=Value(SIMILAR), output_field=IntegerField())
    return people.filter(condition).annotate(search_rank=rank).order_by(*order, "search_name", "pk")


def household_matches(households: QuerySet[Household], text: str) -> QuerySet[Household]:
    """`households` (already scoped) whose code or house number holds `text`, or with a
    current member who matches it (person_matches): exact codes and house numbers first, then
    those starting with it, then the rest, each by code."""
    query = parse(text)
    if not query.text:
        return households.none()
    # `contains` for codes and house numbers (a prefix ranks first): `50%` is found by `%`.
    condition = Q(code__icontains=query.text) | Q(house_no__icontains=query.text)
    members = _person_condition(query)
    if members is not None:
        condition |= Q(
            pk__in=Membership.objects.filter(
                end_date__isnull=True, person__in=Person.objects.filter(members)
            ).values("household_id")
        )
    rank = Case(
        When(Q(code__iexact=query.text) | Q(house_no__iexact=query.text), then=Value(EXACT)),
        When(
            Q(code__istartswith=query.text) | Q(house_no__istartswith=query.text),
            then=Value(PREFIX),
        ),
        When(
            Q(code__icontains=query.text) | Q(house_no__icontains=query.text),
            then=Value(CONTAINS),
        ),
        default=Value(SIMILAR),
        output_field=IntegerField(),
    )
    return households.filter(condition).annotate(search_rank=rank).order_by("search_rank", "code")


# The scoped searches ------------------------------------------------------------------------


def person_search(*, user, query: str) -> QuerySet[Person]:
    """People the user may see (`view_people`) matching `query`; none for other roles."""
    if not scope_for(user).can(VIEW_PEOPLE):
        return Person.objects.none()
    return person_matches(person_list(user=user), query)


def household_search(*, user, query: str, community=None) -> QuerySet[Household]:
    """Households the user may see matching `query`, in `community` if given."""
    if not scope_for(user).can(VIEW_PEOPLE):
        return Household.objects.none()
    scoped = household_list(user=user)
    if community is not None:
        scoped = scoped.filter(community=community)
    return household_matches(scoped, query)


def search_audit(
    *, actor, query: str, where: "str | Deferred", people: int = 0, households: int = 0
):
    """One audit row per search: where it was made, the query masked (no national ID or phone
    in clear) and how many people and households it found."""
    masked = redact_query((query or "").strip()[:MAX_QUERY])
    return audit_export(
        actor=actor,
        description=Deferred(
            gettext_noop("search (%(where)s): %(query)s"), where=where, query=masked
        ),
        row_count=people + households,
        details={"search": str(where), "query": masked, "people": people, "households": households},
    )


def _register_trigram_lookup() -> None:
    """`search_name__trigram_word_similar` (pg_trgm `%>`, served by the GIN index): registered
    on the field alone, as django.contrib.postgres is not an installed app."""
    from django.contrib.postgres.lookups import TrigramWordSimilar

    Person._meta.get_field("search_name").register_lookup(TrigramWordSimilar)


_register_trigram_lookup()
