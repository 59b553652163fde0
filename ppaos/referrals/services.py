"""Writes for the referral system: the catalogue, benefits, referral cases (a state machine
with optimistic locking), notifications and household development plans. Every change is
audited; every referral change is also a timeline event."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.models import Organisation, OrganisationKind
from ppaos.areas.models import District
from ppaos.assessment.models import IndicatorSet
from ppaos.audit.models import Action
from ppaos.audit.services import audit_list_view, audit_record
from ppaos.lib import safejson
from ppaos.referrals import notifications, rules, windows
from ppaos.referrals.eligibility import FACTS, evaluate_for_household, household_facts
from ppaos.referrals.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Benefit,
    HouseholdPlan,
    Notification,
    PlanIntervention,
    PlanProblem,
    PlanVisit,
    Referral,
    ReferralEvent,
    Service,
    ServiceRule,
    Status,
)
from ppaos.registry.models import Household, Membership, Person
from ppaos.registry.services import StaleEditError

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "data" / "services-th.json"
# Household income per person a year below which a household is poor (BMN line) when the
# active indicator set does not say; used by the plan's exit check.
DEFAULT_POVERTY_LINE = Decimal(38000)


def audit_list(actor, what: str, rows: int) -> None:
    """A page listing people by name is a view of personal data: record who saw which list."""
    audit_list_view(actor=actor, what=what, rows=rows, object_type="referrals.list")


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


# Catalogue ----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    organisations: int = 0
    services_created: int = 0
    services_updated: int = 0
    rules_created: int = 0
    rules_kept: int = 0
    # One line per provider and area where nobody can accept the service's referrals.
    warnings: list[str] = field(default_factory=list)


def rule_check(expression: Any, expect: str | None = None) -> None:
    """ValidationError unless `expression` is a well-formed rule naming known facts, with
    every operator given arguments of its types; with `expect` (rules.BOOL for eligibility,
    rules.NUMBER for an amount), the whole rule gives that type."""
    if expression is None:
        return
    rules.validate(expression, FACTS, expect)


def rule_pair_check(*, eligibility: Any, amount: Any) -> None:
    """ValidationError (by field) unless the eligibility is a true/false rule and the
    amount a number rule (either may be None)."""
    errors = {}
    for name, expression, expect in (
        ("eligibility", eligibility, rules.BOOL),
        ("amount", amount, rules.NUMBER),
    ):
        try:
            rule_check(expression, expect)
        except ValidationError as e:
            errors[name] = e.messages
    if errors:
        raise ValidationError(errors)


def catalogue_load(*, path: Path = DEFAULT_CATALOGUE, update: bool = False) -> LoadResult:
    """Load organisations, services and rule versions from a JSON file.

    Idempotent: organisations are matched by Thai name, services by code, rules by service and
    effective date. Existing services keep a coordinator's edits unless `update`; an existing
    rule version is never changed (add a new version instead)."""
    data = safejson.loads(Path(path).read_bytes())
    result = LoadResult()
    with transaction.atomic():
        organisations = {}
        for row in data.get("organisations", []):
            organisation, created = Organisation.objects.get_or_create(
                name_th=row["name_th"],
                defaults={"name_en": row.get("name_en", ""), "kind": row["kind"]},
            )
            organisations[row["key"]] = organisation
            result.organisations += created
        for row in data["services"]:
            provider_key = row["provider"]
            by_district = provider_key == "district_office"
            if not by_district and provider_key not in organisations:
                raise ValidationError(f"{row['code']}: unknown provider {provider_key!r}")
            values = {
                "name_th": row["name_th"],
                "name_en": row.get("name_en", ""),
                "category": row["category"],
                "level": row.get("level", "person"),
                "provider": None if by_district else organisations[provider_key],
                "provider_is_district_office": by_district,
                "description": row.get("description", ""),
                "description_th": row.get("description_th", ""),
                "required_documents": row.get("required_documents", []),
                "sla_days": row.get("sla_days", 15),
                "amount_period": row.get("amount_period", ""),
                "source": row.get("source", ""),
                "registration_by_rounds": row.get("registration_by_rounds", False),
                "registration_windows": row.get("registration_windows", []),
            }
            windows.validate(values["registration_windows"])
            service = Service.objects.filter(code=row["code"]).first()
            if service is None:
                service = Service.objects.create(code=row["code"], **values)
                result.services_created += 1
            elif update:
                for name, value in values.items():
                    setattr(service, name, value)
                service.save()
                result.services_updated += 1
            for rule in row.get("rules", []):
                try:
                    rule_check(rule.get("eligibility"), rules.BOOL)
                    rule_check(rule.get("amount"), rules.NUMBER)
                except ValidationError as e:
                    raise ValidationError(
                        _("Service %(service)s, rule from %(date)s: %(error)s")
                        % {
                            "service": row["code"],
                            "date": rule.get("effective_from"),
                            "error": " ".join(e.messages),
                        }
                    ) from e
                kept = ServiceRule.objects.filter(replaced_at__isnull=True)
                __, created = kept.get_or_create(
                    service=service,
                    effective_from=dt.date.fromisoformat(rule["effective_from"]),
                    defaults={
                        "eligibility": rule.get("eligibility"),
                        "amount": rule.get("amount"),
                        "note": rule.get("note", ""),
                        "is_confirmed": rule.get("confirmed", True),
                        "source": rule.get("source", ""),
                    },
                )
                if created:
                    result.rules_created += 1
                else:
                    result.rules_kept += 1
    result.warnings = catalogue_acceptor_gaps()
    return result


def catalogue_acceptor_gaps() -> list[str]:
    """A warning per provider and area where an active service's referrals would wait for
    nobody: no active account may accept them (an agency officer of the provider, or for
    district-office services, the office's staff of each district where households live)."""
    active = Service.objects.filter(is_active=True).select_related("provider")
    lines: list[str] = []
    checked: set[int] = set()
    for service in active.filter(provider__isnull=False).order_by("provider__name_th", "code"):
        if service.provider_id in checked:
            continue
        checked.add(service.provider_id)
        if not notifications.agency_officers(service.provider_id).exists():
            names = ", ".join(
                active.filter(provider_id=service.provider_id).values_list("code", flat=True)
            )
            lines.append(
                _(
                    "%(provider)s: nobody can accept its referrals (%(services)s); add an agency "
                    "officer of this organisation."
                )
                % {"provider": service.provider.name_th, "services": names}
            )
    by_office = list(active.filter(provider_is_district_office=True).values_list("code", flat=True))
    if not by_office:
        return lines
    districts = (
        Household.objects.order_by().values_list("subdistrict__district_id", flat=True).distinct()
    )
    for district in District.objects.filter(code__in=list(districts)).order_by("code"):
        office = Organisation.objects.filter(
            kind=OrganisationKind.DISTRICT_OFFICE, district_id=district.pk
        ).first()
        if office is None:
            lines.append(
                _(
                    "District %(district)s: no district office is registered, so its referrals "
                    "(%(services)s) cannot be sent."
                )
                % {
                    "district": f"{district.pk} {district.name_th}",
                    "services": ", ".join(by_office),
                }
            )
        elif not notifications.agency_officers(office.pk).exists():
            lines.append(
                _(
                    "%(provider)s (district %(district)s): nobody can accept its referrals "
                    "(%(services)s); add a district officer for this district."
                )
                % {
                    "provider": office.name_th,
                    "district": district.pk,
                    "services": ", ".join(by_office),
                }
            )
    return lines


SERVICE_EDITABLE = (
    "name_th",
    "name_en",
    "description",
    "description_th",
    "required_documents",
    "sla_days",
    "amount_period",
    "is_active",
    "source",
    "registration_by_rounds",
    "registration_windows",
)


@transaction.atomic
def service_update(*, actor, service: Service, data: dict[str, Any]) -> Service:
    """A coordinator changes a service's description, documents, response time, status or
    registration windows."""
    windows.validate(data.get("registration_windows"))
    changes = {}
    for name in SERVICE_EDITABLE:
        if name in data and getattr(service, name) != data[name]:
            changes[name] = [_plain(getattr(service, name)), _plain(data[name])]
            setattr(service, name, data[name])
    service.full_clean()
    service.save()
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=service, changes=changes)
    return service


