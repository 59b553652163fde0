"""Household assessments of an area as CSV and Excel (see `ppaos.lib.exports`): the analysis
pages' rows, one per assessed household. Pseudonymised for anyone who may count the area
(`assessments_countable`, the pages' selector); identified only for households the user may
see (`community_assessments` on a community, the registry's `household_list` elsewhere)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.assessment.selectors import (
    assessments_countable,
    community_assessments,
    round_names,
)
from ppaos.lib import exports as lib
from ppaos.lib import kanon
from ppaos.lib.exports import IDENTIFIER, Column, ExportSpec
from ppaos.lib.i18n import Deferred
from ppaos.registry.selectors import household_list


def _round(params: dict) -> str:
    rounds = round_names()
    wanted = params.get("round", "")
    if wanted in rounds:
        return wanted
    if wanted or not rounds:
        raise Http404("No such round")
    return rounds[0]


def assessment_rows(*, user, params: dict, pseudonymised: bool):
    round_name = _round(params)
    if "community" in params:
        community = get_object_or_404(
            countable_community(user=user, pk=lib.int_param(params, "community"))
        )
        if not pseudonymised:
            return community_assessments(user=user, round_name=round_name, community=community)
        rows = assessments_countable(user=user, round_name=round_name, community=community)
    else:
        code = params.get("area", "")
        if not code.isdigit() or not scope_for(user).area(VIEW_COUNTS).touches(code):
            raise Http404("Area outside scope")
        rows = assessments_countable(user=user, round_name=round_name, area_code=code)
        if not pseudonymised:
            rows = rows.filter(household__in=household_list(user=user).values("pk"))
    return rows.select_related("household__community").order_by("household__code")


def _identified_allowed(user, params: dict) -> bool:
    people = scope_for(user).area(VIEW_PEOPLE)
    if "community" in params:
        community = get_object_or_404(
            countable_community(user=user, pk=lib.int_param(params, "community"))
        )
        return people.contains_community(community)
    return not people.is_empty


def _where(params: dict) -> str:
    if "community" in params:
        return f"community {params['community']}"
    return f"area {params.get('area', '')}"


def _describe(params: dict) -> Deferred:
    if "community" in params:
        return Deferred(
            gettext_noop("household assessments of community %(community)s"),
            community=params["community"],
        )
    return Deferred(
        gettext_noop("household assessments of area %(area)s"), area=params.get("area", "")
    )


def _score(value):
    return "" if value is None else round(value, 4)


lib.register(
    ExportSpec(
        name="assessments",
        title=_("Household assessments"),
        keys=("community", "area"),
        filters=("round",),
        columns=(
            Column(
                _("Household code"),
                lambda a: a.household.code,
                IDENTIFIER,
                namespace="household",
                key=lambda a: a.household_id,
            ),
            Column(_("Community code"), lambda a: a.household.community.code),
            Column(_("Subdistrict code"), lambda a: a.household.community.subdistrict_id),
            Column(_("Survey round"), lambda a: a.round_name),
            Column(_("Members at the survey"), lambda a: a.members),
            Column(_("Deprivation score"), lambda a: _score(a.deprivation_score_value)),
            Column(_("Multidimensionally poor"), lambda a: "1" if a.is_poor else "0"),
            Column(_("Poverty status"), lambda a: a.poverty_status),
            Column(_("Missing answers"), lambda a: ";".join(a.missing or [])),
            Column(_("Overall score"), lambda a: _score(a.overall_score)),
            Column(_("Level"), lambda a: "" if a.level is None else a.level),
        ),
        rows=assessment_rows,
        identified_allowed=_identified_allowed,
        # Where the household is and how many it had (issue 14, 8): one of a community's
        # households, alone on these, would carry its scores out under its pseudonym.
        quasi_identifiers=(
            kanon.place(_("Community code"), _("Subdistrict code")),
            kanon.member_count(_("Members at the survey")),
        ),
        describe=_describe,
        filename=lambda p: f"assessments-{_where(p).replace(' ', '-')}",
    )
)
