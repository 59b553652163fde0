"""Reads for targeting, scoped like everything else."""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.assessment.models import Assessment
from ppaos.lib.stats import Proportion, wilson
from ppaos.registry.models import Household, Membership, Person, Relation
from ppaos.targeting import verification
from ppaos.targeting.models import (
    Campaign,
    CampaignAssignment,
    ExclusionSample,
    ExclusionSampleHousehold,
    LinkCandidate,
    Outcome,
    SurveyStatus,
    TargetRecord,
    VerificationReview,
    Visit,
)
from ppaos.targeting.sampling import Estimate, sample_size, wilson_fpc


def campaign_list(*, user) -> QuerySet[Campaign]:
    """Campaigns with an assignment inside the user's managed area (or opened by them)."""
    area = scope_for(user).area(MANAGE_TARGETING)
    inside = CampaignAssignment.objects.filter(area.q("community"), campaign=OuterRef("pk"))
    return (
        Campaign.objects.filter(Q(Exists(inside)) | Q(opened_by=user))
        .select_related("target_list")
        .distinct()
    )


def target_records_in_scope(*, user) -> QuerySet[TargetRecord]:
    """Target records whose address lies in the user's managed area."""
    area = scope_for(user).area(MANAGE_TARGETING)
    if area.is_empty:
        return TargetRecord.objects.none()
    condition = Q()
    for prefix in area.prefixes:
        condition |= Q(subdistrict_code__startswith=prefix)
    return TargetRecord.objects.filter(condition).select_related("target_list", "person")


def review_queue(*, user) -> QuerySet[LinkCandidate]:
    """Pending pairs the user may judge: the record in their area, the person visible."""
    records = target_records_in_scope(user=user)
    people = scope_for(user).area(VIEW_PEOPLE)
    visible = Membership.objects.filter(
        people.q("household__community"), person=OuterRef("person"), end_date__isnull=True
    )
    return (
        LinkCandidate.objects.filter(
            decision=LinkCandidate.Decision.PENDING, record__in=records.values("pk")
        )
        .filter(Exists(visible))
        .select_related("record__target_list", "person")
    )


def worklist(*, user, campaign: Campaign) -> QuerySet[Household]:
    """A volunteer's households in a campaign: target-base households first, then those in
    the exclusion-error sample (each must be visited for the estimate), then the rest."""
    communities = CampaignAssignment.objects.filter(campaign=campaign, volunteer=user).values(
        "community"
    )
    area = scope_for(user).area(VIEW_PEOPLE)
    on_list = TargetRecord.objects.filter(
        target_list=campaign.target_list_id,
        person__memberships__household=OuterRef("pk"),
        person__memberships__end_date__isnull=True,
    )
    visited = Visit.objects.filter(campaign=campaign, household=OuterRef("pk"))
    sampled = ExclusionSampleHousehold.objects.filter(
        sample__campaign=campaign, household=OuterRef("pk")
    )
    return (
        Household.objects.filter(area.q("community"), community__in=communities)
        .select_related("community")
        .annotate(
            on_list=Exists(on_list),
            in_sample=Exists(sampled),
            visited=Exists(visited),
            member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)),
        )
        .order_by("-on_list", "-in_sample", "visited", "code")
    )


# A household's status in the worklist: not visited yet, visited, or visited with a problem a
# coordinator must settle (an edit conflict, or an outcome that disagrees with the survey).
NOT_VISITED, VISITED, CONFLICT = "not_visited", "visited", "conflict"
WORKLIST_STATUSES = (NOT_VISITED, VISITED, CONFLICT)
WORKLIST_SORTS = ("priority", "address", "status", "name")
_STATUS_ORDER = {CONFLICT: 0, NOT_VISITED: 1, VISITED: 2}
_THAI_LEADING_VOWELS = "เแโใไ"
_NUMBER = re.compile(r"\d+")