@transaction.atomic
def service_rule_add(
    *,
    actor,
    service: Service,
    effective_from: dt.date,
    eligibility: Any,
    amount: Any,
    note: str = "",
    is_confirmed: bool = True,
    source: str = "",
    replace: bool = False,
) -> ServiceRule:
    """A new version of a service's rule and amount, in force from `effective_from`: the
    version in force before that day ends the day before (versions are never edited, so
    history is kept). With `replace`, a version taking effect on the same day (say, a
    faulty one in force today) is replaced: kept in the history, in force no more."""
    rule_pair_check(eligibility=eligibility, amount=amount)
    same_day = (
        service.rules.select_for_update()
        .filter(effective_from=effective_from, replaced_at__isnull=True)
        .first()
    )
    if same_day is not None and not replace:
        raise ValidationError(
            {
                "effective_from": _(
                    "A version taking effect on this day exists already: tick “replace the "
                    "version of this day” to replace it (it stays in the history)."
                )
            }
        )
    before = service.rule_on(effective_from - dt.timedelta(days=1))
    if same_day is not None:
        same_day.replaced_at = timezone.now()
        same_day.save(update_fields=["replaced_at"])
    rule = ServiceRule.objects.create(
        service=service,
        effective_from=effective_from,
        eligibility=eligibility,
        amount=amount,
        note=note,
        is_confirmed=is_confirmed,
        source=source,
        created_by=actor,
    )
    changes: dict[str, list] = {"rule": [None, f"from {effective_from.isoformat()}"]}
    if same_day is not None:
        same_day.replaced_by = rule
        same_day.save(update_fields=["replaced_by"])
        changes["replaced"] = [f"rule {same_day.pk} from {effective_from.isoformat()}", None]
    if before is not None and before.pk != getattr(same_day, "pk", None):
        until = effective_from - dt.timedelta(days=1)
        changes["ended"] = [
            f"rule {before.pk} from {before.effective_from.isoformat()}",
            f"until {until.isoformat()}",
        ]
    audit_record(actor=actor, action=Action.CREATE, obj=service, changes=changes)
    service.forget_rules()
    return rule


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


