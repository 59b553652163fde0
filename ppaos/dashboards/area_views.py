from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import EDIT_PEOPLE, VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.areas.boundaries import HDX_TITLE, HDX_URL, province_map_data
from ppaos.areas.models import District, Province, Subdistrict
from ppaos.dashboards.area_counts import (
    community_counts,
    community_list_with_counts,
    counts_exact,
    district_list_with_counts,
    protect_counts,
    subdistrict_list_with_counts,
    total_counts,
)
from ppaos.lib.i18n import Deferred
from ppaos.registry import search
from ppaos.registry.selectors import household_list

# The household fields a row of the community's list shows (code, demo tag, address line).
LIST_FIELDS = ("code", "is_demo", "house_no", "moo", "village", "soi", "road")


def _touchable(request, code: str) -> None:
    require_capability(request.user, VIEW_COUNTS)
    if not scope_for(request.user).area(VIEW_COUNTS).touches(code):
        raise Http404("Area outside scope")


@login_required
def province_detail(request, code: str | None = None):
    province = get_object_or_404(Province, code=code or scope_for(request.user).home_province())
    _touchable(request, province.code)
    rows, totals = protect_counts(
        district_list_with_counts(user=request.user, province=province),
        total_counts(user=request.user, area_code=province.code),
        exact=counts_exact(user=request.user, area_code=province.code),
    )
    return render(
        request,
        "areas/province.html",
        {
            "province": province,
            "rows": rows,
            "totals": totals,
            "map_data": province_map_data(province=province, rows=rows),
            "hdx_title": HDX_TITLE,
            "hdx_url": HDX_URL,
        },
    )


@login_required
def district_detail(request, code: str):
    district = get_object_or_404(District.objects.select_related("province"), code=code)
    _touchable(request, district.code)
    rows, totals = protect_counts(
        subdistrict_list_with_counts(user=request.user, district=district),
        total_counts(user=request.user, area_code=district.code),
        exact=counts_exact(user=request.user, area_code=district.code),
    )
    return render(
        request,
        "areas/district.html",
        {"district": district, "rows": rows, "totals": totals},
    )


@login_required
def subdistrict_detail(request, code: str):
    subdistrict = get_object_or_404(
        Subdistrict.objects.select_related("district__province"), code=code
    )
    _touchable(request, subdistrict.code)
    rows, totals = protect_counts(
        community_list_with_counts(user=request.user, subdistrict=subdistrict),
        total_counts(user=request.user, area_code=subdistrict.code),
        exact=counts_exact(user=request.user, area_code=subdistrict.code),
    )
    return render(
        request,
        "areas/subdistrict.html",
        {"subdistrict": subdistrict, "rows": rows, "totals": totals},
    )


@login_required
def community_detail(request, pk: int):
    """The community's counts; its household list for roles that may see people."""
    require_capability(request.user, VIEW_COUNTS)
    community = get_object_or_404(countable_community(user=request.user, pk=pk))
    context = {"community": community}
    scope = scope_for(request.user)
    if scope.area(VIEW_PEOPLE).contains_community(community):
        query = request.GET.get("q", "").strip()
        if query:  # by code, house number, or a member's name, ID or phone (registry.search)
            households = search.household_search(
                user=request.user, query=query, community=community
            )
        else:
            households = household_list(user=request.user).filter(community=community)
            # Only what the rows show (areas/_household_rows.html): no joined areas.
            households = households.select_related(None).only(*LIST_FIELDS).order_by("code")
        page = Paginator(households, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        if query:
            search.search_audit(
                actor=request.user,
                query=query,
                where=Deferred(gettext_noop("community %(community)s"), community=community.pk),
                households=page.paginator.count,
            )
        context.update(
            page=page,
            query=query,
            can_list=True,
            can_add=scope.area(EDIT_PEOPLE).contains_community(community),
        )
    context["totals"] = _community_totals(request.user, community)
    template = "areas/_household_rows.html" if request.htmx else "areas/community.html"
    return render(request, template, context)


def _community_totals(user, community):
    counts = community_counts(user=user, community=community)
    _rows, totals = protect_counts(
        [], counts, exact=counts_exact(user=user, community=community), name="community"
    )
    return totals
