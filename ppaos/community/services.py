"""Writes for the community app: corrections (propose, accept through the registry services,
reject) and the community fund (fiscal years, proposals, decisions, and the cash ledger's
expenditures; district procurement is in `procurement`). Each checks its rules, saves inside a
transaction and writes the audit row; callers have checked the scope."""

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

from ppaos.accounts.models import User
from ppaos.accounts.scope import LEAD_COMMUNITY, roles_with
from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.community import correctable
from ppaos.community.models import (
    Correction,
    CorrectionEvent,
    CorrectionKind,
    CorrectionNotice,
    CorrectionStatus,
    Decision,
    Expenditure,
    FundYear,
    Proposal,
    ProposalStatus,
)
from ppaos.community.programme import FundMode, fiscal_year_bounds
from ppaos.community.selectors import fund_rule
from ppaos.lib.thaidate import format_be_numeric
from ppaos.lib.versioning import StaleEditError, save_versioned
from ppaos.registry import services as registry
from ppaos.registry.models import Household, Membership, Person, Relation

CENT = Decimal("0.01")
MAX_RECEIPT = 5 * 1024 * 1024
RECEIPT_TYPES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


class CorrectionConflict(Exception):
    """The record changed after the correction was proposed; nothing was applied."""

    def __init__(self, correction: Correction, current: Household | Person):
        self.correction = correction
        self.current = current
        super().__init__(f"{correction} conflicts with version {current.version}")


# Corrections ---------------------------------------------------------------------------------


def _event(correction: Correction, *, actor, kind: str, note: str = "", **data) -> None:
    CorrectionEvent.objects.create(
        correction=correction, actor=actor, kind=kind, note=note, data=data
    )


def _check_proposed(target: Household | Person, name: str, value: Any) -> None:
    """Refuse a value the registry would refuse, before anyone reviews it."""
    if isinstance(target, Person):
        data = {k: getattr(target, k) for k in registry.PERSON_FIELDS} | {name: value}
        registry.person_clean(data, person_id=target.pk)
        return
    probe = Household.objects.get(pk=target.pk)
    setattr(probe, name, value)
    probe.full_clean(exclude=["code", "community"], validate_unique=False)


