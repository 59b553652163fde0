"""Writes to the registry. Each checks its rules, saves with optimistic locking and audits."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_event, audit_record
from ppaos.lib import redact, versioning
from ppaos.lib.i18n import Deferred
from ppaos.lib.thaidate import age_on, format_be_numeric
from ppaos.lib.versioning import StaleEditError  # noqa: F401 (re-exported: services.StaleEditError)
from ppaos.registry import id_crypto, national_id, search_keys
from ppaos.registry.models import (
    ADL_MAX,
    DuplicateIdFlag,
    DuplicateIdResolution,
    Household,
    HouseRegister,
    Membership,
    Person,
    Relation,
)

HOUSEHOLD_FIELDS = (
    "house_no",
    "moo",
    "village",
    "soi",
    "road",
    "subdistrict_id",
    "postal_code",
    "house_registration_no",
    "latitude",
    "longitude",
    "tenure",
)
PERSON_FIELDS = (
    "national_id",
    "is_undocumented",
    "prefix",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "has_disability_card",
    "chronic_illness",
    "education",
    "occupation",
    "monthly_income",
    "phone",
    "nationality",
    "nationality_reason",
    "house_register",
    "house_register_place",
    "adl_score",
    "adl_assessed_on",
    "incontinent",
    "state_pension",
    "in_state_care",
    "financial_assets",
)
# Health and disability are sensitive (PDPA s.26): the audit trail names the field, not the value.
SENSITIVE_FIELDS = frozenset(
    {"has_disability_card", "chronic_illness", "adl_score", "adl_assessed_on", "incontinent"}
)
OLDEST_AGE = 120


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The audit row's `changes`: [old, new] per changed field, health fields hidden and
    national IDs masked. Other apps' services that keep personal data use it too."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            if name in SENSITIVE_FIELDS:
                changes[name] = ["(sensitive)", "(sensitive)"]
            elif name == "national_id":
                changes[name] = [id_crypto.mask(old), id_crypto.mask(new)]
            elif name == "phone":  # kept encrypted at rest: the trail shows the last digits
                changes[name] = [_masked_phone(old), _masked_phone(new)]
            else:
                changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def _masked_phone(value: str | None) -> str | None:
    return redact.keep_last_three(value) if value else value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Person values as database columns: the national ID becomes its encrypted and hash
    columns (id_crypto); the plaintext is never a column."""
    columns = dict(values)
    if "national_id" in columns:
        encrypted, digest = id_crypto.seal(columns.pop("national_id"))
        columns |= {"national_id_encrypted": encrypted, "national_id_hash": digest}
    return columns


def _set_search_keys(person: Person) -> dict[str, Any]:
    """Recompute the person's search keys (normalised name, phone hash) from its current
    name and phone, set them on it and return them as columns to save."""
    keys = search_keys.person_keys(person.first_name, person.last_name, person.phone)
    for name, value in keys.items():
        setattr(person, name, value)
    return keys


def save_versioned(instance, *, expected_version: int, values: dict[str, Any], actor) -> int:
    """Apply `values` to a `Versioned` row (who and when included) only if it is still at
    `expected_version`; return the new version. StaleEditError otherwise (ppaos.lib.versioning).
    """
    changes = {**values, "updated_by": actor, "updated_at": timezone.now()}
    return versioning.save_versioned(
        type(instance), pk=instance.pk, expected_version=expected_version, changes=changes
    )


# Households ---------------------------------------------------------------------------------


def household_create(*, actor, community: Community, data: dict[str, Any]) -> Household:
    """Create a household in `community`, numbered CODE-00001 inside it."""
    values = {k: data.get(k, "") for k in HOUSEHOLD_FIELDS if k in data}
    values.setdefault("subdistrict_id", community.subdistrict_id)
    with transaction.atomic():
        Community.objects.filter(pk=community.pk).update(household_seq=F("household_seq") + 1)
        seq = Community.objects.values_list("household_seq", flat=True).get(pk=community.pk)
        household = Household(
            code=f"{community.code}-{seq:05d}",
            community=community,
            created_by=actor,
            updated_by=actor,
            **values,
        )
        household.full_clean()
        household.save()
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=household,
            changes=audit_changes({}, {k: getattr(household, k) for k in values}),
        )
    return household


