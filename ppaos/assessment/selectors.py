"""Reads for assessments and indicator sets; anything about households is scoped."""

from django.db.models import Count, Max, QuerySet

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.assessment.models import Assessment, IndicatorSet
from ppaos.assessment.services import indicator_set_load_default
from ppaos.registry.models import Household


def indicator_set_active() -> IndicatorSet:
    """The set new surveys are asked with; the shipped default when none was loaded."""
    return IndicatorSet.objects.filter(is_active=True).first() or indicator_set_load_default()


def round_names() -> list[str]:
    """Assessed rounds, the most recently computed first."""
    rows = (
        Assessment.objects.order_by()
        .values("round_name")
        .annotate(last=Max("computed_at"))
        .order_by("-last", "-round_name")
    )
    return [r["round_name"] for r in rows]


def assessments_countable(
    *, user, round_name: str, area_code: str = "", community=None
) -> QuerySet[Assessment]:
    """The round's assessments of households the user may count (VIEW_COUNTS), optionally
    inside one DOPA area code (province, district or subdistrict prefix) or one community."""
    area = scope_for(user).area(VIEW_COUNTS)
    queryset = Assessment.objects.filter(area.q("household__community"), round_name=round_name)
    if area_code:
        queryset = queryset.filter(household__community__subdistrict__code__startswith=area_code)
    if community is not None:
        queryset = queryset.filter(household__community=community)
    return queryset


def household_assessments(*, household: Household) -> list[Assessment]:
    """A household's assessments, newest first. The caller has checked the household's scope."""
    return list(
        Assessment.objects.filter(household=household)
        .select_related("indicator_set", "survey")
        .order_by("-computed_at", "-round_name")
    )


def community_assessments(*, user, round_name: str, community) -> QuerySet[Assessment]:
    """The round's assessments in one community, for users who may see its people."""
    area = scope_for(user).area(VIEW_PEOPLE)
    return (
        Assessment.objects.filter(
            area.q("household__community"), round_name=round_name, household__community=community
        )
        .select_related("household", "indicator_set")
        .order_by("level", "-deprivation_score_value", "household__code")
    )


def indicator_sets_with_use() -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.annotate(
        survey_count=Count("surveyresponse", distinct=True),
    ).order_by("-loaded_at", "-id")


def indicator_set_assessment_counts() -> dict[int, int]:
    rows = Assessment.objects.order_by().values("indicator_set_id").annotate(n=Count("id"))
    return {r["indicator_set_id"]: r["n"] for r in rows}


def household_unassessed_survey(*, household: Household, assessments: list[Assessment]):
    """The household's newest survey that its assessments do not reflect, or None.

    A survey is assessed when it is saved; one is left over when its round was already
    assessed from an earlier survey (assessments are immutable), when its visit awaits a
    conflict review, or when the assessment failed. A survey older than the one its round's
    assessment used is not "newer": it is skipped."""
    from ppaos.assessment.models import SurveyResponse

    used = {a.survey_id for a in assessments}
    by_round = {a.round_name: a for a in assessments}
    surveys = SurveyResponse.objects.filter(household=household).order_by("-collected_on", "-id")
    for survey in surveys.only("id", "collected_on", "round_name")[:20]:
        if survey.pk in used:
            return None
        assessed = by_round.get(survey.round_name)
        if assessed is None or (survey.collected_on, survey.pk) > (
            assessed.survey.collected_on,
            assessed.survey_id,
        ):
            return survey
    return None