def correction_propose(
    *,
    actor,
    household: Household,
    person: Person | None = None,
    field: str,
    value: Any,
    reason: str,
) -> Correction:
    """Propose changing one field of `household` (or of its current member `person`)."""
    target = person or household
    if field not in correctable.fields_for(target):
        raise ValidationError({"field": _("This field cannot be corrected here.")})
    if (
        person is not None
        and not person.memberships.filter(household=household, end_date__isnull=True).exists()
    ):
        raise ValidationError(_("This person no longer lives in this household."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the record is wrong.")})
    current = getattr(target, field)
    if correctable.to_json(value) == correctable.to_json(current) or (
        value in (None, "") and current in (None, "")
    ):
        raise ValidationError({"value": _("The proposed value is the same as the record.")})
    pending = Correction.objects.filter(
        household=household, person=person, field=field, status=CorrectionStatus.PENDING
    )
    if pending.exists():
        raise ValidationError(
            _("A correction of this field is already waiting for review: %(number)s.")
            % {"number": pending.first().number}
        )
    _check_proposed(target, field, value)
    with transaction.atomic():
        correction = Correction.objects.create(
            community=household.community,
            household=household,
            person=person,
            field=field,
            old_value=correctable.to_json(current),
            old_display=correctable.display(target, field, current)[:300],
            proposed_value=correctable.to_json(value),
            proposed_display=correctable.display(target, field, value)[:300],
            reason=reason.strip(),
            base_version=target.version,
            proposed_by=actor,
        )
        _event(
            correction,
            actor=actor,
            kind=CorrectionEvent.Kind.PROPOSED,
            note=correction.reason,
            version=target.version,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=correction,
            label=f"{correction.number} · {household.code} · {field}",
            changes={field: [correction.old_value, correction.proposed_value]},
        )
    return correction


def _claim(correction: Correction, expected_version: int) -> None:
    """Take the correction for this review, or refuse if someone reviewed it meanwhile."""
    correction.version = save_versioned(
        Correction,
        pk=correction.pk,
        expected_version=expected_version,
        changes={},
        where={"status": CorrectionStatus.PENDING},
        message=_("Someone has reviewed this correction meanwhile. Reload it."),
    )


def _reviewable(correction: Correction, actor) -> None:
    if not correction.is_pending:
        raise ValidationError(_("This correction has already been reviewed."))
    if correction.proposed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the proposer must review a correction."))


def correction_accept(
    *,
    actor,
    correction: Correction,
    expected_version: int,
    record_version: int | None = None,
    note: str = "",
) -> Correction:
    """Apply the proposed value through the registry services.

    The record must still be at the version the proposer saw (`base_version`), or at
    `record_version` when the reviewer has seen the conflict and confirms against the record as
    it is now. Otherwise CorrectionConflict is raised, the conflict is kept in the history and
    nothing is applied."""
    _reviewable(correction, actor)
    if correction.is_event:
        return _event_accept(
            actor=actor, correction=correction, expected_version=expected_version, note=note
        )
    version = record_version if record_version is not None else correction.base_version
    try:
        with transaction.atomic():
            _claim(correction, expected_version)
            if version != correction.base_version:
                # The reviewer saw the conflict and applies over the record as it is now.
                target = correction.person if correction.person_id else correction.household
                _event(
                    correction,
                    actor=actor,
                    kind=CorrectionEvent.Kind.CONFLICT,
                    note=_("Applied over the record as it is now."),
                    version=version,
                    value=correctable.to_json(getattr(target, correction.field)),
                )
            if correction.person_id:
                person = Person.objects.get(pk=correction.person_id)
                value = correctable.from_json(person, correction.field, correction.proposed_value)
                data = {k: getattr(person, k) for k in registry.PERSON_FIELDS}
                data[correction.field] = value
                updated = registry.person_update(
                    actor=actor, person=person, expected_version=version, data=data
                )
            else:
                household = Household.objects.get(pk=correction.household_id)
                value = correctable.from_json(
                    household, correction.field, correction.proposed_value
                )
                updated = registry.household_update(
                    actor=actor,
                    household=household,
                    expected_version=version,
                    data={correction.field: value},
                )
            now = timezone.now()
            Correction.objects.filter(pk=correction.pk).update(
                status=CorrectionStatus.ACCEPTED,
                reviewed_by=actor,
                reviewed_at=now,
                review_note=note.strip(),
                applied_version=updated.version,
            )
            correction.refresh_from_db()
            _event(
                correction,
                actor=actor,
                kind=CorrectionEvent.Kind.ACCEPTED,
                note=note.strip(),
                version=updated.version,
            )
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                obj=correction,
                label=correction.label,
                changes={"status": [CorrectionStatus.PENDING, CorrectionStatus.ACCEPTED]},
            )
            _notify_decided(correction)
    except StaleEditError as error:
        if isinstance(error.current, Correction):
            raise  # reviewed by someone else meanwhile (_claim): not a conflict of the record
        # The claim above was rolled back with the rest: the correction stays pending.
        correction.refresh_from_db()
        current_value = getattr(error.current, correction.field)
        _event(
            correction,
            actor=actor,
            kind=CorrectionEvent.Kind.CONFLICT,
            version=error.current.version,
            value=correctable.to_json(current_value),
        )
        raise CorrectionConflict(correction, error.current) from None
    return correction


def correction_reject(*, actor, correction: Correction, expected_version: int, note: str):
    """Refuse the correction; the reason is kept and shown to the proposer."""
    _reviewable(correction, actor)
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the correction is rejected.")})
    with transaction.atomic():
        _claim(correction, expected_version)
        correction.status = CorrectionStatus.REJECTED
        correction.reviewed_by = actor
        correction.reviewed_at = timezone.now()
        correction.review_note = note.strip()
        correction.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        _event(correction, actor=actor, kind=CorrectionEvent.Kind.REJECTED, note=note.strip())
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=correction,
            label=correction.label,
            changes={"status": [CorrectionStatus.PENDING, CorrectionStatus.REJECTED]},
        )
        _notify_decided(correction)
    return correction


# Life events ---------------------------------------------------------------------------------

# What a new household's proposal holds (values as on the registry's own forms).
NEW_HOUSEHOLD_FIELDS = ("house_no", "moo", "village", "soi", "road", "postal_code")
NEW_HEAD_FIELDS = ("prefix", "first_name", "last_name", "sex", "birth_date")
# The registry's reasons for leaving a household (registry.forms.LeaveForm).
END_REASONS = {CorrectionKind.DEATH: "died", CorrectionKind.MOVED_OUT: "moved"}


def _notify_decided(correction: Correction) -> None:
    """Tell the proposer and the community's leaders (in the app) that it was decided."""
    leaders = User.objects.filter(
        is_active=True,
        role_assignments__role__in=roles_with(LEAD_COMMUNITY),
        role_assignments__community_id=correction.community_id,
    ).values_list("pk", flat=True)
    recipients = {correction.proposed_by_id, *leaders} - {correction.reviewed_by_id}
    CorrectionNotice.objects.bulk_create(
        [CorrectionNotice(recipient_id=pk, correction=correction) for pk in sorted(recipients)],
        ignore_conflicts=True,
    )


def notices_mark_read(*, user, correction: Correction | None = None) -> int:
    """Mark the user's unread notices as read (of one correction, or all of them)."""
    notices = CorrectionNotice.objects.filter(recipient=user, read_at__isnull=True)
    if correction is not None:
        notices = notices.filter(correction=correction)
    return notices.update(read_at=timezone.now())


def _event_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say how you know (who told you, what you saw).")})
    return reason.strip()


def _event_create(*, actor, community: Community, label: str, **values) -> Correction:
    with transaction.atomic():
        correction = Correction.objects.create(
            community=community, proposed_by=actor, base_version=0, **values
        )
        _event(correction, actor=actor, kind=CorrectionEvent.Kind.PROPOSED, note=correction.reason)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=correction,
            label=correction.label,
            changes={"event": [None, correction.kind], "what": [None, label]},
        )
    return correction


