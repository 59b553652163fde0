"""Writes for PDPA duties: consent, data-subject requests, legal holds, erasure and retention.

Each checks its rules, saves, and writes the audit row, like the registry's services."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.audit.models import Action
from ppaos.audit.services import audit_event, audit_record
from ppaos.lib.actors import acting_user
from ppaos.lib.i18n import Deferred
from ppaos.lib.thaidate import age_on
from ppaos.lib.versioning import save_versioned
from ppaos.privacy import hooks
from ppaos.privacy.models import (
    Anonymisation,
    AnonymisationReason,
    ConsentRecord,
    DataSubjectRequest,
    LawfulBasis,
    LegalHold,
    RequestKind,
)
from ppaos.registry.models import Person
from ppaos.registry.search_keys import person_keys

# Thai civil law: a person is a minor until 20 (PDPA s.20 asks for a guardian's consent).
AGE_OF_MAJORITY = 20
# What an erased name reads as. Not a translation: it is stored.
ERASED_NAME = "—"


class ErasureRefused(ValidationError):
    """The person's data must be kept for now; `reasons` says why (legal hold, referral ...)."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(reasons)


# Consent --------------------------------------------------------------------------------------


def consent_record(
    *,
    actor,
    person: Person,
    purpose: str,
    lawful_basis: str,
    given_at: dt.datetime | None = None,
    given_by: str = "",
    guardian_name: str = "",
    guardian_relation: str = "",
    sensitive_data: bool = False,
    share_with_agencies: bool = False,
    notice_version: str = "",
    notes: str = "",
) -> ConsentRecord:
    """Record the basis for processing `person`'s data for `purpose`."""
    given_at = given_at or timezone.now()
    errors: dict[str, str] = {}
    if _is_anonymised(person):
        raise ValidationError(_("This person's data was erased; nothing more can be recorded."))
    if given_at > timezone.now() + dt.timedelta(minutes=5):
        errors["given_at"] = _("Consent cannot be given in the future.")
    consent = lawful_basis == LawfulBasis.CONSENT
    if sensitive_data and not consent:
        errors["sensitive_data"] = _(
            "Health and disability data need the person's explicit consent (s.26): choose "
            "consent as the lawful basis, or leave this unticked."
        )
    minor = person.birth_date and age_on(person.birth_date, given_at.date()) < AGE_OF_MAJORITY
    if consent and minor and not guardian_name.strip():
        errors["guardian_name"] = _(
            "This person is under 20: a parent or guardian gives the consent (s.20). "
            "Name the guardian."
        )
    if consent and not (given_by.strip() or guardian_name.strip()):
        errors["given_by"] = _("Name who gave the consent.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            person=person,
            purpose=purpose,
            lawful_basis=lawful_basis,
            notice_version=notice_version,
            sensitive_data=sensitive_data,
            share_with_agencies=share_with_agencies,
            given_by=given_by.strip(),
            guardian_name=guardian_name.strip(),
            guardian_relation=guardian_relation.strip(),
            collector=acting_user(actor),
            given_at=given_at,
            notes=notes,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=record,
            label=Deferred(gettext_noop("consent of person %(person)s"), person=person.pk),
            changes={
                "person": [None, person.pk],
                "purpose": [None, purpose],
                "lawful_basis": [None, lawful_basis],
                "sensitive_data": [None, sensitive_data],
                "share_with_agencies": [None, share_with_agencies],
            },
        )
    return record


def _stamp(obj, *, actor, at: str, by: str, label: str, when: dt.datetime | None = None):
    """Mark a record ended (a consent withdrawn, a hold released): when and by whom, saved and
    audited. The record itself stays."""
    with transaction.atomic():
        setattr(obj, at, when or timezone.now())
        setattr(obj, by, acting_user(actor))
        obj.save(update_fields=[at, by])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=obj,
            label=label,
            changes={at: [None, getattr(obj, at).isoformat()]},
        )
    return obj


def consent_withdraw(*, actor, consent: ConsentRecord, when: dt.datetime | None = None):
    """The person withdrew this consent; the record stays, marked withdrawn."""
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    return _stamp(
        consent,
        actor=actor,
        at="withdrawn_at",
        by="withdrawn_by",
        when=when,
        label=Deferred(gettext_noop("consent of person %(person)s"), person=consent.person_id),
    )


