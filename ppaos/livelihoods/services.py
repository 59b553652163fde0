"""Writes for programmes, enrolments and income records: validated, versioned, audited."""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.scope import AreaSet
from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.actors import acting_user
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
from ppaos.registry.services import audit_changes, save_versioned

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
    within: AreaSet | None = None,
) -> Programme:
    """A programme over `communities`, with its value-chain stages in order.

    With `within` (the actor's managing area) every community must lie inside it."""
    communities = list(communities)
    _check_communities(communities, within=within, required=within is not None)
    programme = Programme(
        code=code,
        name_th=name_th,
        name_en=name_en,
        kind=kind,
        description=description,
        start_date=start_date,
        is_demo=is_demo,
        created_by=acting_user(actor),
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


def _check_communities(communities, *, within: AreaSet | None, required: bool) -> None:
    if required and not communities:
        raise ValidationError({"communities": _("Choose at least one community.")})
    if within is not None and any(not within.contains_community(c) for c in communities):
        raise ValidationError(
            {"communities": _("You can only attach communities within your area.")}
        )


PROGRAMME_FIELDS = ("name_th", "name_en", "kind", "description", "start_date")


@transaction.atomic
def programme_update(
    *, actor, programme: Programme, data: dict[str, Any], communities, within: AreaSet
) -> Programme:
    """Change a programme's details and the communities (inside `within`) it covers.

    Communities outside the actor's area stay as they are: another office attached them."""
    chosen = list(communities)
    _check_communities(chosen, within=within, required=False)
    current = list(programme.communities.all())
    kept = [c for c in current if not within.contains_community(c)]
    new_set = {c.pk for c in kept} | {c.pk for c in chosen}
    if not new_set:
        raise ValidationError({"communities": _("Choose at least one community.")})
    removed = {c.pk for c in current} - new_set
    active = programme.enrolments.filter(status=EnrolmentStatus.ACTIVE)
    if removed and active.filter(household__community_id__in=removed).exists():
        raise ValidationError(
            {
                "communities": _(
                    "Members of a community you took off are still enrolled: end their "
                    "enrolments first."
                )
            }
        )
    values = {name: data[name] for name in PROGRAMME_FIELDS if name in data}
    before = {name: getattr(programme, name) for name in values}
    for name, value in values.items():
        setattr(programme, name, value)
    programme.full_clean()
    earliest = programme.enrolments.aggregate(first=Min("start_date"))["first"]
    if earliest is not None and programme.start_date > earliest:
        raise ValidationError(
            {"start_date": _("Members were enrolled before this date; choose an earlier one.")}
        )
    programme.save()
    old_set = {c.pk for c in current}
    changes = audit_changes(before, values)
    if new_set != old_set:
        programme.communities.set(Community.objects.filter(pk__in=new_set))
        changes["communities"] = [sorted(old_set), sorted(new_set)]
    audit_record(actor=actor, action=Action.UPDATE, obj=programme, changes=changes)
    return programme


def _renumber(programme: Programme, ordered: list[Stage]) -> None:
    """Give `ordered` positions 1..n without tripping the unique (programme, position)."""
    offset = 1000
    for index, stage in enumerate(ordered, start=1):
        Stage.objects.filter(pk=stage.pk).update(position=offset + index)
    for index, stage in enumerate(ordered, start=1):
        Stage.objects.filter(pk=stage.pk).update(position=index)
        stage.position = index


@transaction.atomic
def stage_add(
    *, actor, programme: Programme, name_th: str, name_en: str = "", position: int | None = None
) -> Stage:
    """Add a stage to the value chain, at `position` (1 = first) or at the end."""
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    stages = list(programme.stages.order_by("position"))
    stage = Stage(programme=programme, position=_free_position(stages), name_th=name_th)
    stage.name_en = name_en
    stage.full_clean(exclude=["position"])
    stage.save()
    index = len(stages) if position is None else max(0, min(position - 1, len(stages)))
    stages.insert(index, stage)
    _renumber(programme, stages)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=stage,
        changes={"position": [None, stage.position], "name_th": [None, name_th]},
    )
    return stage


def _free_position(stages: list[Stage]) -> int:
    """A free position past every existing one, used before renumbering."""
    return max((s.position for s in stages), default=0) + 2000


@transaction.atomic
def stage_update(*, actor, stage: Stage, name_th: str, name_en: str, position: int) -> Stage:
    """Rename a stage and move it to `position` (1 = first); the others close up."""
    Programme.objects.select_for_update().filter(pk=stage.programme_id).first()
    before = {"name_th": stage.name_th, "name_en": stage.name_en, "position": stage.position}
    stage.name_th, stage.name_en = name_th, name_en
    stage.full_clean(exclude=["position"])
    stage.save(update_fields=["name_th", "name_en"])
    others = list(stage.programme.stages.exclude(pk=stage.pk).order_by("position"))
    others.insert(max(0, min(position - 1, len(others))), stage)
    _renumber(stage.programme, others)
    after = {"name_th": stage.name_th, "name_en": stage.name_en, "position": stage.position}
    audit_record(actor=actor, action=Action.UPDATE, obj=stage, changes=audit_changes(before, after))
    return stage