@dataclass
class WorklistRow:
    """One household of a volunteer's worklist, with its head (None when no one is head)."""

    household: Household
    head: Person | None
    members: list[Membership]
    status: str
    is_new: bool  # registered after the day the campaign opened

    @property
    def head_name(self) -> str:
        return self.head.full_name if self.head else ""

    def matches(self, text: str) -> bool:
        """The filter text appears in the code, the address or a current member's name."""
        needle = text.casefold()
        h = self.household
        haystack = [h.code, h.address_line(), *(m.person.full_name for m in self.members)]
        return any(needle in value.casefold() for value in haystack)


@dataclass
class Worklist:
    rows: list[WorklistRow]  # after the filter and sort
    total: int  # the volunteer's households in the campaign, before any filter
    done: int  # of which visited (with or without a conflict)
    counts: dict[str, int]  # households per status, before any filter

    @property
    def left(self) -> int:
        return self.total - self.done


def _thai_key(text: str) -> str:
    """Thai dictionary order, roughly: a leading vowel (เ แ โ ใ ไ) sorts after its consonant."""
    chars, i = list(text.casefold()), 0
    while i < len(chars) - 1:
        if chars[i] in _THAI_LEADING_VOWELS:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            i += 1
        i += 1
    return "".join(chars)


def _address_key(household: Household) -> tuple:
    """House numbers in number order (2/1 before 10/1), then moo, soi, road and code."""
    numbers = tuple(int(n) for n in _NUMBER.findall(household.house_no))
    return (not numbers, numbers, household.house_no, household.moo, household.soi, household.code)


def _worklist_statuses(households: list[Household], campaign: Campaign) -> dict[int, str]:
    """Each visited household's status: conflict when a visit is an unresolved edit conflict
    or the latest visit disagrees with the survey and waits for review (four queries)."""
    visited = [h.pk for h in households if h.visited]
    if not visited:
        return {}
    visits = (
        Visit.objects.filter(campaign=campaign, household__in=visited)
        .exclude(status=Visit.Status.CONFLICT)
        .only("id", "household_id", "survey_id", "outcome", "status", "visited_on")
        .order_by("household_id", "-visited_on", "-id")
    )
    latest: dict[int, Visit] = {}
    for visit in visits:
        latest.setdefault(visit.household_id, visit)
    waiting = {
        check.visit.household_id
        for check in verification.visit_checks(list(latest.values()))
        if check.awaiting_review
    }
    return {
        h.pk: CONFLICT if h.has_conflict or h.pk in waiting else VISITED
        for h in households
        if h.visited
    }


def worklist_rows(
    *, user, campaign: Campaign, text: str = "", status: str = "", sort: str = "priority"
) -> Worklist:
    """The worklist as the volunteer reads it: each household with its head's name and its
    status in this campaign, filtered by status and by text (code, address or a member's
    name) and sorted. A fixed number of queries, however many households."""
    current = (
        Membership.objects.filter(end_date__isnull=True)
        .select_related("person")
        .order_by("start_date", "id")
    )
    unresolved = Visit.objects.filter(
        campaign=campaign, household=OuterRef("pk"), status=Visit.Status.CONFLICT
    )
    households = list(
        worklist(user=user, campaign=campaign)
        .annotate(has_conflict=Exists(unresolved))
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
    )
    statuses = _worklist_statuses(households, campaign)
    order = {Relation.HEAD: 0, Relation.SPOUSE: 1}
    rows = []
    for h in households:
        members = sorted(h.current, key=lambda m: order.get(m.relation, 2))
        head = next((m.person for m in members if m.relation == Relation.HEAD), None)
        rows.append(
            WorklistRow(
                household=h,
                head=head,
                members=members,
                status=statuses.get(h.pk, NOT_VISITED),
                is_new=timezone.localdate(h.created_at) > campaign.opened_on,
            )
        )
    counts = {s: sum(1 for r in rows if r.status == s) for s in WORKLIST_STATUSES}
    result = Worklist(
        rows=rows, total=len(rows), done=len(rows) - counts[NOT_VISITED], counts=counts
    )
    if status in WORKLIST_STATUSES:
        rows = [r for r in rows if r.status == status]
    if text.strip():
        rows = [r for r in rows if r.matches(text.strip())]
    if sort == "address":
        rows.sort(key=lambda r: _address_key(r.household))
    elif sort == "status":
        rows.sort(key=lambda r: (_STATUS_ORDER[r.status], _address_key(r.household)))
    elif sort == "name":
        rows.sort(key=lambda r: (not r.head, _thai_key(r.head_name), r.household.code))
    result.rows = rows
    return result


