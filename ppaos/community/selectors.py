"""Reads for corrections and the fund, scoped by the reader's capabilities, who acts at each
step of a fund, the rule a province runs its funds by, and the fund ledger (totals, the running
balance, and in procurement mode what the district bought and delivered)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from ppaos.accounts.scope import (
    EDIT_PEOPLE,
    MANAGE_FUND,
    REVIEW_CORRECTIONS,
    VIEW_PEOPLE,
    scope_for,
)
from ppaos.areas.models import Community, Province
from ppaos.community.models import (
    Correction,
    CorrectionNotice,
    CorrectionStatus,
    Decision,
    Expenditure,
    FundProvinceRule,
    FundYear,
    Procurement,
    ProcurementStatus,
    Proposal,
)
from ppaos.community.programme import SOURCE_BMA, FundMode, default_mode

CORRECTION_RELATED = ("community", "household", "person", "proposed_by", "reviewed_by")


def corrections_visible(*, user) -> QuerySet[Correction]:
    """Corrections of communities whose people the user may see (leaders: their own)."""
    area = scope_for(user).area(VIEW_PEOPLE)
    return Correction.objects.filter(area.q("community")).select_related(*CORRECTION_RELATED)


def corrections_to_review(*, user) -> QuerySet[Correction]:
    """Pending corrections the user may decide on: in the area where they review and edit
    people, and not their own proposals."""
    scope = scope_for(user)
    return (
        Correction.objects.filter(
            scope.area(REVIEW_CORRECTIONS).q("community"),
            scope.area(EDIT_PEOPLE).q("community"),
            status=CorrectionStatus.PENDING,
        )
        .exclude(proposed_by=user)
        .select_related(*CORRECTION_RELATED)
        .order_by("proposed_at", "id")
    )


def can_review(*, user, correction: Correction) -> bool:
    scope = scope_for(user)
    return (
        correction.is_pending
        and correction.proposed_by_id != user.pk
        and scope.area(REVIEW_CORRECTIONS).contains_community(correction.community)
        and scope.area(EDIT_PEOPLE).contains_community(correction.community)
    )


def fund_communities(*, user) -> QuerySet[Community]:
    """Communities whose fund the user records (leaders: their own)."""
    area = scope_for(user).area(MANAGE_FUND)
    return Community.objects.filter(area.community_q()).select_related("subdistrict__district")


def fund_years_managed(*, user) -> QuerySet[FundYear]:
    area = scope_for(user).area(MANAGE_FUND)
    return FundYear.objects.filter(area.q("community")).select_related(
        "community__subdistrict__district"
    )


def proposals_managed(*, user) -> QuerySet[Proposal]:
    area = scope_for(user).area(MANAGE_FUND)
    return Proposal.objects.filter(area.q("fund_year__community")).select_related(
        "fund_year__community"
    )


def expenditures_managed(*, user) -> QuerySet[Expenditure]:
    area = scope_for(user).area(MANAGE_FUND)
    return Expenditure.objects.filter(area.q("proposal__fund_year__community")).select_related(
        "proposal__fund_year__community"
    )


def procurements_managed(*, user) -> QuerySet[Procurement]:
    area = scope_for(user).area(MANAGE_FUND)
    return Procurement.objects.filter(area.q("proposal__fund_year__community")).select_related(
        "proposal__fund_year__community__subdistrict__district"
    )


def procurements_waiting_for_district(*, user) -> QuerySet[Procurement]:
    """Requests and purchases in the user's district-office area that wait for the district
    (to buy, or to deliver), oldest first."""
    scope = scope_for(user)
    return (
        procurements_managed(user=user)
        .filter(
            scope.area(REVIEW_CORRECTIONS).q("proposal__fund_year__community"),
            status__in=[ProcurementStatus.REQUESTED, ProcurementStatus.PROCURED],
        )
        .order_by("requested_on", "id")
    )


def acts_for_community(*, user, community: Community) -> bool:
    """The community's own side of its fund (its leader): the fund capability granted for this
    community itself, not through a district or the city. Requests items, confirms receipt."""
    return community.pk in scope_for(user).area(MANAGE_FUND).community_ids


def acts_for_district(*, user, community: Community) -> bool:
    """The district office's side (district officers, and the city): the fund capability and
    the district-office review capability over the community. Sets budgets, buys and
    delivers."""
    scope = scope_for(user)
    return scope.area(MANAGE_FUND).contains_community(community) and scope.area(
        REVIEW_CORRECTIONS
    ).contains_community(community)


def fund_rule_provinces(*, user) -> list[Province]:
    """Provinces whose fund rule the user sets: those their district-office capability covers
    whole (the city's coordinators; never a single district's officer)."""
    area = scope_for(user).area(REVIEW_CORRECTIONS)
    if area.is_empty:
        return []
    return [p for p in Province.objects.order_by("code") if area.covers_whole(p.code)]


@dataclass
class FundRule:
    """How a province runs its community funds now."""

    province_code: str
    mode: str
    budget: Decimal
    source: str
    row: FundProvinceRule | None

    @property
    def mode_label(self) -> str:
        return FundMode(self.mode).label


def fund_rule(*, province_code: str) -> FundRule:
    """The province's configuration row, or the built-in default (Bangkok: procurement)."""
    row = FundProvinceRule.objects.filter(province_id=province_code).first()
    setting = Decimal(str(settings.COMMUNITY_FUND_BUDGET)).quantize(Decimal("0.01"))
    if row is not None:
        budget = row.budget if row.budget is not None else setting
        return FundRule(province_code, row.mode, budget, row.source, row)
    mode = default_mode(province_code)
    source = SOURCE_BMA if mode == FundMode.PROCUREMENT else ""
    return FundRule(province_code, mode, setting, source, None)


