"""Writes for a fund run by district procurement (the Bangkok way), and for the per-province
rule that says how a province runs its funds.

The steps of an approved proposal, each by its own side (see `selectors.acts_for_*`):

1. request   — the community (its leader) asks the district office for the chosen items;
2. purchase  — the district office records how and for how much it bought them;
3. delivery  — the district office records handing them over;
4. receipt   — the community confirms what arrived (all of it, or with a note of what is
   missing).

Each step checks who acts, takes the row at the version the actor saw (optimistic locking:
a stale page is refused), keeps a `ProcurementEvent` and writes the audit row, in one
transaction. Sources and unconfirmed points: `ppaos.community.programme`."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.scope import REVIEW_CORRECTIONS, scope_for
from ppaos.areas.models import Province
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.community.models import (
    Decision,
    FundProvinceRule,
    Procurement,
    ProcurementEvent,
    ProcurementStatus,
    Proposal,
)
from ppaos.community.programme import FundMode, ProcurementMethod, fiscal_year_bounds
from ppaos.community.selectors import acts_for_community, acts_for_district
from ppaos.community.services import baht, fund_year_locked, money
from ppaos.lib.thaidate import format_be_numeric
from ppaos.lib.versioning import save_versioned


def _label(procurement: Procurement) -> str:
    return f"{procurement.number} · {procurement.proposal.fund_year} · {procurement.proposal}"


def _not_future(day: dt.date, field: str, errors: dict) -> None:
    if day > timezone.localdate():
        errors[field] = _("The date %(date)s is in the future.") % {"date": format_be_numeric(day)}


def _not_before(day: dt.date, earlier: dt.date, field: str, errors: dict) -> None:
    if day < earlier:
        errors.setdefault(
            field,
            _("The date is before the previous step, on %(date)s.")
            % {"date": format_be_numeric(earlier)},
        )


def _advance(
    procurement: Procurement,
    *,
    actor,
    expected_version: int,
    before: str,
    after: str,
    values: dict[str, Any],
    note: str = "",
) -> Procurement:
    """Move the procurement from `before` to `after` with `values`, if nobody else moved it
    since the actor saw it at `expected_version`; keep the step and audit it."""
    with transaction.atomic():
        save_versioned(
            Procurement,
            pk=procurement.pk,
            expected_version=expected_version,
            changes={**values, "status": after},
            where={"status": before},
            message=_("Someone else has changed this request meanwhile. Reload the page."),
        )
        procurement.refresh_from_db()
        data = {k: _plain(v) for k, v in values.items() if not k.endswith("_by")}
        ProcurementEvent.objects.create(
            procurement=procurement, actor=actor, kind=after, note=note, data=data
        )
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=procurement,
            label=_label(procurement),
            changes={"status": [before, after]} | {k: [None, v] for k, v in data.items()},
        )
    return procurement


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def procurement_request(
    *,
    actor,
    proposal: Proposal,
    items: str,
    amount_requested: Decimal,
    requested_on: dt.date,
) -> Procurement:
    """The community asks its district office to buy the items of an approved proposal, up
    to the amount its meeting approved."""
    fund_year = proposal.fund_year
    community = fund_year.community
    if not acts_for_community(user=actor, community=community):
        raise PermissionDenied("Only the community itself requests its items.")
    if fund_year.mode != FundMode.PROCUREMENT:
        raise ValidationError(_("This fund is a cash ledger: record expenditures instead."))
    decision = Decision.objects.filter(proposal=proposal).first()
    if decision is None or not decision.approved:
        raise ValidationError(_("Only a proposal the community approved can be requested."))
    amount = money(amount_requested, "amount_requested")
    errors: dict[str, str] = {}
    if not (items or "").strip():
        errors["items"] = _("List the items and how many of each.")
    if amount > decision.approved_amount:
        errors["amount_requested"] = _(
            "The request is more than the %(approved)s baht the community approved."
        ) % {"approved": baht(decision.approved_amount)}
    _not_future(requested_on, "requested_on", errors)
    _not_before(requested_on, decision.meeting_date, "requested_on", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fund_year_locked(fund_year)
        if Procurement.objects.filter(proposal=proposal).exists():
            raise ValidationError(_("The items of this proposal have already been requested."))
        procurement = Procurement.objects.create(
            proposal=proposal,
            items=items.strip(),
            amount_requested=amount,
            requested_on=requested_on,
            requested_by=actor,
        )
        ProcurementEvent.objects.create(
            procurement=procurement,
            actor=actor,
            kind=ProcurementStatus.REQUESTED,
            data={"amount_requested": str(amount), "requested_on": requested_on.isoformat()},
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=procurement,
            label=_label(procurement),
            changes={"amount_requested": [None, str(amount)], "proposal": [None, proposal.pk]},
        )
    return procurement


def procurement_purchase(
    *,
    actor,
    procurement: Procurement,
    expected_version: int,
    procured_on: dt.date,
    method: str,
    amount: Decimal,
    reference: str = "",
    supplier: str = "",
) -> Procurement:
    """The district office records the purchase: when (within the fiscal year), how, from
    whom, for how much (at most what the community approved, and within the year's budget)."""
    proposal = procurement.proposal
    fund_year = proposal.fund_year
    if not acts_for_district(user=actor, community=fund_year.community):
        raise PermissionDenied("Only the district office records its purchases.")
    value = money(amount, "amount")
    errors: dict[str, str] = {}
    if method not in ProcurementMethod.values:
        errors["method"] = _("Choose how the items were bought.")
    if not (supplier or "").strip():
        errors["supplier"] = _("Say who supplied the items.")
    first, last = fiscal_year_bounds(fund_year.year_be)
    if not first <= procured_on <= last:
        errors["procured_on"] = _(
            "The purchase must fall within fiscal year %(year)s (%(first)s – %(last)s)."
        ) % {
            "year": fund_year.year_be,
            "first": format_be_numeric(first),
            "last": format_be_numeric(last),
        }
    _not_future(procured_on, "procured_on", errors)
    _not_before(procured_on, procurement.requested_on, "procured_on", errors)
    approved = proposal.decision.approved_amount
    if value > approved:
        errors["amount"] = _(
            "Overspending refused: the community approved %(approved)s baht for these items."
        ) % {"approved": baht(approved)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = fund_year_locked(fund_year)
        used = Procurement.objects.filter(
            proposal__fund_year=locked, amount__isnull=False
        ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        if used + value > locked.budget:
            raise ValidationError(
                {
                    "amount": _(
                        "Overspending refused: %(left)s baht of this year's budget is left."
                    )
                    % {"left": baht(locked.budget - used)}
                }
            )
        return _advance(
            procurement,
            actor=actor,
            expected_version=expected_version,
            before=ProcurementStatus.REQUESTED,
            after=ProcurementStatus.PROCURED,
            values={
                "procured_on": procured_on,
                "method": method,
                "amount": value,
                "reference": (reference or "").strip(),
                "supplier": supplier.strip(),
                "procured_by": actor,
            },
        )


def procurement_deliver(
    *,
    actor,
    procurement: Procurement,
    expected_version: int,
    delivered_on: dt.date,
    delivery_note: str,
) -> Procurement:
    """The district office records handing the items over to the community."""
    if not acts_for_district(user=actor, community=procurement.proposal.fund_year.community):
        raise PermissionDenied("Only the district office records its deliveries.")
    errors: dict[str, str] = {}
    if not (delivery_note or "").strip():
        errors["delivery_note"] = _("Say what was handed over.")
    _not_future(delivered_on, "delivered_on", errors)
    if procurement.procured_on:
        _not_before(delivered_on, procurement.procured_on, "delivered_on", errors)
    if errors:
        raise ValidationError(errors)
    return _advance(
        procurement,
        actor=actor,
        expected_version=expected_version,
        before=ProcurementStatus.PROCURED,
        after=ProcurementStatus.DELIVERED,
        values={
            "delivered_on": delivered_on,
            "delivery_note": delivery_note.strip(),
            "delivered_by": actor,
        },
    )


def procurement_confirm(
    *,
    actor,
    procurement: Procurement,
    expected_version: int,
    received_on: dt.date,
    complete: bool,
    note: str = "",
) -> Procurement:
    """The community confirms what it received. Anything missing or damaged needs a note,
    which stays on the record (and the public page says the receipt had problems)."""
    if not acts_for_community(user=actor, community=procurement.proposal.fund_year.community):
        raise PermissionDenied("Only the community itself confirms what it received.")
    errors: dict[str, str] = {}
    if not complete and not (note or "").strip():
        errors["note"] = _("Say what is missing or damaged.")
    _not_future(received_on, "received_on", errors)
    if procurement.delivered_on:
        _not_before(received_on, procurement.delivered_on, "received_on", errors)
    if errors:
        raise ValidationError(errors)
    return _advance(
        procurement,
        actor=actor,
        expected_version=expected_version,
        before=ProcurementStatus.DELIVERED,
        after=ProcurementStatus.RECEIVED,
        values={
            "received_on": received_on,
            "received_complete": bool(complete),
            "receipt_note": (note or "").strip(),
            "received_by": actor,
        },
        note=(note or "").strip(),
    )


def fund_rule_set(
    *,
    actor,
    province: Province,
    mode: str,
    budget: Decimal | None = None,
    source: str = "",
    expected_version: int | None = None,
) -> FundProvinceRule:
    """Set how a province runs its community funds (from the next fund year opened). Only
    someone whose district-office capability covers the whole province (the city) may."""
    if not scope_for(actor).area(REVIEW_CORRECTIONS).covers_whole(province.code):
        raise PermissionDenied("Only the province's coordinators set its fund rule.")
    if mode not in FundMode.values:
        raise ValidationError({"mode": _("Choose how the fund is used.")})
    amount = None if budget in (None, "") else money(budget, "budget")
    values = {"mode": mode, "budget": amount, "source": (source or "").strip()}
    with transaction.atomic():
        row = FundProvinceRule.objects.select_for_update().filter(province=province).first()
        if row is None:
            row = FundProvinceRule.objects.create(province=province, updated_by=actor, **values)
            audit_record(
                actor=actor,
                action=Action.CREATE,
                obj=row,
                changes={k: [None, _plain(v)] for k, v in values.items()},
            )
            return row
        before = {k: _plain(getattr(row, k)) for k in values}
        save_versioned(
            FundProvinceRule,
            pk=row.pk,
            expected_version=row.version if expected_version is None else expected_version,
            changes={**values, "updated_by": actor, "updated_at": timezone.now()},
            message=_("Someone changed this rule meanwhile. Reload the page."),
        )
        row.refresh_from_db()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=row,
            changes={
                k: [before[k], _plain(v)] for k, v in values.items() if before[k] != _plain(v)
            },
        )
    return row