def worklist_progress(*, user, campaign: Campaign) -> tuple[int, int]:
    """(households visited, households in the worklist) for the volunteer: one query."""
    visited = list(worklist(user=user, campaign=campaign).values_list("visited", flat=True))
    return sum(visited), len(visited)


@dataclass
class WorklistProgress:
    campaign: Campaign
    done: int
    total: int

    @property
    def left(self) -> int:
        return self.total - self.done


def volunteer_campaigns(*, user) -> list[WorklistProgress]:
    """Each open campaign the user is assigned to, with their worklist's visits done."""
    assigned = CampaignAssignment.objects.filter(volunteer=user, campaign__is_open=True)
    campaigns = Campaign.objects.filter(pk__in=assigned.values("campaign")).order_by(
        "-opened_on", "-id"
    )
    return [WorklistProgress(c, *worklist_progress(user=user, campaign=c)) for c in campaigns]


def household_visit_campaigns(*, user, household: Household) -> list[Campaign]:
    """Open campaigns in which `user` is assigned the household's community (its worklist)."""
    assigned = CampaignAssignment.objects.filter(
        volunteer=user, community=household.community_id, campaign__is_open=True
    )
    return list(
        Campaign.objects.filter(pk__in=assigned.values("campaign")).order_by("-opened_on", "-id")
    )


@dataclass
class ErrorRow:
    """One area's verification figures, from the reviewed status of each household."""

    key: str
    label: str
    households_visited: int
    people_verified: int
    inclusion: Proportion  # คนจนไม่จริง among listed households with a reviewed status
    excluded_found: int  # คนจนตกหล่น found: non-listed households reviewed as poor
    listed_poor: int
    awaiting_review: int
    not_checked: int  # outcome poor / not poor, but no complete assessed survey
    not_found: int
    moved_or_died: int


def error_report(*, user, campaign: Campaign, by: str = "district") -> list[ErrorRow]:
    """Inclusion errors (คนจนไม่จริง) with 95% Wilson intervals and the exclusion errors
    (คนจนตกหล่น) found, per district or community, from each household's reviewed status.

    The latest visit of each household counts once. A visit counts only once its outcome is
    settled: the survey agrees, or a reviewer decided. The share of exclusion errors is not a
    rate over the households someone happened to visit: see `exclusion_estimate`."""
    checks = verification.campaign_checks(user=user, campaign=campaign)
    people = dict(
        Membership.objects.filter(
            household__in=[c.visit.household_id for c in checks], end_date__isnull=True
        )
        .values_list("household")
        .annotate(n=Count("id"))
    )
    groups: dict[str, dict] = {}
    for check in checks:
        visit = check.visit
        community = visit.household.community
        if by == "community":
            key, label = community.code, community.name
        else:
            district = community.subdistrict.district
            key, label = district.code, district.name
        status = check.reviewed_status
        for k, lbl in ((key, label), ("*", "")):
            g = groups.setdefault(k, defaultdict(int, label=lbl))
            g["visited"] += 1
            g["people"] += people.get(visit.household_id, 0)
            g[visit.outcome] += 1
            g["awaiting"] += check.awaiting_review
            g["unchecked"] += check.state == verification.UNCHECKED
            if status and visit.on_target_list:
                g["listed"] += 1
                g["listed_not_poor"] += status == SurveyStatus.NOT_POOR
            elif status == SurveyStatus.POOR:
                g["excluded"] += 1
    rows = []
    for key, g in sorted(groups.items(), key=lambda kv: (kv[0] == "*", kv[0])):
        rows.append(
            ErrorRow(
                key=key,
                label=g["label"],
                households_visited=g["visited"],
                people_verified=g["people"],
                inclusion=wilson(g["listed_not_poor"], g["listed"]),
                excluded_found=g["excluded"],
                listed_poor=g["listed"] - g["listed_not_poor"],
                awaiting_review=g["awaiting"],
                not_checked=g["unchecked"],
                not_found=g[Outcome.NOT_FOUND],
                moved_or_died=g[Outcome.MOVED] + g[Outcome.DIED],
            )
        )
    return rows