def household_update(
    *, actor, household: Household, expected_version: int, data: dict[str, Any]
) -> Household:
    """Change a household's address and tenure. Raises StaleEditError on a lost race."""
    values = {k: data[k] for k in HOUSEHOLD_FIELDS if k in data}
    with transaction.atomic():
        before = {k: getattr(household, k) for k in values}
        for name, value in values.items():
            setattr(household, name, value)
        household.full_clean(exclude=["code", "community"], validate_unique=False)
        household.version = save_versioned(
            household, expected_version=expected_version, values=values, actor=actor
        )
        audit_record(
            actor=actor, action=Action.UPDATE, obj=household, changes=audit_changes(before, values)
        )
    return household


# People -------------------------------------------------------------------------------------


def _clean_nationality(
    values: dict[str, Any], raw_id: str, current: Person | None, errors: dict[str, str]
) -> None:
    """Nationality follows the ID's first digit (national_id.nationality) unless it is recorded
    with a reason; a digit that does not settle it (8) leaves it to be recorded."""
    derived = national_id.nationality(raw_id) if raw_id else None
    if "nationality" not in values and current is not None and current.nationality_reason:
        return  # an earlier recorded nationality stands
    chosen = values.get("nationality") or ""
    reason = (values.get("nationality_reason") or "").strip()
    if not chosen or chosen == derived:
        values["nationality"] = derived or ""
        values["nationality_reason"] = ""
    elif not reason:
        errors["nationality_reason"] = _(
            "Say why the nationality differs from what the national ID shows (for example a "
            "naturalisation certificate)."
        )
    else:
        values["nationality"] = chosen
        values["nationality_reason"] = reason


def _clean_facts(values: dict[str, Any], errors: dict[str, str]) -> None:
    """The eligibility facts: ADL within 0-20 and dated, amounts not negative, a house
    register elsewhere says where."""
    adl = values.get("adl_score")
    if adl is not None:
        if not 0 <= adl <= ADL_MAX:
            errors["adl_score"] = _(
                "The Barthel ADL score is between 0 and %(max)s, not %(value)s."
            ) % {
                "max": ADL_MAX,
                "value": adl,
            }
        elif not values.get("adl_assessed_on"):
            errors["adl_assessed_on"] = _("Give the date the ADL score was assessed.")
    assessed = values.get("adl_assessed_on")
    if assessed and assessed > timezone.localdate():
        errors["adl_assessed_on"] = _("The ADL assessment date %(date)s is in the future.") % {
            "date": format_be_numeric(assessed)
        }
    for name in ("financial_assets", "monthly_income"):
        amount = values.get(name)
        if amount is not None and amount < 0:
            errors[name] = _("An amount cannot be negative.")
    if values.get("house_register") == HouseRegister.ELSEWHERE:
        if not (values.get("house_register_place") or "").strip():
            errors["house_register_place"] = _("Say where the person is on the house register.")
    elif "house_register" in values:
        values["house_register_place"] = ""


