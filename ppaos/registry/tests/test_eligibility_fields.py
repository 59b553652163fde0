"""The person fields the official eligibility criteria need: nationality from the ID's first
digit (overridable with a reason), house register, Barthel ADL with its date, incontinence,
state pension, state care and financial assets; validated, locked and audited like the rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.conftest import make_person
from ppaos.registry import national_id, services
from ppaos.registry.models import Person


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _id(first: str, n: int = 1) -> str:
    return national_id.make(f"{first}10070099{n:03d}")


@pytest.mark.parametrize(
    ("first", "nationality"),
    [("1", "thai"), ("2", "thai"), ("3", "thai"), ("4", "thai"), ("5", "thai")]
    + [("0", "other"), ("6", "other"), ("7", "other"), ("8", None), ("9", None)],
)
def test_nationality_from_the_first_digit(first, nationality):
    assert national_id.nationality(_id(first)) == nationality
    assert national_id.nationality("") is None


def _add(households, coordinator, n, **extra) -> Person:
    return services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(n, **extra),
        relation="child",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "stored"), [("1", "thai"), ("6", "other"), ("7", "other")])
def test_nationality_is_derived_on_save(households, coordinator, first, stored):
    person = _add(households, coordinator, 60, national_id=_id(first))
    assert (person.nationality, person.nationality_reason) == (stored, "")


@pytest.mark.django_db
def test_an_8_id_leaves_nationality_to_be_recorded(households, coordinator):
    person = _add(households, coordinator, 61, national_id=_id("8"))
    assert person.nationality == ""
    with pytest.raises(ValidationError) as error:
        _add(households, coordinator, 62, national_id=_id("8", 2), nationality="thai")
    assert "nationality_reason" in error.value.message_dict
    recorded = _add(
        households,
        coordinator,
        63,
        national_id=_id("8", 3),
        nationality="thai",
        nationality_reason="หนังสือสำคัญแสดงการแปลงสัญชาติ",
    )
    assert (recorded.nationality, recorded.nationality_reason) == (
        "thai",
        "หนังสือสำคัญแสดงการแปลงสัญชาติ",
    )


@pytest.mark.django_db
def test_an_override_needs_a_reason_and_survives_an_edit_without_it(households, coordinator):
    person = _add(households, coordinator, 64, national_id=_id("6"))
    with pytest.raises(ValidationError):
        services.person_update(
            actor=coordinator,
            person=person,
            expected_version=person.version,
            data=make_person(64, national_id=_id("6"), nationality="thai"),
        )
    services.person_update(
        actor=coordinator,
        person=person,
        expected_version=person.version,
        data=make_person(
            64, national_id=_id("6"), nationality="thai", nationality_reason="ได้สัญชาติไทยแล้ว"
        ),
    )
    person = Person.objects.get(pk=person.pk)
    assert person.nationality == "thai"
    # An API client that leaves nationality out does not undo the recorded value.
    services.person_update(
        actor=coordinator,
        person=person,
        expected_version=person.version,
        data=make_person(64, national_id=_id("6"), occupation="ค้าขาย"),
    )
    assert Person.objects.get(pk=person.pk).nationality == "thai"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"adl_score": 21, "adl_assessed_on": dt.date(2025, 1, 1)}, "adl_score", "between 0"),
        ({"adl_score": 5}, "adl_assessed_on", "date the ADL score"),
        (
            {"adl_score": 5, "adl_assessed_on": dt.date(2999, 1, 1)},
            "adl_assessed_on",
            "in the future",
        ),
        ({"financial_assets": Decimal(-1)}, "financial_assets", "negative"),
        ({"monthly_income": Decimal(-1)}, "monthly_income", "negative"),
        ({"house_register": "elsewhere"}, "house_register_place", "Say where"),
    ],
)
def test_bad_facts_are_named_and_nothing_saved(households, coordinator, extra, field, message):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        _add(households, coordinator, 65, **extra)
    assert message in error.value.message_dict[field][0]
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_facts_are_saved_locked_and_audited_with_health_hidden(households, coordinator):
    person = households["A"].memberships.get().person
    version = person.version
    facts = {
        "house_register": "elsewhere",
        "house_register_place": "จ.ร้อยเอ็ด",
        "adl_score": 0,
        "adl_assessed_on": dt.date(2025, 3, 1),
        "incontinent": True,
        "state_pension": False,
        "in_state_care": False,
        "financial_assets": Decimal("12000.00"),
    }
    services.person_update(
        actor=coordinator, person=person, expected_version=version, data=make_person(1, **facts)
    )
    saved = Person.objects.get(pk=person.pk)
    assert {k: getattr(saved, k) for k in facts} == facts
    assert saved.version == version + 1
    event = AuditEvent.objects.filter(object_type="registry.person", action="update").latest("id")
    for name in ("adl_score", "adl_assessed_on", "incontinent"):
        assert event.changes[name] == ["(sensitive)", "(sensitive)"]
    assert event.changes["house_register"] == ["", "elsewhere"]
    assert event.changes["financial_assets"] == [None, "12000.00"]
    with pytest.raises(services.StaleEditError):
        services.person_update(
            actor=coordinator,
            person=person,
            expected_version=version,
            data=make_person(1, adl_score=20, adl_assessed_on=dt.date(2025, 4, 1)),
        )
    assert Person.objects.get(pk=person.pk).adl_score == 0