def consents_active(person: Person, purpose: str | None = None):
    records = person.consents.filter(withdrawn_at__isnull=True)
    return records.filter(purpose=purpose) if purpose else records


def has_sensitive_consent(person: Person) -> bool:
    """True if the person gave explicit consent (s.26) to health and disability data."""
    return consents_active(person).filter(sensitive_data=True).exists()


# Data-subject requests -------------------------------------------------------------------------


def request_open(
    *,
    actor,
    person: Person,
    kind: str,
    requester_name: str = "",
    details: str = "",
    received_at: dt.datetime | None = None,
) -> DataSubjectRequest:
    """Log a request under ss.30-35; it is due 30 days after `received_at`."""
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": _("A request cannot be received in the future.")})
    with transaction.atomic():
        request = DataSubjectRequest.objects.create(
            person=person,
            kind=kind,
            requester_name=requester_name.strip(),
            details=details,
            received_at=received_at,
            received_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=request,
            label=Deferred(
                gettext_noop("%(kind)s request for person %(person)s"),
                kind=Deferred.of_label(RequestKind(kind).label),
                person=person.pk,
            ),
            changes={"kind": [None, kind], "due_at": [None, request.due_at.isoformat()]},
        )
    return request


def request_close(*, actor, request: DataSubjectRequest, status: str, outcome: str = ""):
    """Close a request as done or rejected; a rejection must say why (the s.39 record)."""
    if not request.is_open:
        raise ValidationError(_("This request is already closed."))
    if status not in (DataSubjectRequest.Status.DONE, DataSubjectRequest.Status.REJECTED):
        raise ValidationError({"status": _("Close a request as done or rejected.")})
    if status == DataSubjectRequest.Status.REJECTED and not outcome.strip():
        raise ValidationError({"outcome": _("Give the reason for rejecting the request.")})
    with transaction.atomic():
        request.status = status
        request.outcome = outcome.strip()
        request.closed_at = timezone.now()
        request.closed_by = acting_user(actor)
        request.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=request,
            label=Deferred(
                gettext_noop("%(kind)s request for person %(person)s"),
                kind=Deferred.of_label(RequestKind(request.kind).label),
                person=request.person_id,
            ),
            changes={"status": [DataSubjectRequest.Status.OPEN, status]},
        )
    return request


# Legal holds ----------------------------------------------------------------------------------


def hold_place(*, actor, person: Person, reason: str) -> LegalHold:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the legal hold.")})
    with transaction.atomic():
        hold = LegalHold.objects.create(
            person=person,
            reason=reason.strip(),
            placed_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=hold,
            label=Deferred(gettext_noop("legal hold on person %(person)s"), person=person.pk),
            changes={"reason": [None, hold.reason]},
        )
    return hold


def hold_release(*, actor, hold: LegalHold) -> LegalHold:
    if not hold.is_active:
        raise ValidationError(_("This legal hold was already released."))
    return _stamp(
        hold,
        actor=actor,
        at="released_at",
        by="released_by",
        label=Deferred(gettext_noop("legal hold on person %(person)s"), person=hold.person_id),
    )


@hooks.erasure_blocker
def _active_legal_holds(person):
    for hold in person.legal_holds.filter(released_at__isnull=True):
        yield _("Legal hold: %(reason)s") % {"reason": hold.reason}


# Erasure --------------------------------------------------------------------------------------


def _is_anonymised(person: Person) -> bool:
    return Anonymisation.objects.filter(person_id=person.pk).exists()


def erased_values(person: Person) -> dict:
    """What a person's row keeps: sex, education, income, assets and a birth year (for counts
    by age); names, ID and what is derived from it, phone, occupation, where the person is
    registered, health, disability and care data go."""
    birth_date = person.birth_date.replace(month=7, day=1) if person.birth_date else None
    return {
        "national_id": None,
        "prefix": "",
        "first_name": ERASED_NAME,
        "last_name": "",
        "phone": "",
        "occupation": "",
        "chronic_illness": "",
        "has_disability_card": False,
        "nationality": "",
        "nationality_reason": "",
        "house_register": "",
        "house_register_place": "",
        "adl_score": None,
        "adl_assessed_on": None,
        "incontinent": None,
        "state_pension": None,
        "in_state_care": None,
        "birth_date": birth_date,
        "birth_date_estimated": bool(birth_date),
    }


