"""Dashboards per province (the city), district and community; household points; refresh."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.audit.services import audit_export
from ppaos.dashboards import access, maps, selectors, services, tasks
from ppaos.dashboards.charts import level_blocks, monthly_chart
from ppaos.lib.suppression import small_count_threshold
from ppaos.registry.selectors import household_list

TRENDS = [
    ("households_verified", gettext_lazy("Households verified for the first time, per month")),
    ("referrals_made", gettext_lazy("Referrals sent, per month")),
    ("referrals_completed", gettext_lazy("Referrals completed, per month")),
]


def _dashboard(request, *, area_code: str = "", community=None, by: str | None = None) -> dict:
    """What every dashboard page shows: headline figures, trends, levels per round, refresh."""
    user = request.user
    refresh = selectors.current_refresh()
    context = {
        "refresh": refresh,
        "pending": services.refresh_pending(),
        "can_refresh": access.can_refresh(user),
        "figures": maps.FIGURES,
        "threshold": small_count_threshold(),
    }
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


@login_required
def city(request):
    """A province's dashboard (the city by default): its districts and their figures."""
    province = access.province_for_user(user=request.user, code=request.GET.get("province"))
    context = _dashboard(request, area_code=province.code, by="district")
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
    return render(request, "dashboards/city.html", context)


@login_required
def district(request, code: str):
    """A district's dashboard: its communities and their figures."""
    district = access.district_for_user(user=request.user, code=code)
    context = _dashboard(request, area_code=district.code, by="community")
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
    return render(request, "dashboards/district.html", context)


@login_required
def community(request, pk: int):
    """A community's dashboard and, for roles that may see them, its households."""
    community = access.community_for_user(user=request.user, pk=pk)
    context = _dashboard(request, community=community)
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
            description=f"map points {request.GET.get('bbox', '')[:80]}",
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
