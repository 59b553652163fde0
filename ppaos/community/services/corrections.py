"""Corrections and life events: propose, accept through the registry services, reject.
Each checks its rules, saves inside a transaction and writes the audit row; callers have
checked the scope."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
)
from ppaos.lib.i18n import Deferred
from ppaos.lib.versioning import StaleEditError, save_versioned
from ppaos.registry import services as registry
from ppaos.registry.models import Household, Membership, Person, Relation


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
            label=Deferred(
                gettext_noop("%(number)s · %(household)s · %(field)s"),
                number=correction.number,
                household=household.code,
                field=Deferred.of_label(correctable.model_field(target, field).verbose_name),
            ),
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
        fields = ["status", "reviewed_by", "reviewed_at", "review_note"]
        if correction.kind == CorrectionKind.NEW_HOUSEHOLD:
            fields += _forget_reported_head(correction)
        correction.save(update_fields=fields)
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
# Shown instead of the head's name once a new-household report is rejected.
HEAD_REMOVED = "—"
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


def _forget_reported_head(correction: Correction) -> list[str]:
    """A rejected new-household report keeps its address but not the head it named: that
    person never entered the registry, so no erasure could ever reach a copy kept here (PDPA
    s.22, collect no more than the purpose needs). Returns the fields changed."""
    data = dict(correction.proposed_value or {})
    data["head"] = None
    correction.proposed_value = data
    address = " ".join(v for v in (data.get("household") or {}).values() if v)
    correction.proposed_display = f"{address} · {HEAD_REMOVED}"[:300]
    return ["proposed_value", "proposed_display"]


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
