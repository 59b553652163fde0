"""Referral cases: a state machine with optimistic locking. Every change is audited and
is also a timeline event."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.models import Organisation
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib import events
from ppaos.lib.actors import acting_user
from ppaos.lib.versioning import save_versioned
from ppaos.referrals import notifications
from ppaos.referrals.eligibility import evaluate_for_household
from ppaos.referrals.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Benefit,
    Notification,
    PlanIntervention,
    Referral,
    ReferralEvent,
    Service,
    Status,
)
from ppaos.referrals.services.benefits import benefit_record
from ppaos.referrals.services.routing import receiving_organisation
from ppaos.registry.models import Household, Membership, Person


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


# Referrals ----------------------------------------------------------------------------------


def due_date(*, service: Service, sent_on: dt.date) -> dt.date:
    """The service's response time counted in calendar days from the day it was sent."""
    return sent_on + dt.timedelta(days=service.sla_days)


def referral_event_add(
    referral, *, actor, kind, at, from_status="", to_status="", text="", organisation=None
):
    return ReferralEvent.objects.create(
        referral=referral,
        actor=acting_user(actor),
        kind=kind,
        at=at,
        from_status=from_status,
        to_status=to_status,
        organisation=organisation or referral.organisation,
        text=text,
    )


def referral_create(
    *,
    actor,
    household: Household,
    person: Person,
    service: Service,
    note: str = "",
    consent_given: bool = False,
    consent_by: str = "",
    intervention: PlanIntervention | None = None,
    at: dt.datetime | None = None,
    is_demo: bool = False,
) -> Referral:
    """A draft referral of `person` (a current member of `household`) to `service`.

    The eligibility reasons and expected amount in force now are kept with it, for the city
    side; the agency sees only the note."""
    at = _now(at)
    if not service.is_active:
        raise ValidationError(_("This service is no longer offered."))
    if not Membership.objects.filter(
        household=household, person=person, end_date__isnull=True
    ).exists():
        raise ValidationError(_("This person is not a current member of the household."))
    if Referral.objects.filter(
        person=person, service=service, status__in=(Status.DRAFT, *OPEN_STATUSES)
    ).exists():
        raise ValidationError(
            _("%(person)s already has an open referral to %(service)s.")
            % {"person": person.full_name, "service": service.name}
        )
    if intervention is not None and intervention.plan.household_id != household.pk:
        raise ValidationError(_("This intervention belongs to another household's plan."))
    organisation = receiving_organisation(service=service, household=household)
    evaluation = next(
        (
            e
            for e in evaluate_for_household(household=household, on=_local_date(at))
            if e.service.pk == service.pk and e.person.pk == person.pk and not e.error
        ),
        None,
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            household=household,
            person=person,
            service=service,
            organisation=organisation,
            intervention=intervention,
            note=note,
            reason=evaluation.summary if evaluation else "",
            expected_amount=evaluation.amount if evaluation else None,
            consent_given=consent_given,
            consent_by=consent_by if consent_given else "",
            consent_at=at if consent_given else None,
            created_by=actor,
            is_demo=is_demo,
        )
        Referral.objects.filter(pk=referral.pk).update(created_at=at)
        referral_event_add(
            referral, actor=actor, kind=ReferralEvent.Kind.CREATED, at=at, to_status="draft"
        )
        if intervention is not None:
            PlanIntervention.objects.filter(pk=intervention.pk).update(
                status=PlanIntervention.Status.REFERRED
            )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=referral,
            label=f"{referral.number} {household.code}",
            changes={"service": [None, service.code], "organisation": [None, organisation.pk]},
        )
    return referral