@dataclass
class ExclusionEstimate:
    """คนจนตกหล่น estimated from the campaign's random sample of non-listed households."""

    sample: ExclusionSample
    frame: int  # non-listed households in the frame, inside the user's area
    drawn: int  # sampled households inside the user's area
    verified: int  # of which have a reviewed status
    share: Estimate  # share of non-listed households that are poor, Wilson + FPC
    listed_poor: int  # listed households reviewed as poor (treated as known)
    missing: tuple[float, float, float] | None  # poor households missing: N·p̂ (low, high)
    share_of_poor: tuple[float, float, float] | None  # missing ÷ (missing + listed poor)

    @property
    def not_verified(self) -> int:
        return self.drawn - self.verified


def exclusion_estimate(*, user, campaign: Campaign) -> ExclusionEstimate | None:
    """The exclusion error from the drawn sample, in the user's area; None before a draw.

    Sampled households without a reviewed status (not visited, not found, awaiting review,
    survey incomplete) are left out as non-response, assumed ignorable."""
    sample = ExclusionSample.objects.filter(campaign=campaign).first()
    if sample is None:
        return None
    area = scope_for(user).area(MANAGE_TARGETING)
    drawn = set(
        ExclusionSampleHousehold.objects.filter(
            area.q("household__community"), sample=sample
        ).values_list("household_id", flat=True)
    )
    communities = Community.objects.filter(
        area.community_q(), pk__in=[int(c) for c in sample.frame_counts]
    ).values_list("pk", flat=True)
    frame = sum(sample.frame_counts[str(c)] for c in communities)
    checks = verification.campaign_checks(user=user, campaign=campaign)
    statuses = [c.reviewed_status for c in checks if c.visit.household_id in drawn]
    settled = [s for s in statuses if s is not None]
    share = wilson_fpc(settled.count(SurveyStatus.POOR), len(settled), frame)
    listed_poor = sum(
        1 for c in checks if c.visit.on_target_list and c.reviewed_status == SurveyStatus.POOR
    )
    missing, share_of_poor = share.in_frame, None
    if missing is not None:
        share_of_poor = tuple(m / (m + listed_poor) if m + listed_poor else 0.0 for m in missing)
    return ExclusionEstimate(
        sample=sample,
        frame=frame,
        drawn=len(drawn),
        verified=len(settled),
        share=share,
        listed_poor=listed_poor,
        missing=missing,
        share_of_poor=share_of_poor,
    )


def exclusion_frame(*, campaign: Campaign) -> list[tuple[int, int]]:
    """(household id, community id) of every household in the campaign's communities that
    is not on its target list, in id order: the frame the sample is drawn from."""
    communities = campaign.assignments.values("community")
    households = Household.objects.filter(community__in=communities)
    if campaign.target_list_id:
        listed = TargetRecord.objects.filter(
            target_list=campaign.target_list_id,
            person__memberships__household=OuterRef("pk"),
            person__memberships__end_date__isnull=True,
        )
        households = households.exclude(Exists(listed))
    return list(households.order_by("pk").values_list("pk", "community_id"))


