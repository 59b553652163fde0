"""The community fund: fiscal years, proposals, decisions, and the cash ledger's expenditures
(district procurement is in `procurement`). Each checks its rules, saves inside a transaction
and writes the audit row; callers have checked the scope."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.community.models import (
    Decision,
    Expenditure,
    FundYear,
    Proposal,
    ProposalStatus,
)
from ppaos.community.programme import FundMode, fiscal_year_bounds
from ppaos.community.selectors import fund_rule
from ppaos.lib.thaidate import format_be_numeric
from ppaos.lib.versioning import save_versioned

CENT = Decimal("0.01")
MAX_RECEIPT = 5 * 1024 * 1024
RECEIPT_TYPES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


# Community fund ------------------------------------------------------------------------------


def default_budget(*, community: Community | None = None) -> Decimal:
    """The yearly budget of a new fund year: the community's province rule, else
    PPAOS_COMMUNITY_FUND_BUDGET."""
    if community is not None:
        return fund_rule(province_code=community.subdistrict_id[:2]).budget
    return money(settings.COMMUNITY_FUND_BUDGET, "budget")


def baht(value: Decimal) -> str:
    return number_format(value, decimal_pos=2, force_grouping=True)


def money(value: Any, field: str, *, positive: bool = True) -> Decimal:
    """An amount in baht to two places, or a ValidationError on `field`."""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("Enter an amount in baht, e.g. 1500 or 1500.50.")}
        ) from None
    if amount < 0 or (positive and amount == 0):
        raise ValidationError({field: _("The amount must be more than 0 baht.")})
    return amount


def fund_year_locked(fund_year: FundYear) -> FundYear:
    """The fund year, locked until the end of the transaction: two recorders cannot both spend
    the last of the budget."""
    return FundYear.objects.select_for_update().get(pk=fund_year.pk)


def _approved_total(fund_year: FundYear, *, exclude: Proposal | None = None) -> Decimal:
    decisions = Decision.objects.filter(proposal__fund_year=fund_year, approved=True)
    if exclude is not None:
        decisions = decisions.exclude(proposal=exclude)
    return decisions.aggregate(s=Sum("approved_amount"))["s"] or Decimal(0)


def _spent(**filters) -> Decimal:
    return Expenditure.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def fund_year_open(
    *, actor, community: Community, year_be: int, budget: Decimal | None = None
) -> FundYear:
    """Open the community's fund for a fiscal year (B.E.; 2569 runs 1 Oct 2025 – 30 Sep 2026),
    in the mode and with the budget of its province's rule unless a budget is given. The mode
    is copied: a later change of the rule leaves this year as it is."""
    if not 2500 <= int(year_be) <= 2700:
        raise ValidationError(
            {"year_be": _("Give the fiscal year in the Buddhist era, e.g. 2569.")}
        )
    rule = fund_rule(province_code=community.subdistrict_id[:2])
    amount = rule.budget if budget is None else money(budget, "budget", positive=False)
    if FundYear.objects.filter(community=community, year_be=year_be).exists():
        raise ValidationError({"year_be": _("This year's fund is already open.")})
    with transaction.atomic():
        fund_year = FundYear.objects.create(
            community=community, year_be=year_be, budget=amount, mode=rule.mode, created_by=actor
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=fund_year,
            changes={"budget": [None, str(amount)], "mode": [None, rule.mode]},
        )
    return fund_year


def fund_year_set_budget(
    *, actor, fund_year: FundYear, expected_version: int, budget: Decimal
) -> FundYear:
    """Change a year's budget; never below what the community has already approved."""
    amount = money(budget, "budget", positive=False)
    with transaction.atomic():
        locked = fund_year_locked(fund_year)
        before = locked.budget
        save_versioned(
            FundYear,
            pk=locked.pk,
            expected_version=expected_version,
            changes={"budget": amount},
            message=_("Someone changed this budget meanwhile. Reload the page."),
        )
        approved = _approved_total(locked)
        if amount < approved:
            raise ValidationError(
                {
                    "budget": _(
                        "The budget cannot be less than the %(approved)s baht already approved."
                    )
                    % {"approved": baht(approved)}
                }
            )
        locked.refresh_from_db()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=locked,
            changes={"budget": [str(before), str(amount)]},
        )
    return locked


