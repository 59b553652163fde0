"""Reads for corrections and the fund, scoped by the reader's capabilities, and the fund
ledger (totals and the running balance)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum

from ppaos.accounts.scope import (
    EDIT_PEOPLE,
    MANAGE_FUND,
    REVIEW_CORRECTIONS,
    VIEW_PEOPLE,
    scope_for,
)
from ppaos.areas.models import Community
from ppaos.community.models import (
    Correction,
    CorrectionStatus,
    Decision,
    Expenditure,
    FundYear,
    Proposal,
)

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


@dataclass
class LedgerRow:
    expenditure: Expenditure
    balance: Decimal


@dataclass
class ProposalLine:
    proposal: Proposal
    decision: Decision | None
    spent: Decimal

    @property
    def left(self) -> Decimal:
        if self.decision is None or not self.decision.approved:
            return Decimal(0)
        return self.decision.approved_amount - self.spent


@dataclass
class Ledger:
    fund_year: FundYear
    approved: Decimal
    spent: Decimal
    proposals: list[ProposalLine] = field(default_factory=list)
    rows: list[LedgerRow] = field(default_factory=list)

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
        fund_year.proposals.select_related("decision").prefetch_related(
            Prefetch("expenditures", queryset=Expenditure.objects.order_by("spent_on", "id"))
        )
    )
    lines = []
    for proposal in proposals:
        # A missing reverse one-to-one raises an AttributeError subclass: getattr gives None.
        decision = getattr(proposal, "decision", None)
        spent = sum((e.amount for e in proposal.expenditures.all()), Decimal(0))
        lines.append(ProposalLine(proposal, decision, spent))
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
    spent = fund_year.budget - balance
    return Ledger(fund_year, approved, spent, lines, rows)


def fund_years_public(*, community: Community) -> list[Ledger]:
    """Every fund year of the community, newest first, as ledgers (for the public page)."""
    return [fund_ledger(fund_year=y) for y in community.fund_years.order_by("-year_be")]