def _transition(
    referral: Referral,
    *,
    actor,
    action: str,
    to: str,
    values: dict[str, Any],
    event_kind: str,
    expected_version: int | None,
    at: dt.datetime,
    text: str = "",
    verb: str,
) -> Referral:
    """Move `referral` to `to` if `action` may start from its status (models.TRANSITIONS) and
    nobody changed it meanwhile."""
    if referral.status not in TRANSITIONS[action]:
        raise ValidationError(
            _("A referral that is %(status)s cannot be %(verb)s.")
            % {"status": referral.get_status_display().lower(), "verb": verb}
        )
    version = referral.version if expected_version is None else expected_version
    save_versioned(
        Referral,
        pk=referral.pk,
        expected_version=version,
        changes={**values, "status": to, "updated_at": at},
        where={"status": referral.status},
    )
    before = referral.status
    referral.refresh_from_db()
    referral_event_add(
        referral,
        actor=actor,
        kind=event_kind,
        at=at,
        from_status=before,
        to_status=to,
        text=text,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=referral,
        label=f"{referral.number} {referral.household.code}",
        changes={"status": [before, to]},
    )
    # Its community's referral figures changed (the dashboards listen: ppaos.lib.events).
    events.announce(events.COMMUNITY_FIGURES_CHANGED, community_id=referral.household.community_id)
    return referral


