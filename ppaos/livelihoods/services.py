"""Writes for programmes, enrolments and income records: validated, versioned, audited."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.livelihoods.models import (
    Enrolment,
    EnrolmentStatus,
    IncomeRecord,
    IncomeSource,
    Partner,
    Programme,
    Stage,
)
from ppaos.registry.models import Person
from ppaos.registry.services import _diff, _save_versioned

MAX_MONTHLY_INCOME = Decimal("10000000")


# Programmes (configuration, not personal data) ---------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor,
    code: str,
    name_th: str,
    kind: str,
    start_date: dt.date,
    communities,
    name_en: str = "",
    description: str = "",
    stages: list[tuple[str, str]] = (),
    is_demo: bool = False,
) -> Programme:
    """A programme over `communities`, with its value-chain stages in order."""
    programme = Programme(
        code=code,
        name_th=name_th,
        name_en=name_en,
        kind=kind,
        description=description,
        start_date=start_date,
        is_demo=is_demo,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    programme.full_clean()
    programme.save()
    programme.communities.set(communities)
    for position, (th, en) in enumerate(stages, start=1):
        Stage.objects.create(programme=programme, position=position, name_th=th, name_en=en)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=programme,
        changes={"communities": [None, sorted(c.pk for c in programme.communities.all())]},
    )
    return programme


def partner_add(
    *, actor, programme: Programme, kind: str, name: str, stage: Stage | None = None, note=""
) -> Partner:
    """Add a buyer, trainer, lender ... to a programme."""
    if stage is not None and stage.programme_id != programme.pk:
        raise ValidationError({"stage": _("This stage belongs to another programme.")})
    partner = Partner(programme=programme, kind=kind, name=name, stage=stage, note=note)
    partner.full_clean()
    with transaction.atomic():
        partner.save()
        audit_record(actor=actor, action=Action.CREATE, obj=partner)
    return partner


# Enrolments -----------------------------------------------------------------------------------


def enrolment_create(
    *,
    actor,
    programme: Programme,
    person: Person,
    stage: Stage | None = None,
    start_date: dt.date | None = None,
    is_demo: bool = False,
) -> Enrolment:
    """Enrol a current household member in a programme working in their community.

    The caller has checked that the actor may edit the person's household."""
    membership = person.memberships.filter(end_date__isnull=True).select_related("household")
    membership = membership.first()
    if membership is None:
        raise ValidationError(_("Only a current household member can be enrolled."))
    household = membership.household
    if not programme.communities.filter(pk=household.community_id).exists():
        raise ValidationError(_("This programme does not work in the person's community."))
    if stage is not None and stage.programme_id != programme.pk:
        raise ValidationError({"stage": _("This stage belongs to another programme.")})
    start = start_date or timezone.localdate()
    if start < programme.start_date:
        raise ValidationError({"start_date": _("The programme had not started on that date.")})
    if programme.enrolments.filter(person=person, status=EnrolmentStatus.ACTIVE).exists():
        raise ValidationError(_("This person is already enrolled in the programme."))
    with transaction.atomic():
        enrolment = Enrolment(
            programme=programme,
            person=person,
            household=household,
            stage=stage,
            start_date=start,
            created_by=actor,
            updated_by=actor,
            is_demo=is_demo,
        )
        try:
            with transaction.atomic():
                enrolment.save()
        except IntegrityError:  # a concurrent enrolment of the same person
            raise ValidationError(_("This person is already enrolled in the programme.")) from None
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=enrolment,
            label=f"{person.full_name} · {programme.code}",
            changes={
                "programme": [None, programme.code],
                "household": [None, household.code],
                "stage": [None, stage.name_th if stage else None],
            },
        )
    return enrolment


# Income records -------------------------------------------------------------------------------


def _income_values(data: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    round_name = (data.get("round_name") or "").strip()
    if not round_name:
        errors["round_name"] = _("Give the survey round, e.g. 2568-2.")
    try:
        amount = Decimal(str(data.get("monthly_income")))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= MAX_MONTHLY_INCOME:
        errors["monthly_income"] = _("Give the monthly income in baht (0 or more).")
    source = data.get("source") or IncomeSource.OTHER
    if source not in IncomeSource.values:
        errors["source"] = _("Choose a source from the list.")
    if errors:
        raise ValidationError(errors)
    return {
        "round_name": round_name,
        "monthly_income": amount.quantize(Decimal("0.01")),
        "source": source,
    }


def income_record(
    *, actor, enrolment: Enrolment, data: dict[str, Any], is_demo: bool = False
) -> IncomeRecord:
    """Record an enrolled member's monthly income for a round (one record per round)."""
    values = _income_values(data)
    if enrolment.incomes.filter(round_name=values["round_name"]).exists():
        raise ValidationError(
            {"round_name": _("Income for this round is already recorded: edit it instead.")}
        )
    with transaction.atomic():
        record = IncomeRecord(
            enrolment=enrolment, created_by=actor, updated_by=actor, is_demo=is_demo, **values
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            raise ValidationError(
                {"round_name": _("Income for this round is already recorded: edit it instead.")}
            ) from None
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=record,
            label=f"{enrolment.person.full_name} · {values['round_name']}",
            changes=_diff({}, values),
        )
    return record


def income_update(
    *, actor, record: IncomeRecord, expected_version: int, data: dict[str, Any]
) -> IncomeRecord:
    """Change an income record. Raises registry StaleEditError if someone saved first."""
    values = _income_values({"round_name": record.round_name, **data})
    values.pop("round_name")
    with transaction.atomic():
        before = {k: getattr(record, k) for k in values}
        record.version = _save_versioned(
            record, expected_version=expected_version, values=values, actor=actor
        )
        for name, value in values.items():
            setattr(record, name, value)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=record,
            label=f"{record.enrolment.person.full_name} · {record.round_name}",
            changes=_diff(before, values),
        )
    return record
