"""Reads for targeting, scoped like everything else."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.lib.stats import Proportion, wilson
from ppaos.registry.models import Household, Membership
from ppaos.targeting.models import (
    Campaign,
    CampaignAssignment,
    LinkCandidate,
    Outcome,
    TargetRecord,
    Visit,
)


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
    """A volunteer's households in a campaign: target-base households first, then the rest."""
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
    return (
        Household.objects.filter(area.q("community"), community__in=communities)
        .select_related("community")
        .annotate(
            on_list=Exists(on_list),
            visited=Exists(visited),
            member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True)),
        )
        .order_by("-on_list", "visited", "code")
    )


@dataclass
class ErrorRow:
    key: str
    label: str
    households_visited: int
    people_verified: int
    inclusion: Proportion
    exclusion: Proportion
    not_found: int
    moved_or_died: int


def _latest_visits(campaign: Campaign, user) -> QuerySet[Visit]:
    area = scope_for(user).area(MANAGE_TARGETING)
    return (
        Visit.objects.filter(area.q("household__community"), campaign=campaign)
        .exclude(status=Visit.Status.CONFLICT)
        .order_by("household_id", "-visited_on", "-id")
        .select_related("household__community__subdistrict__district")
    )


def error_report(*, user, campaign: Campaign, by: str = "district") -> list[ErrorRow]:
    """Inclusion and exclusion errors with 95% Wilson intervals, per district or community.

    Inclusion error: listed households found not poor, among listed households whose status
    was verified (confirmed poor + not poor). Exclusion error: poor households missing from
    the list, among all verified poor households (confirmed + newly found)."""
    groups: dict[str, dict] = {}
    seen: set[int] = set()
    visits = list(_latest_visits(campaign, user))
    people = dict(
        Membership.objects.filter(
            household__in=[v.household_id for v in visits], end_date__isnull=True
        )
        .values_list("household")
        .annotate(n=Count("id"))
    )
    for visit in visits:
        if visit.household_id in seen:
            continue
        seen.add(visit.household_id)
        community = visit.household.community
        if by == "community":
            key, label = community.code, community.name
        else:
            district = community.subdistrict.district
            key, label = district.code, district.name
        for k, lbl in ((key, label), ("*", "")):
            g = groups.setdefault(
                k, {"label": lbl, "visited": 0, "people": 0, **{o: 0 for o in Outcome.values}}
            )
            g["visited"] += 1
            g["people"] += people.get(visit.household_id, 0)
            g[visit.outcome] += 1
            if visit.on_target_list:
                g["listed_" + visit.outcome] = g.get("listed_" + visit.outcome, 0) + 1
    rows = []
    for key, g in sorted(groups.items(), key=lambda kv: (kv[0] == "*", kv[0])):
        listed_poor = g.get("listed_" + Outcome.CONFIRMED_POOR, 0)
        listed_not_poor = g.get("listed_" + Outcome.NOT_POOR, 0)
        listed = listed_poor + listed_not_poor
        poor = listed_poor + g[Outcome.NEWLY_FOUND_POOR]
        rows.append(
            ErrorRow(
                key=key,
                label=g["label"],
                households_visited=g["visited"],
                people_verified=g["people"],
                inclusion=wilson(listed_not_poor, listed),
                exclusion=wilson(g[Outcome.NEWLY_FOUND_POOR], poor),
                not_found=g[Outcome.NOT_FOUND],
                moved_or_died=g[Outcome.MOVED] + g[Outcome.DIED],
            )
        )
    return rows


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
