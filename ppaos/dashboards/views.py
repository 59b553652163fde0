"""Dashboards per province (the city), district and community; household points; refresh."""

import hashlib
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.areas.models import Boundary, BoundaryLevel, Community
from ppaos.assessment.models import IndicatorSet
from ppaos.audit.services import audit_export
from ppaos.dashboards import access, hierarchy, maps, selectors, services, tasks
from ppaos.dashboards.charts import level_blocks, monthly_chart
from ppaos.lib.i18n import Deferred
from ppaos.lib.suppression import small_count_threshold
from ppaos.registry.selectors import household_list

TRENDS = [
    ("households_verified", gettext_lazy("Households verified for the first time, per month")),
    ("referrals_made", gettext_lazy("Referrals sent, per month")),
    ("referrals_completed", gettext_lazy("Referrals completed, per month")),
]


def _dashboard(
    request, *, head: dict, area_code: str = "", community=None, by: str | None = None
) -> dict:
    """What every dashboard page shows: headline figures, trends, levels per round; `head` is
    the page's `_staleness` (the refresh it shows)."""
    user = request.user
    refresh = head["refresh"]
    context = {**head, "figures": maps.FIGURES, "threshold": small_count_threshold()}
    if refresh is None:
        return context
    hidden = selectors.hidden_communities(user=user)
    figures = selectors.dashboard_figures(
        user=user, refresh=refresh, hidden=hidden, area_code=area_code, community=community, by=by
    )
    context.update(
        hidden=hidden,
        figures_protected=figures,
        summary=figures.summary,
        trends=[
            {
                "key": key,
                "title": title,
                "chart": monthly_chart(figures.months, key, total=figures.month_totals[key]),
            }
            for key, title in TRENDS
        ],
        rounds=level_blocks(figures.rounds, names=selectors.level_names()),
    )
    return context


def _figure(request) -> str:
    wanted = request.GET.get("figure", "")
    return wanted if wanted in maps.FIGURE_KEYS else "households"


def _map_data(request, *, features, area_code: str = "", community=None) -> dict:
    data = {
        **maps.map_settings(),
        "features": features,
        "figure": _figure(request),
        "labels": {key: str(label) for key, label in maps.FIGURES},
        "district_url": reverse("dashboards:district", args=["CODE"]),
        "points_url": None,
    }
    if maps.can_see_points(request.user):
        query = f"?area={area_code}" if area_code else ""
        if community is not None:
            query = f"?community={community.pk}"
            data["fit_points"] = True
        data["points_url"] = reverse("dashboards:points") + query
    return data


# The rendered figures of the city and district dashboards (their map, cards, tables, trends
# and levels), by everything they depend on (`_parts_key`): a page served again from here costs
# a few indexed reads instead of summing the whole refresh and rendering its tables. Per
# process (bounded) and in the shared cache; an entry expires after PARTS_SECONDS, which
# bounds how long a race between a page and a community refresh could keep older figures.
_parts: OrderedDict[str, tuple[float, dict]] = OrderedDict()
_parts_lock = threading.Lock()
PARTS_MAX = 64
PARTS_SECONDS = 300


def _scope_signature(user) -> str:
    """Everything of the user's scope the figures can depend on (roles, organisations and the
    areas of each capability): users with the same assignments see the same figures,
    suppression decisions and links."""
    scope = scope_for(user)
    parts = [",".join(sorted(scope.roles)), ",".join(map(str, sorted(scope.organisation_ids)))]
    for capability in sorted(scope.areas):
        area = scope.areas[capability]
        parts.append(
            f"{capability}:{','.join(sorted(area.prefixes))}:"
            f"{','.join(map(str, sorted(area.community_ids)))}"
        )
    return "|".join(parts)