def referral_send(
    *,
    actor,
    referral: Referral,
    consent_given: bool | None = None,
    consent_by: str | None = None,
    override_reason: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """Send a draft to the agency. Needs the person's consent (who gave it) or a justified
    override, which is recorded on the timeline. The due date follows the service's SLA."""
    at = _now(at)
    given = referral.consent_given if consent_given is None else consent_given
    by = (referral.consent_by if consent_by is None else consent_by).strip()
    override_reason = override_reason.strip()
    if given and not by:
        raise ValidationError({"consent_by": _("Say who gave consent.")})
    if not given and not override_reason:
        raise ValidationError(
            {
                "consent_given": _(
                    "Record the person's consent to share their data with the agency, or give "
                    "the reason for sending without it."
                )
            }
        )
    values: dict[str, Any] = {
        "sent_at": at,
        "due_on": due_date(service=referral.service, sent_on=_local_date(at)),
        "consent_given": given,
        "consent_by": by if given else "",
        "consent_at": (referral.consent_at or at) if given else None,
        "consent_override_reason": "" if given else override_reason,
    }
    with transaction.atomic():
        referral = _transition(
            referral,
            actor=actor,
            action="send",
            to=Status.SENT,
            values=values,
            event_kind=ReferralEvent.Kind.SENT,
            expected_version=expected_version,
            at=at,
            verb=_("sent"),
        )
        if not given:
            referral_event_add(
                referral,
                actor=actor,
                kind=ReferralEvent.Kind.CONSENT_OVERRIDE,
                at=at,
                text=override_reason,
            )
        notices = notifications.notify(
            referral=referral,
            kind=Notification.Kind.NEW,
            key=f"org{referral.organisation_id}-v{referral.version}",
            recipients=notifications.agency_officers(referral.organisation_id),
        )
    notifications.send_emails(notices)
    return referral


def referral_accept(
    *, actor, referral: Referral, expected_version: int | None = None, at=None
) -> Referral:
    at = _now(at)
    with transaction.atomic():
        return _transition(
            referral,
            actor=actor,
            action="accept",
            to=Status.ACCEPTED,
            values={"accepted_at": at},
            event_kind=ReferralEvent.Kind.ACCEPTED,
            expected_version=expected_version,
            at=at,
            verb=_("accepted"),
        )


def referral_reject(
    *, actor, referral: Referral, reason: str, expected_version: int | None = None, at=None
) -> Referral:
    """The agency declines the case; the reason is required and goes back to the referrer."""
    at = _now(at)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting the referral.")})
    with transaction.atomic():
        referral = _transition(
            referral,
            actor=actor,
            action="reject",
            to=Status.REJECTED,
            values={"rejected_at": at, "rejection_reason": reason},
            event_kind=ReferralEvent.Kind.REJECTED,
            expected_version=expected_version,
            at=at,
            text=reason,
            verb=_("rejected"),
        )
        notices = notifications.notify(
            referral=referral,
            kind=Notification.Kind.REJECTED,
            key=f"v{referral.version}",
            recipients=notifications.city_side(referral),
        )
    notifications.send_emails(notices)
    return referral


def referral_start(
    *, actor, referral: Referral, expected_version: int | None = None, at=None
) -> Referral:
    at = _now(at)
    with transaction.atomic():
        return _transition(
            referral,
            actor=actor,
            action="start",
            to=Status.IN_PROGRESS,
            values={"started_at": at},
            event_kind=ReferralEvent.Kind.STARTED,
            expected_version=expected_version,
            at=at,
            verb=_("started"),
        )


def referral_complete(
    *,
    actor,
    referral: Referral,
    outcome: str,
    enrolled: bool = False,
    benefit_amount: Decimal | None = None,
    benefit_from: dt.date | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """The agency finishes the case with its outcome. `enrolled` records that the person now
    receives the service's benefit (from `benefit_from`), which counts as coverage gained."""
    at = _now(at)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Describe the outcome.")})
    if benefit_amount is not None and benefit_amount < 0:
        raise ValidationError({"benefit_amount": _("An amount cannot be negative.")})
    start = benefit_from or _local_date(at)
    with transaction.atomic():
        referral = _transition(
            referral,
            actor=actor,
            action="complete",
            to=Status.COMPLETED,
            values={
                "completed_at": at,
                "outcome": outcome,
                "benefit_amount": benefit_amount,
                "benefit_from": start if enrolled else None,
            },
            event_kind=ReferralEvent.Kind.COMPLETED,
            expected_version=expected_version,
            at=at,
            text=outcome,
            verb=_("completed"),
        )
        if enrolled:
            benefit_record(
                actor=actor,
                person=referral.person,
                service=referral.service,
                since=start,
                amount=benefit_amount,
                source=Benefit.Source.REFERRAL,
                referral=referral,
            )
        if referral.intervention_id:
            PlanIntervention.objects.filter(pk=referral.intervention_id).update(
                status=PlanIntervention.Status.DONE
            )
        notices = notifications.notify(
            referral=referral,
            kind=Notification.Kind.COMPLETED,
            key="completed",
            recipients=notifications.city_side(referral),
        )
    notifications.send_emails(notices)
    return referral


def referral_close(
    *, actor, referral: Referral, reason: str, expected_version: int | None = None, at=None
) -> Referral:
    """End a case without completing it (withdrawn, person moved or died, unreachable)."""
    at = _now(at)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing the referral.")})
    with transaction.atomic():
        return _transition(
            referral,
            actor=actor,
            action="close",
            to=Status.CLOSED,
            values={"closed_at": at, "close_reason": reason},
            event_kind=ReferralEvent.Kind.CLOSED,
            expected_version=expected_version,
            at=at,
            text=reason,
            verb=_("closed"),
        )


def referral_transfer(
    *,
    actor,
    referral: Referral,
    organisation: Organisation,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """Hand the case to another agency (DHIS2-style ownership transfer): it is sent afresh to
    the new agency with a new due date, and the old agency loses access."""
    at = _now(at)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the transfer.")})
    if organisation.pk == referral.organisation_id:
        raise ValidationError(
            {"organisation": _("The referral is with this organisation already.")}
        )
    previous = referral.organisation
    with transaction.atomic():
        referral = _transition(
            referral,
            actor=actor,
            action="transfer",
            to=Status.SENT,
            values={
                "organisation": organisation,
                "due_on": due_date(service=referral.service, sent_on=_local_date(at)),
                "accepted_at": None,
                "started_at": None,
                "rejected_at": None,
                "rejection_reason": "",
            },
            event_kind=ReferralEvent.Kind.TRANSFERRED,
            expected_version=expected_version,
            at=at,
            text=_("%(old)s → %(new)s: %(reason)s")
            % {"old": previous.name_th, "new": organisation.name_th, "reason": reason},
            verb=_("transferred"),
        )
        notices = notifications.notify(
            referral=referral,
            kind=Notification.Kind.NEW,
            key=f"org{organisation.pk}-v{referral.version}",
            recipients=notifications.agency_officers(organisation.pk),
        )
    notifications.send_emails(notices)
    return referral


def referral_comment(*, actor, referral: Referral, text: str, at=None) -> ReferralEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    at = _now(at)
    with transaction.atomic():
        event = referral_event_add(
            referral, actor=actor, kind=ReferralEvent.Kind.COMMENT, at=at, text=text
        )
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=referral,
            label=f"{referral.number} {referral.household.code}",
            changes={"comment": [None, event.pk]},
        )
    return event
