"""Registry lists as CSV and Excel, on the shared export framework (`ppaos.lib.exports`).

`household-members`: a household's members, as its page lists them (people scope).

`households`: a community's households (the community page's list, its URLs
`/communities/<id>/export.csv|.xlsx` kept) or an area's (`?area=<DOPA code>`). The identified
form (head's name and phone, address) follows the page's people scope (`view_people`); the
pseudonymised one (identifiers replaced by keyed hashes, names, phone and address dropped)
the figures scope (`view_counts`) and is the only one a researcher may download. Anyone else,
and any community or area outside the user's scope, gets 404."""

import itertools
import operator

from django.contrib.auth.decorators import login_required
from django.db.models import FilteredRelation, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.areas.models import Community
from ppaos.exports.views import export_response
from ppaos.lib import exports as lib
from ppaos.lib import kanon
from ppaos.lib.exports import IDENTIFIER, NAME, PERSONAL, Column, ExportSpec
from ppaos.lib.i18n import Deferred
from ppaos.registry.access import household_for_user
from ppaos.registry.models import Household, Membership, Person, Prefix, Relation, Tenure
from ppaos.registry.selectors import household_list, household_members, household_search


def pseudonym(household: Household) -> str:
    """The household's pseudonym in every export (see `ppaos.lib.exports.pseudonym`)."""
    return lib.pseudonym("household", household.pk)


def _community(user, params: dict) -> Community:
    return get_object_or_404(countable_community(user=user, pk=lib.int_param(params, "community")))


def _area(user, params: dict) -> str:
    code = params.get("area", "")
    if not code.isdigit() or not scope_for(user).area(VIEW_COUNTS).touches(code):
        raise Http404("Area outside scope")
    return code


def household_rows(*, user, params: dict, pseudonymised: bool):
    """The households of the community (or area) the user may list: the page's selector, with
    the people scope for the identified form and the figures scope for the pseudonymised."""
    capability = VIEW_COUNTS if pseudonymised else VIEW_PEOPLE
    households = household_list(user=user, capability=capability)
    if "community" in params:
        households = households.filter(community=_community(user, params))
    else:
        households = households.filter(community__subdistrict__code__startswith=_area(user, params))
    query = params.get("q", "")
    if query and not pseudonymised:
        households = household_search(households, query)
    heads = Membership.objects.filter(relation=Relation.HEAD, end_date__isnull=True).select_related(
        "person"
    )
    return households.prefetch_related(
        Prefetch("memberships", queryset=heads, to_attr="heads")
    ).order_by("code")


def _head(household):
    return household.heads[0].person if household.heads else None


# Large exports read the households with values() (`ExportSpec.light_rows`): these light rows
# answer every column below exactly as the model instances do.
_HOUSEHOLD_FIELDS = (
    "pk", "code", "community__code", "subdistrict_id", "house_no", "moo", "village", "soi",
    "road", "postal_code", "tenure", "member_count",
)  # fmt: skip
_HEAD_FIELDS = (
    "_head__id", "_head__person__prefix", "_head__person__first_name",
    "_head__person__last_name", "_head__person__phone",
)  # fmt: skip
_PREFIXES = dict(Prefix.choices)


class _Code:
    __slots__ = ("code",)

    def __init__(self, code):
        self.code = code


class _LightPerson:
    __slots__ = ("prefix", "first_name", "last_name", "phone")
    full_name = Person.full_name

    def __init__(self, prefix, first_name, last_name, phone):
        self.prefix, self.first_name, self.last_name, self.phone = (
            prefix, first_name, last_name, phone
        )  # fmt: skip

    def get_prefix_display(self) -> str:
        return str(_PREFIXES.get(self.prefix, self.prefix))


class _LightHead:
    __slots__ = ("person",)

    def __init__(self, person):
        self.person = person


class _LightHousehold:
    __slots__ = (
        *(f.replace("community__code", "community") for f in _HOUSEHOLD_FIELDS),
        "heads",
        "tenure_label",
    )
    address_line = Household.address_line

    def get_tenure_display(self) -> str:
        return self.tenure_label


def household_light_rows(households, *, pseudonymised: bool = False, chunk: int = lib.CHUNK):
    """The households of the (scoped) queryset as light rows, each with its current heads, as
    the prefetch gives them: one query, the heads LEFT JOINed to their households in code order
    (a household with two heads comes as two lines, one with none as one line of NULLs).

    One query, so one snapshot and one pass over the memberships. Reading each chunk's heads
    with a query of its own made PostgreSQL scan every current membership once per chunk:
    quadratic in the registry (bench/importexport.py, 100,000 households: 67 ms a chunk).
    Tenure labels are translated once, not per row.

    Pseudonymised, the heads are not read at all (`heads` is empty): only the name and phone
    columns read them, and the pseudonymised form drops both. That saves the join and the
    decrypting of every head's phone."""
    tenures = {value: str(label) for value, label in Tenure.choices}
    if pseudonymised:
        lines = (
            households.order_by("code").values_list(*_HOUSEHOLD_FIELDS).iterator(chunk_size=chunk)
        )
        for household in lines:
            yield _light_household(household, tenures, heads=[])
        return
    heads = FilteredRelation(
        "memberships",
        condition=Q(memberships__relation=Relation.HEAD, memberships__end_date__isnull=True),
    )
    order = ("code", *(f"_head__{field}" for field in Membership._meta.ordering))
    lines = (
        households.annotate(_head=heads)
        .order_by(*order)
        .values_list(*_HOUSEHOLD_FIELDS, *_HEAD_FIELDS)
        .iterator(chunk_size=chunk)
    )
    width = len(_HOUSEHOLD_FIELDS)
    for _pk, same in itertools.groupby(lines, key=operator.itemgetter(0)):
        first = next(same)
        yield _light_household(
            first[:width],
            tenures,
            heads=[
                _LightHead(_LightPerson(*line[width + 1 :]))
                for line in itertools.chain((first,), same)
                if line[width] is not None
            ],
        )