# Benefits -----------------------------------------------------------------------------------


def benefit_record(
    *,
    actor,
    person: Person,
    service: Service,
    since: dt.date,
    source: str,
    amount: Decimal | None = None,
    referral: Referral | None = None,
) -> Benefit:
    """Record that a person receives a service's benefit (enrolment)."""
    with transaction.atomic():
        benefit = Benefit.objects.create(
            person=person,
            service=service,
            since=since,
            amount=amount,
            source=source,
            referral=referral,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=person,
            changes={"benefit": [None, f"{service.code} since {since.isoformat()}"]},
        )
    return benefit


@transaction.atomic
def benefit_end(*, actor, benefit: Benefit, until: dt.date) -> Benefit:
    if until < benefit.since:
        raise ValidationError({"until": _("A benefit cannot end before it started.")})
    benefit.until = until
    benefit.save(update_fields=["until"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=benefit.person,
        changes={"benefit": [benefit.service.code, f"until {until.isoformat()}"]},
    )
    return benefit


# Referrals ----------------------------------------------------------------------------------


def receiving_organisation(*, service: Service, household: Household) -> Organisation:
    """The agency a referral goes to: the service's provider, or the household's district
    office for services the district office gives."""
    if service.provider_id:
        return service.provider
    office = Organisation.objects.filter(
        kind=OrganisationKind.DISTRICT_OFFICE, district_id=household.subdistrict.district_id
    ).first()
    if office is None:
        raise ValidationError(
            _(
                "No district office is registered for khet %(district)s: add the organisation "
                "before referring to %(service)s."
            )
            % {"district": household.subdistrict.district_id, "service": service.name}
        )
    return office


def due_date(*, service: Service, sent_on: dt.date) -> dt.date:
    """The service's response time counted in calendar days from the day it was sent."""
    return sent_on + dt.timedelta(days=service.sla_days)


def _event(referral, *, actor, kind, at, from_status="", to_status="", text="", organisation=None):
    return ReferralEvent.objects.create(
        referral=referral,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
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
        _event(referral, actor=actor, kind=ReferralEvent.Kind.CREATED, at=at, to_status="draft")
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
    allowed_from: tuple[str, ...],
    to: str,
    values: dict[str, Any],
    event_kind: str,
    expected_version: int | None,
    at: dt.datetime,
    text: str = "",
    verb: str,
) -> Referral:
    """Move `referral` to `to` if its status allows it and nobody changed it meanwhile."""
    if referral.status not in allowed_from:
        raise ValidationError(
            _("A referral that is %(status)s cannot be %(verb)s.")
            % {"status": referral.get_status_display().lower(), "verb": verb}
        )
    version = referral.version if expected_version is None else expected_version
    updated = Referral.objects.filter(
        pk=referral.pk, version=version, status=referral.status
    ).update(status=to, version=F("version") + 1, updated_at=at, **values)
    if updated != 1:
        raise StaleEditError(Referral.objects.get(pk=referral.pk))
    before = referral.status
    referral.refresh_from_db()
    _event(
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
            allowed_from=TRANSITIONS["send"],
            to=Status.SENT,
            values=values,
            event_kind=ReferralEvent.Kind.SENT,
            expected_version=expected_version,
            at=at,
            verb=_("sent"),
        )
        if not given:
            _event(
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
            allowed_from=TRANSITIONS["accept"],
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
            allowed_from=TRANSITIONS["reject"],
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
            allowed_from=TRANSITIONS["start"],
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
            allowed_from=TRANSITIONS["complete"],
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
            allowed_from=TRANSITIONS["close"],
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
            allowed_from=TRANSITIONS["transfer"],
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
        event = _event(referral, actor=actor, kind=ReferralEvent.Kind.COMMENT, at=at, text=text)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=referral,
            label=f"{referral.number} {referral.household.code}",
            changes={"comment": [None, event.pk]},
        )
    return event


def referrals_notify_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Flag every overdue referral once per overdue state (status and due date): a timeline
    event, and a notice to the agency's officers and the city side. Running it again the same
    day, or the next, notifies nobody twice."""
    from ppaos.referrals.selectors import overdue_all

    today = today or timezone.localdate()
    counts = {"overdue": 0, "flagged": 0, "notices": 0, "emails": 0}
    for referral in overdue_all(today=today):
        counts["overdue"] += 1
        key = f"{referral.status}:{referral.due_on.isoformat()}"
        with transaction.atomic():
            locked = Referral.objects.select_for_update().get(pk=referral.pk)
            if locked.events.filter(kind=ReferralEvent.Kind.OVERDUE, text=key).exists():
                continue
            _event(locked, actor=None, kind=ReferralEvent.Kind.OVERDUE, at=timezone.now(), text=key)
            recipients = list(notifications.agency_officers(locked.organisation_id))
            recipients += [
                u for u in notifications.city_side(locked) if u.pk not in {r.pk for r in recipients}
            ]
            notices = notifications.notify(
                referral=locked, kind=Notification.Kind.OVERDUE, key=key, recipients=recipients
            )
        counts["flagged"] += 1
        counts["notices"] += len(notices)
        counts["emails"] += notifications.send_emails(notices)
    return counts


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    notices = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        notices = notices.filter(pk__in=ids)
    return notices.update(read_at=timezone.now())


# Household development plans ----------------------------------------------------------------


def _plan_audit(actor, plan: HouseholdPlan, change: str, value: Any) -> None:
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=plan.household,
        changes={change: [None, _plain(value)]},
    )


def plan_open(
    *, actor, household: Household, responsible, goal: str = "", opened_on=None, is_demo=False
) -> HouseholdPlan:
    if HouseholdPlan.objects.filter(household=household, status=HouseholdPlan.Status.OPEN).exists():
        raise ValidationError(_("This household has an open plan already."))
    with transaction.atomic():
        plan = HouseholdPlan.objects.create(
            household=household,
            responsible=responsible,
            goal=goal,
            opened_on=opened_on or timezone.localdate(),
            created_by=actor,
            is_demo=is_demo,
        )
        _plan_audit(actor, plan, "plan", f"opened, responsible {responsible.get_username()}")
    return plan


def plan_update(
    *, actor, plan: HouseholdPlan, expected_version: int, responsible, goal: str
) -> HouseholdPlan:
    with transaction.atomic():
        updated = HouseholdPlan.objects.filter(pk=plan.pk, version=expected_version).update(
            responsible=responsible, goal=goal, version=F("version") + 1
        )
        if updated != 1:
            raise StaleEditError(HouseholdPlan.objects.get(pk=plan.pk))
        plan.refresh_from_db()
        _plan_audit(actor, plan, "plan_responsible", responsible.get_username())
    return plan


def _require_open(plan: HouseholdPlan) -> None:
    if plan.status != HouseholdPlan.Status.OPEN:
        raise ValidationError(_("This plan is closed."))


def plan_problem_add(
    *, actor, plan: HouseholdPlan, code: str = "", description: str = "", person=None
) -> PlanProblem:
    _require_open(plan)
    if not code and not (description or "").strip():
        raise ValidationError({"description": _("Choose a problem or describe it.")})
    _check_member(plan, person)
    with transaction.atomic():
        problem = PlanProblem.objects.create(
            plan=plan,
            code=code,
            description=description,
            person=person,
            recorded_on=timezone.localdate(),
        )
        _plan_audit(actor, plan, "plan_problem", code or description[:60])
    return problem


def _check_member(plan: HouseholdPlan, person) -> None:
    if (
        person is not None
        and not Membership.objects.filter(
            household=plan.household, person=person, end_date__isnull=True
        ).exists()
    ):
        raise ValidationError({"person": _("This person is not a member of the household.")})


def plan_intervention_add(
    *,
    actor,
    plan: HouseholdPlan,
    description: str,
    problem: PlanProblem | None = None,
    service: Service | None = None,
    person=None,
    responsible_name: str = "",
    target_date: dt.date | None = None,
) -> PlanIntervention:
    _require_open(plan)
    if not (description or "").strip():
        raise ValidationError({"description": _("Say what will be done.")})
    if problem is not None and problem.plan_id != plan.pk:
        raise ValidationError({"problem": _("This problem belongs to another plan.")})
    _check_member(plan, person)
    with transaction.atomic():
        intervention = PlanIntervention.objects.create(
            plan=plan,
            problem=problem,
            service=service,
            person=person,
            description=description,
            responsible_name=responsible_name,
            target_date=target_date,
        )
        _plan_audit(actor, plan, "plan_intervention", description[:60])
    return intervention


@transaction.atomic
def plan_intervention_set_status(
    *, actor, intervention: PlanIntervention, status: str
) -> PlanIntervention:
    _require_open(intervention.plan)
    if status not in PlanIntervention.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    intervention.status = status
    intervention.save(update_fields=["status"])
    _plan_audit(actor, intervention.plan, "plan_intervention_status", f"{intervention.pk} {status}")
    return intervention


def plan_visit_record(
    *,
    actor,
    plan: HouseholdPlan,
    visited_on: dt.date,
    progress: str,
    notes: str = "",
    next_visit_on: dt.date | None = None,
) -> PlanVisit:
    _require_open(plan)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
    if next_visit_on and next_visit_on < visited_on:
        raise ValidationError({"next_visit_on": _("The next visit comes after this one.")})
    with transaction.atomic():
        visit = PlanVisit.objects.create(
            plan=plan,
            visited_on=visited_on,
            visitor=actor,
            progress=progress,
            notes=notes,
            next_visit_on=next_visit_on,
        )
        _plan_audit(actor, plan, "plan_visit", visited_on)
    return visit


def poverty_line() -> Decimal:
    """Income per person a year of the active indicator set (the BMN line), or the default."""
    active = IndicatorSet.objects.filter(is_active=True).first()
    threshold = active.definition.get("income_threshold_baht_per_person_year") if active else None
    return Decimal(str(threshold)) if threshold else DEFAULT_POVERTY_LINE


def plan_exit_checklist(*, plan: HouseholdPlan, on: dt.date | None = None) -> list[dict]:
    """The exit check: each criterion with whether it passes and why."""
    on = on or timezone.localdate()
    interventions = list(plan.interventions.all())
    unfinished = [
        i
        for i in interventions
        if i.status in (PlanIntervention.Status.PLANNED, PlanIntervention.Status.REFERRED)
    ]
    open_referrals = Referral.objects.filter(
        household=plan.household, status__in=(Status.DRAFT, *OPEN_STATUSES)
    ).count()
    visits = plan.visits.count()
    members = list(
        Membership.objects.filter(household=plan.household, end_date__isnull=True).select_related(
            "person"
        )
    )
    household = Household.objects.select_related("community").get(pk=plan.household_id)
    income = household_facts(household, members, on)["household.income_per_person_year"]
    line = poverty_line()
    return [
        {
            "code": "interventions",
            "label": _("every planned intervention is done or dropped"),
            "passed": bool(interventions) and not unfinished,
            "detail": _("%(n)s of %(total)s still open")
            % {"n": len(unfinished), "total": len(interventions)},
        },
        {
            "code": "referrals",
            "label": _("no referral is still open"),
            "passed": open_referrals == 0,
            "detail": _("%(n)s open") % {"n": open_referrals},
        },
        {
            "code": "visits",
            "label": _("at least one follow-up visit"),
            "passed": visits > 0,
            "detail": _("%(n)s visits") % {"n": visits},
        },
        {
            "code": "income",
            "label": _("household income per person at or above the poverty line"),
            "passed": income is not None and income >= line,
            "detail": _("%(income)s baht a year against %(line)s")
            % {
                "income": rules.show(income) if income is not None else "?",
                "line": rules.show(line),
            },
        },
    ]


def plan_exit_check(
    *, actor, plan: HouseholdPlan, exit: bool, notes: str = "", on: dt.date | None = None
) -> HouseholdPlan:
    """Record the exit check; with `exit`, close the plan as exited, only if every
    criterion passes."""
    _require_open(plan)
    on = on or timezone.localdate()
    checklist = plan_exit_checklist(plan=plan, on=on)
    failed = [c["label"] for c in checklist if not c["passed"]]
    if exit and failed:
        raise ValidationError(
            _("The household cannot exit yet: %(failed)s.") % {"failed": "; ".join(failed)}
        )
    with transaction.atomic():
        plan.exit_checked_on = on
        plan.exit_check = [
            {**c, "label": str(c["label"]), "detail": str(c["detail"])} for c in checklist
        ]
        plan.exit_notes = notes
        if exit:
            plan.status = HouseholdPlan.Status.EXITED
        plan.version += 1
        plan.save(
            update_fields=["exit_checked_on", "exit_check", "exit_notes", "status", "version"]
        )
        _plan_audit(actor, plan, "plan_exit_check", "exited" if exit else "continue")
    return plan