def sample_plan(*, campaign: Campaign) -> dict[str, int] | None:
    """Before the draw: the frame's size and the sample size its target width asks for."""
    if ExclusionSample.objects.filter(campaign=campaign).exists():
        return None
    frame = len(exclusion_frame(campaign=campaign))
    return {"frame": frame, "size": sample_size(width=campaign.sample_width, frame=frame)}


def campaign_progress(*, user, campaign: Campaign) -> dict[str, int]:
    """The figures the pilot reported: communities, households and people verified."""
    area = scope_for(user).area(MANAGE_TARGETING)
    assignments = CampaignAssignment.objects.filter(area.q("community"), campaign=campaign)
    visits = Visit.objects.filter(area.q("household__community"), campaign=campaign)
    households = visits.values("household").distinct()
    return {
        "communities_assigned": assignments.values("community").distinct().count(),
        "communities_visited": visits.values("household__community").distinct().count(),
        "households_verified": households.count(),
        "people_verified": Membership.objects.filter(
            household__in=households, end_date__isnull=True
        ).count(),
        "conflicts": visits.filter(status=Visit.Status.CONFLICT).count(),
    }


def campaign_visits(*, user, campaign: Campaign) -> QuerySet[Visit]:
    """Every visit of the campaign to households in the user's managed area, newest first."""
    area = scope_for(user).area(MANAGE_TARGETING)
    return (
        Visit.objects.filter(area.q("household__community"), campaign=campaign)
        .select_related("household__community", "volunteer")
        .order_by("-visited_on", "-id")
    )


@dataclass
class CommunityReviewCounts:
    """One community's verification figures by the rule of `error_report` and
    `exclusion_estimate`, for aggregates summed over communities (the dashboards)."""

    listed_reviewed: int = 0  # listed households with a reviewed status
    listed_not_poor: int = 0  # of which reviewed not poor (คนจนไม่จริง)
    excluded_found: int = 0  # non-listed households reviewed as poor (คนจนตกหล่นที่พบ)
    awaiting_review: int = 0
    not_checked: int = 0
    sample_frame: int = 0  # the community's households in its sample's frame
    sample_drawn: int = 0  # of which drawn (by the household's community now)
    sample_verified: int = 0  # drawn households with a reviewed status
    sample_poor: int = 0  # of which reviewed as poor


class _VisitRow(NamedTuple):
    pk: int
    household_id: int
    community_id: int
    survey_id: int | None
    outcome: str
    on_target_list: bool


class _AssessmentRow(NamedTuple):
    pk: int
    survey_id: int
    poverty_status: str  # as `Assessment.poverty_status` gives it


class _ReviewRow(NamedTuple):
    decision: str


def _latest_checks(visits: QuerySet[Visit]) -> Iterator[tuple[_VisitRow, verification.VisitCheck]]:
    """(visit, check) for the latest visit of each household among `visits` (conflicts left
    out, as `verification.latest_visits` picks it), compared as `verification.visit_checks`
    compares them, on plain rows rather than model instances (a city's visits in seconds)."""
    kept = visits.exclude(status=Visit.Status.CONFLICT)
    latest: dict[int, _VisitRow] = {}
    rows = kept.order_by("household_id", "-visited_on", "-id").values_list(
        "id", "household_id", "household__community_id", "survey_id", "outcome", "on_target_list"
    )
    # Plain fetches, not server-side cursors: a cursor's plan for the first rows reads every
    # visit in household order, even for one community.
    for row in rows:
        if row[1] not in latest:
            latest[row[1]] = _VisitRow(*row)
    by_household: dict[int, list[_AssessmentRow]] = defaultdict(list)
    assessments = (
        Assessment.objects.filter(household_id__in=kept.values("household_id"))
        .order_by("household_id", "-computed_at", "-round_name")
        .values_list("household_id", "pk", "survey_id", "status", "is_poor")
    )
    for household_id, pk, survey_id, status, is_poor in assessments:
        status = status or (SurveyStatus.POOR if is_poor else SurveyStatus.NOT_POOR)
        by_household[household_id].append(_AssessmentRow(pk, survey_id, status))
    reviews = {
        (visit, assessment): _ReviewRow(decision)
        for visit, assessment, decision in VerificationReview.objects.filter(
            visit__in=kept.values("pk")
        )
        .order_by("decided_at")
        .values_list("visit_id", "assessment_id", "decision")
    }
    for visit in latest.values():
        assessment = verification._pick(by_household.get(visit.household_id, []), visit)
        review = reviews.get((visit.pk, assessment.pk)) if assessment else None
        status = verification.assessment_status(assessment)
        yield visit, verification.VisitCheck(visit, status, assessment, review)