def partner_add(
    *,
    actor,
    programme: Programme,
    kind: str,
    name: str,
    stage: Stage | None = None,
    note="",
    contact: str = "",
) -> Partner:
    """Add a buyer, trainer, lender ... to a programme."""
    if stage is not None and stage.programme_id != programme.pk:
        raise ValidationError({"stage": _("This stage belongs to another programme.")})
    partner = Partner(
        programme=programme, kind=kind, name=name, stage=stage, note=note, contact=contact
    )
    partner.full_clean()
    with transaction.atomic():
        partner.save()
        audit_record(actor=actor, action=Action.CREATE, obj=partner)
    return partner


PARTNER_FIELDS = ("kind", "name", "stage", "contact", "note")


def partner_update(*, actor, partner: Partner, data: dict[str, Any]) -> Partner:
    """Change a partner's kind, name, stage, contact or note."""
    stage = data.get("stage", partner.stage)
    if stage is not None and stage.programme_id != partner.programme_id:
        raise ValidationError({"stage": _("This stage belongs to another programme.")})
    values = {name: data[name] for name in PARTNER_FIELDS if name in data}
    before = {name: getattr(partner, name) for name in values}
    for name, value in values.items():
        setattr(partner, name, value)
    partner.full_clean()
    with transaction.atomic():
        partner.save()
        audit_record(
            actor=actor, action=Action.UPDATE, obj=partner, changes=audit_changes(before, values)
        )
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


def enrolment_update(
    *,
    actor,
    enrolment: Enrolment,
    expected_version: int,
    stage: Stage | None,
    status: str,
    end_date: dt.date | None,
) -> Enrolment:
    """Move an enrolment to another stage, or end it (completed, left) or reopen it.

    Raises StaleEditError (ppaos.lib.versioning) if someone saved the enrolment first."""
    errors = {}
    if stage is not None and stage.programme_id != enrolment.programme_id:
        errors["stage"] = _("This stage belongs to another programme.")
    if status not in EnrolmentStatus.values:
        errors["status"] = _("Choose a status from the list.")
    elif status == EnrolmentStatus.ACTIVE:
        if end_date is not None:
            errors["end_date"] = _("An active enrolment has no end date: leave it empty.")
    elif end_date is None:
        errors["end_date"] = _("Give the date the member completed or left.")
    if end_date is not None and "end_date" not in errors:
        if end_date < enrolment.start_date:
            errors["end_date"] = _("The end date is before the member was enrolled.")
        elif end_date > timezone.localdate():
            errors["end_date"] = _("The end date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    reopened = status == EnrolmentStatus.ACTIVE and enrolment.status != EnrolmentStatus.ACTIVE
    others = Enrolment.objects.filter(
        programme_id=enrolment.programme_id, person_id=enrolment.person_id, status="active"
    ).exclude(pk=enrolment.pk)
    if reopened and others.exists():
        raise ValidationError(_("This person is already enrolled in the programme."))
    values = {"stage": stage, "status": status, "end_date": end_date}
    before = {
        "stage": enrolment.stage.name_th if enrolment.stage else None,
        "status": enrolment.status,
        "end_date": enrolment.end_date,
    }
    after = {**values, "stage": stage.name_th if stage else None}
    with transaction.atomic():
        try:
            with transaction.atomic():
                enrolment.version = save_versioned(
                    enrolment, expected_version=expected_version, values=values, actor=actor
                )
        except IntegrityError:  # reopened while a concurrent enrolment became active
            raise ValidationError(_("This person is already enrolled in the programme.")) from None
        for name, value in values.items():
            setattr(enrolment, name, value)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=enrolment,
            label=f"{enrolment.person.full_name} · {enrolment.programme.code}",
            changes=audit_changes(before, after),
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
            changes=audit_changes({}, values),
        )
    return record


def income_update(
    *, actor, record: IncomeRecord, expected_version: int, data: dict[str, Any]
) -> IncomeRecord:
    """Change an income record. Raises StaleEditError if someone saved it first."""
    values = _income_values({"round_name": record.round_name, **data})
    values.pop("round_name")
    with transaction.atomic():
        before = {k: getattr(record, k) for k in values}
        record.version = save_versioned(
            record, expected_version=expected_version, values=values, actor=actor
        )
        for name, value in values.items():
            setattr(record, name, value)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=record,
            label=f"{record.enrolment.person.full_name} · {record.round_name}",
            changes=audit_changes(before, values),
        )
    return record