def person_clean(
    data: dict[str, Any], *, person_id: int | None = None, current: Person | None = None
) -> dict[str, Any]:
    """Check a person's fields and return them normalised; ValidationError names each fault."""
    errors: dict[str, str] = {}
    values = {k: data[k] for k in PERSON_FIELDS if k in data}
    raw_id = national_id.normalize(values.get("national_id") or "")
    if raw_id:
        problem = national_id.problem(raw_id)
        if problem:
            errors["national_id"] = _("National ID %(problem)s.") % {"problem": _(problem)}
    # An ID another record holds is not refused here: the services hold it for review
    # (_hold_duplicate_id), so the answer never tells whether an ID exists in the city.
    values["national_id"] = raw_id or None
    values["is_undocumented"] = not raw_id or national_id.is_without_status(raw_id)
    _clean_nationality(values, raw_id, current, errors)
    _clean_facts(values, errors)
    birth_date = values.get("birth_date")
    if birth_date:
        today = timezone.localdate()
        if birth_date > today:
            errors["birth_date"] = _("Birth date %(date)s is in the future.") % {
                "date": format_be_numeric(birth_date)
            }
        elif age_on(birth_date, today) > OLDEST_AGE:
            errors["birth_date"] = _(
                "Birth date %(date)s would make the person older than %(age)s years. "
                "Check the year (Buddhist era is 543 years ahead of the Christian era)."
            ) % {"date": format_be_numeric(birth_date), "age": OLDEST_AGE}
    if not (values.get("first_name") or "").strip():
        errors["first_name"] = _("First name is required.")
    if errors:
        raise ValidationError(errors)
    return values


def _holder(raw_id: str | None, person_id: int | None) -> Person | None:
    """The other record that already holds `raw_id`, whatever the editor's scope."""
    if not raw_id:
        return None
    return (
        Person.objects.filter(national_id_hash=id_crypto.lookup_hash(raw_id))
        .exclude(pk=person_id)
        .only("pk")
        .first()
    )


def _flag_duplicate_id(*, actor, person: Person, raw_id: str, existing: Person | None) -> None:
    """Hold `raw_id` for `person` in the review queue (one open flag per person and ID)."""
    digest = id_crypto.lookup_hash(raw_id)
    open_flags = DuplicateIdFlag.objects.filter(
        person=person, national_id_hash=digest, resolved_at__isnull=True
    )
    if open_flags.exists():
        return
    flag = DuplicateIdFlag(person=person, existing=existing, created_by=actor)
    flag.national_id = raw_id
    flag.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=person,
        changes={"national_id_held_for_review": [None, id_crypto.mask(raw_id)]},
    )


def _close_superseded_flags(*, actor, person: Person, raw_id: str | None) -> None:
    """The editor stored an ID of their own: an open held ID for the person is settled (given
    if it is this one, else dismissed), so the form no longer reads it back."""
    digest = id_crypto.lookup_hash(raw_id)
    for flag in DuplicateIdFlag.objects.filter(person=person, resolved_at__isnull=True):
        same = digest is not None and flag.national_id_hash == digest
        resolution = DuplicateIdResolution.ASSIGNED if same else DuplicateIdResolution.DISMISSED
        flag.resolution = resolution
        flag.resolved_at, flag.resolved_by = timezone.now(), actor
        flag.save(update_fields=["resolution", "resolved_at", "resolved_by"])


def person_add_to_household(
    *,
    actor,
    household: Household,
    data: dict[str, Any],
    relation: str,
    start_date: dt.date | None = None,
) -> Person:
    """Register a new person as a current member of `household`."""
    values = person_clean(data)
    start = start_date or timezone.localdate()
    if (
        relation == Relation.HEAD
        and household.memberships.filter(relation=Relation.HEAD, end_date__isnull=True).exists()
    ):
        raise ValidationError({"relation": _("This household already has a head.")})
    raw_id = values["national_id"]
    held = _holder(raw_id, None)
    with transaction.atomic():
        person = Person(created_by=actor, updated_by=actor, **values)
        _set_search_keys(person)
        if held:
            person.national_id = None  # held for review, not stored on the person
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:  # a concurrent insert of the same ID: hold it as well
            person.pk, person.national_id = None, None
            person.save()
            held = _holder(raw_id, person.pk)
        if raw_id and not person.national_id:
            _flag_duplicate_id(actor=actor, person=person, raw_id=raw_id, existing=held)
        Membership.objects.create(
            household=household, person=person, relation=relation, start_date=start
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=person,
            changes=audit_changes({}, values) | {"household": [None, household.code]},
        )
    return person