@dataclass
class LedgerRow:
    expenditure: Expenditure
    balance: Decimal


@dataclass
class ProposalLine:
    proposal: Proposal
    decision: Decision | None
    spent: Decimal
    procurement: Procurement | None = None

    @property
    def left(self) -> Decimal:
        if self.decision is None or not self.decision.approved:
            return Decimal(0)
        return self.decision.approved_amount - self.spent


@dataclass
class Ledger:
    """A fund year's money. `spent` is what is used of the budget: cash paid (cash mode) or the
    amounts of the district's purchases (procurement mode)."""

    fund_year: FundYear
    approved: Decimal
    spent: Decimal
    proposals: list[ProposalLine] = field(default_factory=list)
    rows: list[LedgerRow] = field(default_factory=list)
    delivered: Decimal = Decimal(0)

    @property
    def is_procurement(self) -> bool:
        return self.fund_year.is_procurement

    @property
    def budget(self) -> Decimal:
        return self.fund_year.budget

    @property
    def balance(self) -> Decimal:
        """Money not yet spent."""
        return self.budget - self.spent

    @property
    def unallocated(self) -> Decimal:
        """Money not yet approved for any proposal."""
        return self.budget - self.approved

    @property
    def spent_share(self) -> float:
        return float(100 * self.spent / self.budget) if self.budget else 0.0

    @property
    def approved_share(self) -> float:
        return float(100 * self.approved / self.budget) if self.budget else 0.0


def fund_ledger(*, fund_year: FundYear) -> Ledger:
    """The year's totals, each proposal with its decision and spending, and every expenditure
    in date order with the balance left after it."""
    proposals = list(
        fund_year.proposals.select_related("decision", "procurement").prefetch_related(
            Prefetch("expenditures", queryset=Expenditure.objects.order_by("spent_on", "id"))
        )
    )
    lines, delivered = [], Decimal(0)
    for proposal in proposals:
        # A missing reverse one-to-one raises an AttributeError subclass: getattr gives None.
        decision = getattr(proposal, "decision", None)
        procurement = getattr(proposal, "procurement", None)
        spent = sum((e.amount for e in proposal.expenditures.all()), Decimal(0))
        if procurement is not None and procurement.amount is not None:
            spent += procurement.amount
            if procurement.delivered_on is not None:
                delivered += procurement.amount
        lines.append(ProposalLine(proposal, decision, spent, procurement))
    approved = Decision.objects.filter(proposal__fund_year=fund_year, approved=True).aggregate(
        s=Sum("approved_amount")
    )["s"] or Decimal(0)
    expenditures = Expenditure.objects.filter(proposal__fund_year=fund_year).select_related(
        "proposal"
    )
    rows, balance = [], fund_year.budget
    for expenditure in expenditures.order_by("spent_on", "id"):
        balance -= expenditure.amount
        rows.append(LedgerRow(expenditure, balance))
    spent = sum((line.spent for line in lines), Decimal(0))
    return Ledger(fund_year, approved, spent, lines, rows, delivered)


def fund_years_public(*, community: Community) -> list[Ledger]:
    """Every fund year of the community, newest first, as ledgers (for the public page)."""
    return [fund_ledger(fund_year=y) for y in community.fund_years.order_by("-year_be")]


# Home page -----------------------------------------------------------------------------------


def corrections_to_review_count(*, user) -> int:
    return corrections_to_review(user=user).count()


def corrections_decided_recent(*, user, days: int = 30) -> QuerySet[Correction]:
    """Corrections and life events of the user's visible communities decided in the last
    `days` days, newest first (a leader: their own community's)."""
    since = timezone.now() - dt.timedelta(days=days)
    return (
        corrections_visible(user=user)
        .exclude(status=CorrectionStatus.PENDING)
        .filter(reviewed_at__gte=since)
        .order_by("-reviewed_at", "-id")
    )


def unread_notices(*, user) -> QuerySet[CorrectionNotice]:
    """The user's notices of decided corrections not yet read."""
    return CorrectionNotice.objects.filter(recipient=user, read_at__isnull=True).select_related(
        "correction"
    )