def person_anonymise(
    *,
    actor,
    person: Person,
    reason: str = AnonymisationReason.REQUEST,
    request: DataSubjectRequest | None = None,
) -> Anonymisation:
    """Erase what identifies `person`, keep the row and memberships (so counts stay).

    Refused (ErasureRefused) while any app's blocker names a reason: a legal hold here, an
    active referral in the referrals app, and so on (see `hooks`)."""
    if _is_anonymised(person):
        raise ValidationError(_("This person's data was already erased."))
    reasons = hooks.erasure_blocked_by(person)
    if reasons:
        raise ErasureRefused(reasons)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        id_hash = person.national_id_hash
        names = [person.first_name, person.last_name]
        values = erased_values(person)
        columns = {k: v for k, v in values.items() if k != "national_id"}
        save_versioned(  # the row is locked: it is at the version just read
            Person,
            pk=person.pk,
            expected_version=person.version,
            changes={
                **columns,
                # The search keys derived from name and phone go with them.
                **person_keys(values["first_name"], values["last_name"], values["phone"]),
                "national_id_encrypted": "",
                "national_id_hash": None,
                "updated_by": acting_user(actor),
                "updated_at": timezone.now(),
            },
        )
        person.consents.update(given_by="", guardian_name="", guardian_relation="", notes="")
        person.privacy_requests.update(requester_name="", details="")
        # An ID held for duplicate review is the person's ID too.
        person.duplicate_id_flags.all().delete()
        person.refresh_from_db()
        # Erasers may need the ID's keyed hash (to find unlinked copies); the row no longer has it.
        person.erased_id_hash = id_hash
        person.erased_names = names  # e.g. for the linkage's stored name keys
        hooks.run_erasers(person, actor)
        mark = Anonymisation.objects.create(
            person=person,
            by=acting_user(actor),
            reason=reason,
            request=request,
        )
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=person,
            label=Deferred(gettext_noop("person %(person)s (erased)"), person=person.pk),
            changes={"anonymised": [None, reason], "fields": [None, sorted(values)]},
        )
        if request is not None and request.is_open:
            request_close(
                actor=actor,
                request=request,
                status=DataSubjectRequest.Status.DONE,
                outcome=_("Identifying data erased; counts kept."),
            )
    return mark


# Retention ------------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    cutoff: dt.date
    candidates: list[int] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)
    blocked: dict[int, list[str]] = field(default_factory=dict)


def retention_candidates(*, days: int | None = None, today: dt.date | None = None):
    """People who left every household they lived in more than `days` ago, not yet erased."""
    days = settings.PRIVACY_RETENTION_DAYS if days is None else days
    cutoff = (today or timezone.localdate()) - dt.timedelta(days=days)
    people = (
        Person.objects.filter(anonymisation__isnull=True)
        .exclude(memberships__end_date__isnull=True)
        .annotate(last_left=Max("memberships__end_date"))
        .filter(last_left__lt=cutoff)
        .order_by("pk")
    )
    return cutoff, people


def retention_run(
    *, dry_run: bool = False, days: int | None = None, today: dt.date | None = None, actor=None
) -> RetentionResult:
    """Anonymise everyone past retention (PDPA s.37(3)), except those a blocker keeps."""
    cutoff, people = retention_candidates(days=days, today=today)
    result = RetentionResult(cutoff=cutoff)
    for person in people.iterator():
        result.candidates.append(person.pk)
        reasons = hooks.erasure_blocked_by(person)
        if reasons:
            result.blocked[person.pk] = reasons
            continue
        if not dry_run:
            person_anonymise(actor=actor, person=person, reason=AnonymisationReason.RETENTION)
            result.anonymised.append(person.pk)
    if not dry_run:
        # Each erasure has its own row; this one says that a run happened and what it found,
        # so a run that anonymised nobody is on the trail too. Counts only, never a person.
        audit_event(
            actor=actor,
            action=Action.UPDATE,
            object_type="privacy.retention_run",
            object_id=cutoff.isoformat(),
            label=Deferred(
                gettext_noop("retention run, cut-off %(cutoff)s"), cutoff=cutoff.isoformat()
            ),
            changes={
                "candidates": len(result.candidates),
                "anonymised": len(result.anonymised),
                "blocked": len(result.blocked),
            },
        )
    return result