def person_update(*, actor, person: Person, expected_version: int, data: dict[str, Any]) -> Person:
    """Change a person's details. Raises StaleEditError if someone saved first."""
    values = person_clean(data, person_id=person.pk, current=person)
    raw_id = values["national_id"]
    held = _holder(raw_id, person.pk)
    if held:
        # Held for review; the stored ID stays until a reviewer decides.
        values["national_id"] = person.national_id
    with transaction.atomic():
        before = {k: getattr(person, k) for k in values}
        for name, value in values.items():
            setattr(person, name, value)
        keys = _set_search_keys(person)
        try:
            with transaction.atomic():
                person.version = save_versioned(
                    person,
                    expected_version=expected_version,
                    values=_columns(values) | keys,
                    actor=actor,
                )
        except IntegrityError:  # a concurrent save of the same ID: hold it as well
            held = _holder(raw_id, person.pk)
            values["national_id"] = before["national_id"]
            person.national_id = before["national_id"]
            person.version = save_versioned(
                person,
                expected_version=expected_version,
                values=_columns(values) | keys,
                actor=actor,
            )
        if held:
            _flag_duplicate_id(actor=actor, person=person, raw_id=raw_id, existing=held)
        elif values["national_id"] != before["national_id"]:
            _close_superseded_flags(actor=actor, person=person, raw_id=raw_id)
        audit_record(
            actor=actor, action=Action.UPDATE, obj=person, changes=audit_changes(before, values)
        )
    return person


def membership_end(*, actor, membership: Membership, end_date: dt.date, reason: str) -> Membership:
    """Record that a person left a household (moved, died); the history stays."""
    if membership.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("A stay cannot end before it started.")})
    with transaction.atomic():
        membership.end_date = end_date
        membership.end_reason = reason
        membership.save(update_fields=["end_date", "end_reason"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=membership.person,
            changes={"left_household": [membership.household.code, reason]},
        )
    return membership


# National IDs held for review -------------------------------------------------------------


def duplicate_id_resolve(*, actor, flag: DuplicateIdFlag, resolution: str) -> DuplicateIdFlag:
    """Close a held ID. ASSIGNED gives it to the flagged person, which needs the other record
    to have let go of it first (corrected or erased); DISMISSED leaves both records as they are.
    The caller has checked that `actor` may see both records (selectors.duplicate_flags)."""
    if flag.resolved_at is not None:
        raise ValidationError(_("This duplicate ID has already been reviewed."))
    if resolution not in DuplicateIdResolution.values:
        raise ValidationError(_("Choose how to resolve the duplicate ID."))
    with transaction.atomic():
        if resolution == DuplicateIdResolution.ASSIGNED:
            raw_id = flag.national_id
            if _holder(raw_id, flag.person_id):
                raise ValidationError(
                    _(
                        "Another record still holds this national ID: correct that record "
                        "first, or dismiss this entry."
                    )
                )
            person = Person.objects.select_for_update().get(pk=flag.person_id)
            before = person.national_id
            save_versioned(
                person,
                expected_version=person.version,
                values=_columns({"national_id": raw_id}),
                actor=actor,
            )
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                obj=person,
                changes=audit_changes({"national_id": before}, {"national_id": raw_id}),
            )
        flag.resolution = resolution
        flag.resolved_at = timezone.now()
        flag.resolved_by = actor
        flag.save(update_fields=["resolution", "resolved_at", "resolved_by"])
    return flag


def id_keys_rotate(*, actor=None, batch_size: int = 2000, progress=None) -> dict[str, int]:
    """Re-encrypt every stored ID, phone and health text with the current key
    (`id_crypto.rotate_all`) and leave one audit row for the run: how many values per
    column, never a value."""
    done = id_crypto.rotate_all(batch_size=batch_size, progress=progress)
    audit_event(
        actor=actor,
        action=Action.UPDATE,
        object_type="registry.id_keys",
        object_id="rotate",
        label=Deferred(
            gettext_noop("encryption keys rotated: %(count)s values re-encrypted"),
            count=sum(done.values()),
        ),
        changes=done,
    )
    return done