def life_event_propose(
    *, actor, household: Household, person: Person, kind: str, date: dt.date, reason: str
) -> Correction:
    """Report that a current member died or moved out; a reviewer's acceptance ends the
    membership through the registry (`registry.services.membership_end`)."""
    if kind not in END_REASONS:
        raise ValidationError(_("Unknown life event."))
    reason = _event_reason(reason)
    membership = person.memberships.filter(household=household, end_date__isnull=True).first()
    if membership is None:
        raise ValidationError(_("This person no longer lives in this household."))
    if date is None or date > timezone.localdate():
        raise ValidationError({"date": _("Give a date that is not in the future.")})
    if date < membership.start_date:
        raise ValidationError({"date": _("A stay cannot end before it started.")})
    pending = Correction.objects.filter(
        person=person, kind__in=list(END_REASONS), status=CorrectionStatus.PENDING
    ).first()
    if pending is not None:
        raise ValidationError(
            _("A report about this person is already waiting for review: %(number)s.")
            % {"number": pending.number}
        )
    name = f"{person.first_name} {person.last_name}".strip()
    return _event_create(
        actor=actor,
        community=household.community,
        label=name,
        kind=kind,
        household=household,
        person=person,
        event_date=date,
        reason=reason,
        old_display=str(Relation(membership.relation).label)[:300],
        proposed_display=f"{CorrectionKind(kind).label}: {name}"[:300],
        proposed_value={"date": date.isoformat()},
    )


def new_household_propose(
    *, actor, community: Community, household_data: dict, head_data: dict, reason: str
) -> Correction:
    """Report a household that is not in the registry, with its head's details; a reviewer's
    acceptance registers both (`household_create`, `person_add_to_household`)."""
    reason = _event_reason(reason)
    household_values = {k: household_data.get(k) or "" for k in NEW_HOUSEHOLD_FIELDS}
    head_values = {k: head_data.get(k) for k in NEW_HEAD_FIELDS}
    for key in ("prefix", "first_name", "last_name", "sex"):
        head_values[key] = head_values[key] or ""
    probe = Household(
        community=community, subdistrict_id=community.subdistrict_id, **household_values
    )
    probe.full_clean(
        exclude=["code", "community", "created_by", "updated_by"], validate_unique=False
    )
    registry.person_clean(head_values)
    name = f"{head_values['first_name']} {head_values['last_name']}".strip()
    address = " ".join(v for v in household_values.values() if v)
    facts = [
        correctable.display(Person, k, head_values[k])
        for k in ("sex", "birth_date")
        if head_values.get(k)
    ]
    if facts:
        name = f"{name} ({', '.join(facts)})"
    return _event_create(
        actor=actor,
        community=community,
        label=name,
        kind=CorrectionKind.NEW_HOUSEHOLD,
        reason=reason,
        proposed_display=f"{address} · {name}"[:300],
        proposed_value={
            "household": household_values,
            "head": {k: correctable.to_json(v) for k, v in head_values.items()},
        },
    )


def _event_apply(*, actor, correction: Correction) -> None:
    """Apply an accepted life event through the registry services."""
    if correction.kind == CorrectionKind.NEW_HOUSEHOLD:
        data = correction.proposed_value or {}
        head = {k: correctable.from_json(Person, k, v) for k, v in (data.get("head") or {}).items()}
        household = registry.household_create(
            actor=actor, community=correction.community, data=data.get("household") or {}
        )
        person = registry.person_add_to_household(
            actor=actor, household=household, data=head, relation=Relation.HEAD
        )
        correction.household, correction.person = household, person
        correction.applied_version = household.version
        return
    membership = (
        Membership.objects.select_for_update()
        .filter(
            household_id=correction.household_id,
            person_id=correction.person_id,
            end_date__isnull=True,
        )
        .first()
    )
    if membership is None:
        raise ValidationError(_("This person no longer lives in this household."))
    registry.membership_end(
        actor=actor,
        membership=membership,
        end_date=correction.event_date,
        reason=END_REASONS[correction.kind],
    )


def _event_accept(*, actor, correction: Correction, expected_version: int, note: str):
    with transaction.atomic():
        _claim(correction, expected_version)
        _event_apply(actor=actor, correction=correction)
        correction.status = CorrectionStatus.ACCEPTED
        correction.reviewed_by = actor
        correction.reviewed_at = timezone.now()
        correction.review_note = note.strip()
        correction.save(
            update_fields=[
                "status",
                "reviewed_by",
                "reviewed_at",
                "review_note",
                "household",
                "person",
                "applied_version",
            ]
        )
        _event(correction, actor=actor, kind=CorrectionEvent.Kind.ACCEPTED, note=note.strip())
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=correction,
            label=correction.label,
            changes={"status": [CorrectionStatus.PENDING, CorrectionStatus.ACCEPTED]},
        )
        _notify_decided(correction)
    return correction


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
                "votes": [None, f"{votes_for}/{votes_against}/{votes_abstain} of {attendance}"],
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