def _parts_key(request, *, page: str, area_code: str, refresh) -> str:
    """The figures' version (the refresh and the stamp every refresh of a community renews),
    the indicator set naming the levels, the map's outlines and tiles, the viewer's scope, the
    language, the small-count threshold and the query string (the figure the map shows, the
    export links' filters)."""
    boundaries = Boundary.objects.filter(
        level=BoundaryLevel.DISTRICT, code__startswith=area_code
    ).aggregate(n=Count("pk"), loaded=Max("loaded_at"))
    active = list(IndicatorSet.objects.filter(is_active=True).values_list("pk", flat=True)[:1])
    stamp = cache.get(hierarchy.STAMP_KEY, "")
    raw = "\n".join(
        map(
            str,
            [
                page,
                area_code,
                refresh.pk,
                stamp,
                active,
                boundaries,
                _scope_signature(request.user),
                get_language(),
                small_count_threshold(),
                sorted(maps.map_settings().items()),
                sorted(request.GET.lists()),
            ],
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _cached_parts(request, *, page: str, area_code: str, refresh, build) -> dict:
    """`build()` (the rendered parts) unless this process, or another through the shared
    cache, rendered them for the same key in the last PARTS_SECONDS. Before the first refresh
    nothing is kept."""
    if refresh is None:
        return build()
    key = _parts_key(request, page=page, area_code=area_code, refresh=refresh)
    now = time.monotonic()
    with _parts_lock:
        hit = _parts.get(key)
        if hit is not None and now - hit[0] < PARTS_SECONDS:
            _parts.move_to_end(key)
            return hit[1]
    # Another process may have rendered them (the cache every process shares), else render.
    shared = f"ppaos:dashboard-parts:{key}"
    parts = cache.get(shared)
    if parts is None:
        parts = build()
        cache.set(shared, parts, PARTS_SECONDS)
    with _parts_lock:
        _parts[key] = (now, parts)
        _parts.move_to_end(key)
        while len(_parts) > PARTS_MAX:
            _parts.popitem(last=False)
    return parts


def _render_parts(request, name: str, context: dict) -> dict:
    """The page's cacheable parts: its <head> links and its body below the staleness note.
    Neither holds anything of the session (no CSRF token, no user name)."""
    return {
        "head": render_to_string("dashboards/_head.html", context, request=request),
        "body": render_to_string(f"dashboards/_{name}_body.html", context, request=request),
    }


def _staleness(request) -> dict:
    """The part of every dashboard that is not cached: how fresh the figures are and, for
    those who may, the refresh under way and the button."""
    return {
        "refresh": selectors.current_refresh(),
        "pending": services.refresh_pending(),
        "can_refresh": access.can_refresh(request.user),
    }


@login_required
def city(request):
    """A province's dashboard (the city by default): its districts and their figures."""
    province = access.province_for_user(user=request.user, code=request.GET.get("province"))
    head = _staleness(request)

    def build() -> dict:
        context = _dashboard(request, head=head, area_code=province.code, by="district")
        rows = selectors.child_rows(
            user=request.user,
            parent=province,
            refresh=context["refresh"],
            hidden=context.get("hidden", {}),
            figures=context.get("figures_protected"),
        )
        features = maps.district_features(
            district_codes=[d.code for d in province.districts.all()],
            summaries={d.code: summary for d, summary in rows if summary is not None},
            in_scope={d.code for d, _summary in rows},
        )
        context.update(
            province=province,
            rows=rows,
            child_url="dashboards:district",
            map_data=_map_data(request, features=features, area_code=province.code),
        )
        return _render_parts(request, "city", context)

    parts = _cached_parts(
        request, page="city", area_code=province.code, refresh=head["refresh"], build=build
    )
    return render(request, "dashboards/city.html", {**head, "province": province, "parts": parts})


@login_required
def district(request, code: str):
    """A district's dashboard: its communities and their figures."""
    district = access.district_for_user(user=request.user, code=code)
    head = _staleness(request)

    def build() -> dict:
        context = _dashboard(request, head=head, area_code=district.code, by="community")
        features = maps.district_features(
            district_codes=[district.code],
            summaries={district.code: context.get("summary")},
            in_scope={district.code},
        )
        context.update(
            district=district,
            rows=selectors.child_rows(
                user=request.user,
                parent=district,
                refresh=context["refresh"],
                hidden=context.get("hidden", {}),
                figures=context.get("figures_protected"),
            ),
            map_data=_map_data(request, features=features, area_code=district.code),
        )
        return _render_parts(request, "district", context)

    parts = _cached_parts(
        request, page="district", area_code=district.code, refresh=head["refresh"], build=build
    )
    return render(
        request, "dashboards/district.html", {**head, "district": district, "parts": parts}
    )


@login_required
def community(request, pk: int):
    """A community's dashboard and, for roles that may see them, its households."""
    community = access.community_for_user(user=request.user, pk=pk)
    context = _dashboard(request, head=_staleness(request), community=community)
    district_code = community.subdistrict.district_id
    features = maps.district_features(
        district_codes=[district_code], summaries={}, in_scope={district_code}
    )
    context.update(
        community=community,
        map_data=_map_data(request, features=features, community=community),
    )
    if scope_for(request.user).area(VIEW_PEOPLE).contains_community(community):
        households = household_list(user=request.user).filter(community=community)
        context["page"] = Paginator(households.order_by("code"), settings.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "dashboards/community.html", context)


@login_required
def points(request):
    """Households inside the map's box as GeoJSON points: only those the user may see, no
    names; 404 for roles that see no households. Every answer with points is audited."""
    require_capability(request.user, VIEW_PEOPLE)
    try:
        bbox = maps.BBox.parse(request.GET.get("bbox", ""))
    except ValueError:
        return HttpResponseBadRequest("bbox=west,south,east,north")
    community = None
    if request.GET.get("community"):
        try:
            community = Community.objects.get(pk=int(request.GET["community"]))
        except (ValueError, Community.DoesNotExist):
            raise Http404("No such community") from None
    area_code = request.GET.get("area", "")
    if not area_code.isdigit() and area_code:
        return HttpResponseBadRequest("area must be a DOPA code")
    queryset = maps.households_in_view(
        user=request.user, bbox=bbox, area_code=area_code, community=community
    )
    data = maps.points_geojson(queryset)
    if data["too_many"]:
        data["message"] = _(
            "More than %(limit)s households here: zoom in to see them as points."
        ) % {"limit": f"{data['limit']:,}"}
    elif data["features"]:
        audit_export(
            actor=request.user,
            description=Deferred(
                gettext_noop("map points %(bbox)s"), bbox=request.GET.get("bbox", "")[:80]
            ),
            row_count=len(data["features"]),
        )
    return JsonResponse(data)


@login_required
@require_POST
def refresh_start(request):
    """Queue a refresh of every figure (coordinators), or show the one already under way."""
    if not access.can_refresh(request.user):
        raise Http404("Not available for this role")
    pending = services.refresh_pending()
    if pending is not None and pending.created_by_id == request.user.pk:
        return redirect("dashboards:refresh", pk=pending.pk)
    refresh = services.refresh_create(actor=request.user)
    tasks.run_refresh.enqueue(refresh.pk)
    return redirect("dashboards:refresh", pk=refresh.pk)


@login_required
def refresh_detail(request, pk: int):
    refresh = access.refresh_for_user(user=request.user, pk=pk)
    template = "dashboards/_refresh.html" if request.htmx else "dashboards/refresh.html"
    return render(request, template, {"job": refresh})
