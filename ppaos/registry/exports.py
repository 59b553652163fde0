"""Downloads of a community's household list: CSV and Excel (`.xlsx`), every one audited.

Scope is the community page's: a user who may see the community's people (`view_people`)
downloads its households with the head's name and phone; `?pseudonymised=1` gives the same
rows with every identifier replaced by a keyed hash (HMAC-SHA256 with a key derived from
`SECRET_KEY`) and names, phone and address dropped. That form is the only one a user who sees
only the community's figures (a researcher, `view_counts`) may download. Anyone else, and any
community outside the user's scope, gets 404."""

import csv
import io
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.areas.selectors import countable_community
from ppaos.audit.services import audit_export
from ppaos.registry.models import Household, Membership, Relation

PSEUDONYM_SALT = "ppaos.registry.exports.household-pseudonym"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def pseudonym(household: Household) -> str:
    """A stable keyed hash of the household: the same in every export made with this
    `SECRET_KEY`, and not reversible or recomputable without it."""
    return salted_hmac(PSEUDONYM_SALT, f"household:{household.pk}", algorithm="sha256").hexdigest()


def _header(pseudonymised: bool) -> list[str]:
    if pseudonymised:
        return [
            _("Pseudonym"),
            _("Community code"),
            _("Subdistrict code"),
            _("Tenure"),
            _("Members"),
        ]
    return [
        _("Household code"),
        _("Community code"),
        _("Subdistrict code"),
        _("Address"),
        _("Postal code"),
        _("Tenure"),
        _("Members"),
        _("Head of household"),
        _("Phone"),
    ]


def _heads(households) -> dict[int, object]:
    """Each household's current head (a person), by household id."""
    memberships = Membership.objects.filter(
        household__in=households, relation=Relation.HEAD, end_date__isnull=True
    ).select_related("person")
    return {m.household_id: m.person for m in memberships}


def _rows(community: Community, pseudonymised: bool) -> list[list]:
    households = (
        Household.objects.filter(community=community)
        .annotate(member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)))
        .order_by("code")
    )
    if pseudonymised:
        return [
            [
                pseudonym(h),
                community.code,
                h.subdistrict_id,
                h.get_tenure_display(),
                h.member_count,
            ]
            for h in households
        ]
    heads = _heads(households)
    rows = []
    for h in households:
        head = heads.get(h.pk)
        rows.append(
            [
                h.code,
                community.code,
                h.subdistrict_id,
                h.address_line(),
                h.postal_code,
                h.get_tenure_display(),
                h.member_count,
                head.full_name if head else "",
                head.phone if head else "",
            ]
        )
    return rows


def _safe(value):
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(rows: Iterator[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    # With a byte-order mark, Excel opens UTF-8 (Thai) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(rows: Iterator[list], title: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _community_for_export(user, pk: int, pseudonymised: bool) -> Community:
    """The community page's scope: its figures (view_counts) for a pseudonymised list, its
    people (view_people) for the identified one; anything else is 404."""
    community = get_object_or_404(countable_community(user=user, pk=pk))
    if not pseudonymised and not scope_for(user).area(VIEW_PEOPLE).contains_community(community):
        raise Http404("Only the pseudonymised list for this role")
    return community


def _export(request, pk: int, kind: str) -> HttpResponse:
    pseudonymised = request.GET.get("pseudonymised", "") in ("1", "true")
    community = _community_for_export(request.user, pk, pseudonymised)
    rows = _rows(community, pseudonymised)
    table = ([_safe(v) for v in row] for row in [_header(pseudonymised), *rows])
    suffix = "-pseudonymised" if pseudonymised else ""
    filename = f"community-{community.code}-households{suffix}.{kind}"
    if kind == "csv":
        response = HttpResponse(_csv(table), content_type=CSV_TYPE)
    else:
        response = HttpResponse(_xlsx(table, community.code), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    audit_export(
        actor=request.user,
        description=f"households of community {community.code} "
        f"({kind}{', pseudonymised' if pseudonymised else ''})",
        row_count=len(rows),
    )
    return response


@login_required
@require_GET
def community_csv(request, pk: int):
    return _export(request, pk, "csv")


@login_required
@require_GET
def community_xlsx(request, pk: int):
    return _export(request, pk, "xlsx")