def review_counts_by_community(
    *, community_id: int | None = None
) -> dict[int, CommunityReviewCounts]:
    """Per community (or only `community_id`), unscoped: each household's reviewed status
    from its latest visit over every campaign, counted as `error_report` counts it; and the
    exclusion sample's figures, as `exclusion_estimate` counts them, from the latest drawn
    sample whose frame holds the community (statuses from that sample's campaign).

    For system jobs that apply their own scope afterwards (the dashboards' refresh); pages
    use `error_report` and `exclusion_estimate`."""
    counts: dict[int, CommunityReviewCounts] = defaultdict(CommunityReviewCounts)
    visits = Visit.objects.all()
    if community_id is not None:
        visits = visits.filter(household__community_id=community_id)
    for visit, check in _latest_checks(visits):
        c = counts[visit.community_id]
        status = check.reviewed_status
        c.awaiting_review += check.awaiting_review
        c.not_checked += check.state == verification.UNCHECKED
        if status and visit.on_target_list:
            c.listed_reviewed += 1
            c.listed_not_poor += status == SurveyStatus.NOT_POOR
        elif status == SurveyStatus.POOR:
            c.excluded_found += 1
    latest_sample: dict[int, ExclusionSample] = {}
    for sample in ExclusionSample.objects.order_by("drawn_at", "pk"):
        for key in sample.frame_counts:
            if community_id is None or int(key) == community_id:
                latest_sample[int(key)] = sample
    by_sample: dict[int, list[int]] = defaultdict(list)
    for community, sample in latest_sample.items():
        counts[community].sample_frame = sample.frame_counts[str(community)]
        by_sample[sample.pk].append(community)
    for sample_pk, communities in by_sample.items():
        sample = next(s for s in latest_sample.values() if s.pk == sample_pk)
        drawn = ExclusionSampleHousehold.objects.filter(
            sample=sample, household__community__in=communities
        )
        for community in drawn.values_list("household__community", flat=True):
            counts[community].sample_drawn += 1
        sampled_visits = Visit.objects.filter(
            campaign=sample.campaign_id, household__in=drawn.values("household")
        )
        for visit, check in _latest_checks(sampled_visits):
            if check.reviewed_status is not None:
                c = counts[visit.community_id]
                c.sample_verified += 1
                c.sample_poor += check.reviewed_status == SurveyStatus.POOR
    return dict(counts)


# Home page counts ----------------------------------------------------------------------------


def review_queue_count(*, user) -> int:
    """Pairs waiting in the user's linkage review queue."""
    return review_queue(user=user).count()


def verification_waiting(*, user) -> list[tuple[Campaign, int]]:
    """Open campaigns of the user's area with visits that disagree with the assessed survey
    and wait for a decision, and how many each."""
    waiting = []
    for campaign in campaign_list(user=user).filter(is_open=True).order_by("-opened_on", "-id"):
        count = len(verification.review_queue(user=user, campaign=campaign))
        if count:
            waiting.append((campaign, count))
    return waiting
