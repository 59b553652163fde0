"""Reads for targeting, scoped like everything else."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.areas.models import Community
from ppaos.lib.stats import Proportion, wilson
from ppaos.registry.models import Household, Membership
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


def _latest_checks(
    visits: QuerySet[Visit], *, batch: int = 2000
) -> Iterator[tuple[Visit, verification.VisitCheck]]:
    """(visit, check) for the latest visit of each household among `visits` (conflicts left
    out, as `verification.latest_visits` picks it), compared in batches of households."""
    rows = (
        visits.exclude(status=Visit.Status.CONFLICT)
        .select_related("household")
        .only(
            "id", "household_id", "survey_id", "outcome", "on_target_list", "household__community"
        )
        .order_by("household_id", "-visited_on", "-id")
    )
    pending: list[Visit] = []
    last = None
    for visit in rows.iterator(chunk_size=batch):
        if visit.household_id == last:
            continue
        last = visit.household_id
        pending.append(visit)
        if len(pending) >= batch:
            yield from zip(pending, verification.visit_checks(pending), strict=True)
            pending = []
    if pending:
        yield from zip(pending, verification.visit_checks(pending), strict=True)


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
        c = counts[visit.household.community_id]
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
                c = counts[visit.household.community_id]
                c.sample_verified += 1
                c.sample_poor += check.reviewed_status == SurveyStatus.POOR
    return dict(counts)