def proposal_create(
    *,
    actor,
    fund_year: FundYear,
    title: str,
    purpose: str,
    amount_requested: Decimal,
    proposer_name: str,
) -> Proposal:
    """A project put to the community for funding."""
    amount = money(amount_requested, "amount_requested")
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the proposal a title.")
    if not (purpose or "").strip():
        errors["purpose"] = _("Say what the money is for.")
    if not (proposer_name or "").strip():
        errors["proposer_name"] = _("Say who proposes it.")
    if amount > fund_year.budget:
        errors["amount_requested"] = _(
            "The request is more than the year's whole budget (%(budget)s baht)."
        ) % {"budget": baht(fund_year.budget)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            fund_year=fund_year,
            title=title.strip(),
            purpose=purpose.strip(),
            amount_requested=amount,
            proposer_name=proposer_name.strip(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=proposal,
            changes={"amount_requested": [None, str(amount)]},
        )
    return proposal


def decision_record(
    *,
    actor,
    proposal: Proposal,
    meeting_date: dt.date,
    attendance: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int = 0,
    approved_amount: Decimal | None = None,
    minutes_note: str = "",
) -> Decision:
    """The community meeting's decision. More votes for than against approves it; the approved
    amount may not exceed the request or what is left of the year's budget."""
    errors = {}
    today = timezone.localdate()
    if meeting_date > today:
        errors["meeting_date"] = _("The meeting date %(date)s is in the future.") % {
            "date": format_be_numeric(meeting_date)
        }
    numbers = (attendance, votes_for, votes_against, votes_abstain)
    if any(n is None or n < 0 for n in numbers):
        errors["attendance"] = _("Counts of people and votes cannot be negative.")
    elif attendance == 0:
        errors["attendance"] = _("Say how many people attended the meeting.")
    elif votes_for + votes_against + votes_abstain > attendance:
        errors["votes_for"] = _(
            "%(votes)s votes were counted but only %(attendance)s people attended."
        ) % {"votes": votes_for + votes_against + votes_abstain, "attendance": attendance}
    approved = votes_for > votes_against
    amount = Decimal(0)
    if approved:
        amount = money(
            approved_amount if approved_amount is not None else proposal.amount_requested,
            "approved_amount",
        )
        if amount > proposal.amount_requested:
            errors["approved_amount"] = _(
                "The approved amount is more than the %(requested)s baht requested."
            ) % {"requested": baht(proposal.amount_requested)}
    elif approved_amount:
        errors["approved_amount"] = _(
            "The votes do not approve the proposal, so no amount can be approved."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fund_year = fund_year_locked(proposal.fund_year)
        if Decision.objects.filter(proposal=proposal).exists():
            raise ValidationError(_("This proposal already has the community's decision."))
        left = fund_year.budget - _approved_total(fund_year)
        if approved and amount > left:
            raise ValidationError(
                {
                    "approved_amount": _(
                        "Only %(left)s baht of the %(budget)s baht budget is not yet approved "
                        "for other proposals."
                    )
                    % {"left": baht(left), "budget": baht(fund_year.budget)}
                }
            )
        decision = Decision.objects.create(
            proposal=proposal,
            meeting_date=meeting_date,
            attendance=attendance,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            approved=approved,
            approved_amount=amount,
            minutes_note=(minutes_note or "").strip(),
            recorded_by=actor,
        )
        proposal.status = ProposalStatus.APPROVED if approved else ProposalStatus.REJECTED
        proposal.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=decision,
            changes={
                "attendance": [None, attendance],
                "votes_for": [None, votes_for],
                "votes_against": [None, votes_against],
                "votes_abstain": [None, votes_abstain],
                "approved_amount": [None, str(amount)],
            },
        )
    return decision


def receipt_check(upload) -> None:
    """A receipt is a PDF, JPEG or PNG file of at most 5 MB whose content is what its name says."""
    if upload is None:
        raise ValidationError({"receipt": _("Attach the receipt (a photo or a PDF).")})
    name = (upload.name or "").lower()
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in RECEIPT_TYPES:
        raise ValidationError({"receipt": _("Use a .pdf, .jpg or .png file for the receipt.")})
    if upload.size > MAX_RECEIPT:
        raise ValidationError({"receipt": _("The receipt is larger than 5 MB.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(RECEIPT_TYPES[suffix]):
        raise ValidationError({"receipt": _("The file is not the PDF or image its name says.")})
    if suffix != "pdf":
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                {"receipt": _("The file is not the PDF or image its name says.")}
            ) from None
        finally:
            upload.seek(0)


def expenditure_record(
    *,
    actor,
    proposal: Proposal,
    spent_on: dt.date,
    amount: Decimal,
    payee: str,
    description: str,
    receipt,
) -> Expenditure:
    """Money paid for an approved proposal of a cash-ledger fund, within its fiscal year.
    Refused if it would take the proposal past its approved amount or the year past its budget,
    and in a fund run by district procurement (the community pays no cash there)."""
    if proposal.fund_year.mode != FundMode.CASH:
        raise ValidationError(
            _("The district office buys this fund's items: the community pays no cash.")
        )
    value = money(amount, "amount")
    errors = {}
    first, last = fiscal_year_bounds(proposal.fund_year.year_be)
    decision = Decision.objects.filter(proposal=proposal).first()
    if decision is None or not decision.approved:
        raise ValidationError(_("Only an approved proposal can be spent on."))
    if spent_on > timezone.localdate():
        errors["spent_on"] = _("The date paid %(date)s is in the future.") % {
            "date": format_be_numeric(spent_on)
        }
    elif spent_on < decision.meeting_date:
        errors["spent_on"] = _(
            "The date paid is before the meeting of %(date)s that approved the money."
        ) % {"date": format_be_numeric(decision.meeting_date)}
    elif not first <= spent_on <= last:
        errors["spent_on"] = _(
            "The payment must fall within fiscal year %(year)s (%(first)s – %(last)s)."
        ) % {
            "year": proposal.fund_year.year_be,
            "first": format_be_numeric(first),
            "last": format_be_numeric(last),
        }
    if not (payee or "").strip():
        errors["payee"] = _("Say who was paid.")
    if not (description or "").strip():
        errors["description"] = _("Say what the money paid for.")
    if errors:
        raise ValidationError(errors)
    receipt_check(receipt)
    with transaction.atomic():
        fund_year = fund_year_locked(proposal.fund_year)
        spent_here = _spent(proposal=proposal)
        if spent_here + value > decision.approved_amount:
            raise ValidationError(
                {
                    "amount": _(
                        "Overspending refused: %(left)s baht of the %(approved)s baht approved "
                        "for this proposal is left."
                    )
                    % {
                        "left": baht(decision.approved_amount - spent_here),
                        "approved": baht(decision.approved_amount),
                    }
                }
            )
        spent_year = _spent(proposal__fund_year=fund_year)
        if spent_year + value > fund_year.budget:
            raise ValidationError(
                {
                    "amount": _(
                        "Overspending refused: %(left)s baht of this year's budget is left."
                    )
                    % {"left": baht(fund_year.budget - spent_year)}
                }
            )
        expenditure = Expenditure(
            proposal=proposal,
            spent_on=spent_on,
            amount=value,
            payee=payee.strip(),
            description=description.strip(),
            recorded_by=actor,
            uid=get_random_string(24),
        )
        expenditure.receipt.save(receipt.name, receipt, save=False)
        expenditure.save()
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=expenditure,
            changes={"amount": [None, str(value)], "proposal": [None, proposal.pk]},
        )
    return expenditure
