"""Verification you can trust: each visit's outcome against the household's assessed survey.

A volunteer's outcome is a claim (poor or not poor). The household's status as its survey
says comes from the assessment app: the assessment of the visit's own survey, or, when the
visit carried no survey, the household's latest assessment. When claim and survey agree,
that is the household's reviewed status; when they disagree, the visit waits in the review
queue until a coordinator or district officer settles the status (`VerificationReview`).
An incomplete survey, or none, checks nothing: such visits are counted as "not checked"
and never enter the error rates.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from ppaos.accounts.scope import MANAGE_TARGETING, scope_for
from ppaos.assessment.models import Assessment
from ppaos.targeting.models import (
    Campaign,
    Outcome,
    SurveyStatus,
    VerificationReview,
    Visit,
)

CLAIMS = {
    Outcome.CONFIRMED_POOR: SurveyStatus.POOR,
    Outcome.NEWLY_FOUND_POOR: SurveyStatus.POOR,
    Outcome.NOT_POOR: SurveyStatus.NOT_POOR,
}
AGREE, DISAGREE, UNCHECKED, NO_CLAIM = "agree", "disagree", "unchecked", "no_claim"
# Heavy JSON the comparison never reads.
_DEFERRED = ("details", "capital_scores")


def assessment_status(assessment: Assessment | None) -> str:
    """poor / not poor / incomplete, as the assessment app publishes it (`poverty_status`:
    incomplete when unknown answers could still change the verdict); none without one."""
    if assessment is None:
        return SurveyStatus.NONE
    status = getattr(assessment, "poverty_status", None)
    if status is None:  # an assessment app that only knows `is_poor`
        status = SurveyStatus.POOR if assessment.is_poor else SurveyStatus.NOT_POOR
    known = (SurveyStatus.POOR, SurveyStatus.NOT_POOR, SurveyStatus.INCOMPLETE)
    return status if status in known else SurveyStatus.INCOMPLETE


@dataclass
class VisitCheck:
    """One visit compared with the survey, and the review that settled it, if any."""

    visit: Visit
    survey_status: str
    assessment: Assessment | None
    review: VerificationReview | None

    @property
    def survey_status_label(self) -> str:
        return SurveyStatus(self.survey_status).label

    @property
    def claim(self) -> str | None:
        return CLAIMS.get(self.visit.outcome)

    @property
    def state(self) -> str:
        if self.claim is None:
            return NO_CLAIM
        if self.survey_status not in (SurveyStatus.POOR, SurveyStatus.NOT_POOR):
            return UNCHECKED
        return AGREE if self.claim == self.survey_status else DISAGREE

    @property
    def awaiting_review(self) -> bool:
        return self.state == DISAGREE and self.review is None

    @property
    def reviewed_status(self) -> str | None:
        """poor / not poor once settled (agreement or decision); None otherwise."""
        if self.state == AGREE:
            return self.claim
        if self.state == DISAGREE and self.review is not None:
            return self.review.decision
        return None


def _pick(assessments: list[Assessment], visit: Visit) -> Assessment | None:
    if visit.survey_id:
        return next((a for a in assessments if a.survey_id == visit.survey_id), None)
    return assessments[0] if assessments else None


def visit_checks(visits: list[Visit]) -> list[VisitCheck]:
    """Compare each visit with its household's assessed survey (three queries in all)."""
    by_household: dict[int, list[Assessment]] = defaultdict(list)
    assessments = (
        Assessment.objects.filter(household_id__in={v.household_id for v in visits})
        .defer(*_DEFERRED)
        .order_by("household_id", "-computed_at", "-round_name")
    )
    for assessment in assessments:
        by_household[assessment.household_id].append(assessment)
    reviews = {
        (r.visit_id, r.assessment_id): r
        for r in VerificationReview.objects.filter(visit__in=[v.pk for v in visits])
        .select_related("decided_by")
        .order_by("decided_at")
    }
    checks = []
    for visit in visits:
        assessment = _pick(by_household.get(visit.household_id, []), visit)
        review = reviews.get((visit.pk, assessment.pk)) if assessment else None
        checks.append(VisitCheck(visit, assessment_status(assessment), assessment, review))
    return checks


def latest_visits(*, user, campaign: Campaign) -> list[Visit]:
    """The latest visit of each household in the user's managed area (conflicts left out)."""
    area = scope_for(user).area(MANAGE_TARGETING)
    visits: QuerySet[Visit] = (
        Visit.objects.filter(area.q("household__community"), campaign=campaign)
        .exclude(status=Visit.Status.CONFLICT)
        .order_by("household_id", "-visited_on", "-id")
        .select_related("household__community__subdistrict__district")
    )
    seen: set[int] = set()
    latest = []
    for visit in visits:
        if visit.household_id not in seen:
            seen.add(visit.household_id)
            latest.append(visit)
    return latest


def campaign_checks(*, user, campaign: Campaign) -> list[VisitCheck]:
    return visit_checks(latest_visits(user=user, campaign=campaign))


def review_queue(*, user, campaign: Campaign, decided: bool = False) -> list[VisitCheck]:
    """Disagreements waiting for a decision (or, with `decided`, those already settled)."""
    checks = campaign_checks(user=user, campaign=campaign)
    if decided:
        return [c for c in checks if c.state == DISAGREE and c.review is not None]
    return [c for c in checks if c.awaiting_review]
