"""Household assessment profile, area analysis (H, A, M0, levels) and indicator-set versions."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import MANAGE_CITY, VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.areas.models import Community, District, Province
from ppaos.assessment import charts
from ppaos.assessment.analysis import analyse
from ppaos.assessment.definition import compile_definition
from ppaos.assessment.forms import IndicatorSetUploadForm
from ppaos.assessment.models import IndicatorSet
from ppaos.assessment.profile import build_profile
from ppaos.assessment.selectors import (
    assessments_countable,
    community_assessments,
    household_assessments,
    indicator_set_assessment_counts,
    indicator_sets_with_use,
    round_names,
)
from ppaos.assessment.services import indicator_set_load
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.disclosure import Table
from ppaos.lib.i18n import Deferred, localized_name
from ppaos.lib.suppression import is_hidden, small_count_threshold, suppress
from ppaos.registry.access import household_for_user

# ---------------------------------------------------------------------------------------------
# Household profile
# ---------------------------------------------------------------------------------------------


@login_required
def household_assessment(request, pk: int):
    """Why the household is at its level, in words; scoped like the household page, audited."""
    household = household_for_user(user=request.user, pk=pk)
    assessments = household_assessments(household=household)
    wanted = request.GET.get("round")
    selected = next((a for a in assessments if a.round_name == wanted), None) or (
        assessments[0] if assessments else None
    )
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=household,
        label=Deferred(
            gettext_noop("%(household)s · assessment of round %(round)s"),
            household=household.code,
            round=selected.round_name if selected else "-",
        ),
    )
    return render(
        request,
        "assessment/profile.html",
        {
            "household": household,
            "assessments": assessments,
            "selected": selected,
            "profile": build_profile(selected) if selected else None,
        },
    )


# ---------------------------------------------------------------------------------------------
# Area analysis (aggregates: any role with VIEW_COUNTS, researchers included)
# ---------------------------------------------------------------------------------------------


def _touchable(request, code: str) -> None:
    require_capability(request.user, VIEW_COUNTS)
    if not scope_for(request.user).area(VIEW_COUNTS).touches(code):
        raise Http404("Area outside scope")


def _round(request) -> tuple[str | None, list[str]]:
    rounds = round_names()
    wanted = request.GET.get("round")
    return (wanted if wanted in rounds else (rounds[0] if rounds else None)), rounds


def _protect(result, order: list, exact: bool):
    """The households, poor and level counts of the analysis as shown (ppaos.lib.disclosure):
    each area's levels add up to its households assessed, and the areas' to the overall
    figures, where they do. Returns (overall, areas, shown levels per area key), the measures
    with hidden counts as None/WITHHELD and H, A, M0 and contributions hidden where the
    households or the poor are."""
    table = Table("analysis")
    measures = [("o", result.overall)] + [(("a", a.key), a) for a in result.areas]
    for name, m in measures:
        table.add((name, "households"), m.households)
        table.add((name, "poor"), m.n_poor)
        for level in order:
            table.add((name, level), m.levels.get(level, 0))
        if sum(m.levels.get(level, 0) for level in order) == m.households:
            table.add_sum([(name, level) for level in order], (name, "households"))
    for metric in ["households", "poor", *order]:
        parts = [(("a", a.key), metric) for a in result.areas]
        if parts and sum(table.cells[k] for k in parts) == table.cells[("o", metric)]:
            table.add_sum(parts, ("o", metric))
    shown = table.protect(exact=exact)

    def measure(name, m):
        households, poor = shown[(name, "households")], shown[(name, "poor")]
        if is_hidden(households) or is_hidden(poor):
            m = dataclasses.replace(m, H=None, A=None, M0=None, contributions={})
        return dataclasses.replace(m, households=households, n_poor=poor)

    levels = {name: {lv: shown[(name, lv)] for lv in order} for name, _m in measures}
    return (
        measure("o", result.overall),
        [measure(name, m) for name, m in measures[1:]],
        levels,
    )


def _segments(counts: dict, shown: dict, order: list, exact: bool) -> list[dict]:
    """Level bar segments; protected, the bar is not drawn (its widths would tell the hidden
    counts) and each segment carries the count as shown."""
    segments = charts.stacked(counts, order)
    for segment in segments:
        segment["shown"] = shown[segment["key"]]
        if not exact:
            segment.update(count=shown[segment["key"]], width=0, share=None)
    return segments


def _chart_context(result, *, exact: bool = True) -> dict:
    """Per indicator set: level bar, contribution bars, per-area rows with mini level bars."""
    spec = result.spec
    order = [lv.level for lv in spec.levels] + [None]
    level_names = {lv.level: localized_name(lv) for lv in spec.levels}
    level_names[None] = _("no score")
    names = {i.code: localized_name(i) for i in spec.indicators}
    overall, areas, shown = _protect(result, order, exact)
    contributions = sorted(overall.contributions.items(), key=lambda item: item[1], reverse=True)
    return {
        "result": result,
        "overall": overall,
        "protected": not exact,
        "incomplete": result.incomplete if exact else suppress(result.incomplete),
        "levels": [
            {**segment, "name": level_names[segment["key"]]}
            for segment in _segments(result.overall.levels, shown["o"], order, exact)
            if segment["key"] is not None or result.overall.levels.get(None)
        ],
        "contributions": [
            {**bar, "name": names[bar["label"]], "code": bar["label"]}
            for bar in charts.bars([(c, v * 100) for c, v in contributions])
        ],
        "rows": [
            {
                "area": shown_area,
                "levels": _segments(area.levels, shown[("a", area.key)], order, exact),
            }
            for area, shown_area in zip(result.areas, areas, strict=True)
        ],
        "h_bars": charts.bars([(a.code, a.H * 100) for a in areas if a.H is not None], maximum=100),
    }


def _exact_for(user, *, area_code: str = "", community=None) -> bool:
    """Whether the user sees the analysis's counts as they are: they may see the people of
    every community of it they may count (researchers see protected counts)."""
    scope = scope_for(user)
    if community is not None:
        return scope.area(VIEW_PEOPLE).contains_community(community)
    return not (
        Community.objects.filter(
            scope.area(VIEW_COUNTS).community_q(), subdistrict__code__startswith=area_code
        )
        .exclude(scope.area(VIEW_PEOPLE).community_q())
        .exists()
    )


def _analysis_page(request, *, title, crumbs, area_code, by, link, extra=None, community=None):
    round_name, rounds = _round(request)
    results = []
    if round_name:
        queryset = assessments_countable(
            user=request.user, round_name=round_name, area_code=area_code, community=community
        )
        exact = _exact_for(request.user, area_code=area_code, community=community)
        results = [_chart_context(r, exact=exact) for r in analyse(queryset, by=by)]
    context = {
        "title": title,
        "crumbs": crumbs,
        "round_name": round_name,
        "rounds": rounds,
        "results": results,
        "link": link,
        "by": by,
        "threshold": small_count_threshold(),
        **(extra or {}),
    }
    return render(request, "assessment/area.html", context)


@login_required
def analysis_home(request):
    return redirect("assessment:province", code=scope_for(request.user).home_province())


@login_required
def analysis_province(request, code: str):
    province = get_object_or_404(Province, code=code)
    _touchable(request, province.code)
    return _analysis_page(
        request,
        title=province.name,
        crumbs=[],
        area_code=province.code,
        by="district",
        link="assessment:district",
        extra={"area_page": ("areas:province", province.code)},
    )


@login_required
def analysis_district(request, code: str):
    district = get_object_or_404(District.objects.select_related("province"), code=code)
    _touchable(request, district.code)
    return _analysis_page(
        request,
        title=district.name,
        crumbs=[("assessment:province", district.province.code, district.province.name)],
        area_code=district.code,
        by="community",
        link="assessment:community",
        extra={"area_page": ("areas:district", district.code)},
    )


@login_required
def analysis_community(request, pk: int):
    require_capability(request.user, VIEW_COUNTS)
    community = get_object_or_404(countable_community(user=request.user, pk=pk))
    district = community.subdistrict.district
    extra = {"area_page": ("areas:community", community.pk), "community": community}
    round_name, _rounds = _round(request)
    if round_name and scope_for(request.user).area(VIEW_PEOPLE).contains_community(community):
        extra["households"] = community_assessments(
            user=request.user, round_name=round_name, community=community
        )[:500]
    response = _analysis_page(
        request,
        title=community.name,
        crumbs=[
            ("assessment:province", district.province.code, district.province.name),
            ("assessment:district", district.code, district.name),
        ],
        area_code="",
        by=None,
        link=None,
        extra=extra,
        community=community,
    )
    return response


# ---------------------------------------------------------------------------------------------
# Indicator-set versions (coordinators)
# ---------------------------------------------------------------------------------------------


def _require_coordinator(user) -> None:
    if not scope_for(user).can(MANAGE_CITY):
        raise Http404("Coordinators only")


@login_required
def indicator_set_list(request):
    _require_coordinator(request.user)
    form = IndicatorSetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            loaded = indicator_set_load(
                definition=form.cleaned_data["file"],
                actor=request.user,
                activate=form.cleaned_data["activate"],
            )
        except ValidationError as e:
            form.add_error("file", e)
        else:
            messages.success(request, _("Indicator set %(set)s loaded.") % {"set": loaded})
            return redirect("assessment:indicator_sets")
    sets = list(indicator_sets_with_use().select_related("loaded_by"))
    counts = indicator_set_assessment_counts()
    for s in sets:
        s.assessment_count = counts.get(s.pk, 0)
    return render(request, "assessment/indicator_sets.html", {"sets": sets, "form": form})


@login_required
def indicator_set_detail(request, pk: int):
    _require_coordinator(request.user)
    indicator_set = get_object_or_404(IndicatorSet, pk=pk)
    spec = compile_definition(indicator_set.definition)
    return render(
        request,
        "assessment/indicator_set.html",
        {"set": indicator_set, "spec": spec, "definition": indicator_set.definition},
    )