def _light_household(household: tuple, tenures: dict, heads: list) -> _LightHousehold:
    row = _LightHousehold()
    (row.pk, row.code, community, row.subdistrict_id, row.house_no, row.moo, row.village,
     row.soi, row.road, row.postal_code, row.tenure, row.member_count) = household  # fmt: skip
    row.community = _Code(community)
    row.tenure_label = tenures.get(row.tenure, row.tenure)
    row.heads = heads
    return row


def identified_allowed(user, params: dict) -> bool:
    people = scope_for(user).area(VIEW_PEOPLE)
    if "community" in params:
        return people.contains_community(_community(user, params))
    return not people.is_empty


def _describe(params: dict) -> Deferred:
    if "community" in params:
        code = Community.objects.filter(pk=lib.int_param(params, "community")).values_list(
            "code", flat=True
        )
        return Deferred(
            gettext_noop("households of community %(community)s"),
            community=code.first() or params["community"],
        )
    return Deferred(gettext_noop("households of area %(area)s"), area=params.get("area", ""))


def _filename(params: dict) -> str:
    return str(_describe(params)).replace("households of ", "").replace(" ", "-") + "-households"


def ownership(label):
    """Tenure, one level up: owns the house or not (the cell is the tenure's label)."""
    if label in ("", None):
        return ""
    if label in (str(Tenure.OWNED.label), str(Tenure.OWNED_HOUSE_RENTED_LAND.label)):
        return str(_("Owns the house"))
    return str(_("Does not own the house"))


# What an outsider may know of a household (issue 14, 8): where it is, how it holds its home,
# how many live there. The pseudonymised list is k-anonymous on these (`ppaos.lib.kanon`).
HOUSEHOLD_QUASI_IDENTIFIERS = (
    kanon.place(_("Community code"), _("Subdistrict code")),
    kanon.category("tenure", _("Tenure"), ownership),
    kanon.member_count(_("Members")),
)


def _url(fmt: str, params: dict) -> str | None:
    if "community" in params:
        return reverse(f"registry:community_{fmt}", args=[params["community"]])
    return None


HOUSEHOLDS = lib.register(
    ExportSpec(
        name="households",
        title=_("Households"),
        keys=("community", "area"),
        filters=("q",),
        columns=(
            Column(
                _("Household code"),
                lambda h: h.code,
                IDENTIFIER,
                namespace="household",
                key=lambda h: h.pk,
                pseudonym_header=_("Pseudonym"),
            ),
            Column(_("Community code"), lambda h: h.community.code),
            Column(_("Subdistrict code"), lambda h: h.subdistrict_id),
            Column(_("Address"), lambda h: h.address_line(), PERSONAL),
            Column(_("Postal code"), lambda h: h.postal_code, PERSONAL),
            Column(_("Tenure"), lambda h: h.get_tenure_display()),
            Column(_("Members"), lambda h: h.member_count),
            Column(_("Head of household"), lambda h: _head(h).full_name if _head(h) else "", NAME),
            Column(_("Phone"), lambda h: _head(h).phone if _head(h) else "", PERSONAL),
        ),
        rows=household_rows,
        identified_allowed=identified_allowed,
        describe=_describe,
        filename=_filename,
        url=_url,
        quasi_identifiers=HOUSEHOLD_QUASI_IDENTIFIERS,
        light_rows=household_light_rows,
    )
)


def member_rows(*, user, params: dict, pseudonymised: bool):
    """A household's members, as its page lists them (`?history=1`: past members too)."""
    household = household_for_user(user=user, pk=lib.int_param(params, "household"))
    return household_members(household=household, include_past=params.get("history") == "1")


def _date(value) -> object:
    return value or ""


lib.register(
    ExportSpec(
        name="household-members",
        title=_("Household members"),
        keys=("household",),
        filters=("history",),
        columns=(
            Column(
                _("Person ID"),
                lambda m: m.person_id,
                IDENTIFIER,
                namespace="person",
                pseudonym_header=_("Pseudonym"),
            ),
            Column(_("Name"), lambda m: m.person.full_name, NAME),
            Column(_("Relation"), lambda m: m.get_relation_display()),
            Column(_("Sex"), lambda m: m.person.get_sex_display()),
            Column(_("Birth date"), lambda m: _date(m.person.birth_date), PERSONAL),
            Column(_("National ID"), lambda m: getattr(m.person, "masked_id", ""), PERSONAL),
            Column(_("Phone"), lambda m: m.person.phone, PERSONAL),
            Column(_("From"), lambda m: _date(m.start_date)),
            Column(_("Until"), lambda m: _date(m.end_date)),
        ),
        rows=member_rows,
        describe=lib.describe_by(gettext_noop("members of household %(household)s"), "household"),
        filename=lambda p: f"household-{p.get('household', '')}-members",
    )
)


def _community_export(request, pk: int, fmt: str):
    params = lib.clean_params(HOUSEHOLDS, request.GET) | {"community": str(pk)}
    params.pop("area", None)
    return export_response(request, HOUSEHOLDS, fmt, params)


@login_required
@require_GET
def community_csv(request, pk: int):
    return _community_export(request, pk, lib.CSV)


@login_required
@require_GET
def community_xlsx(request, pk: int):
    return _community_export(request, pk, lib.XLSX)
