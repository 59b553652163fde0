"""Programmes, enrolments and income records: rules, optimistic locking, audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.livelihoods import services
from ppaos.livelihoods.models import Enrolment
from ppaos.livelihoods.tests.factories import head, programme
from ppaos.registry.services import StaleEditError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Service messages are read in English here (the UI default is Thai)."""
    with translation.override("en"):
        yield


@pytest.fixture
def enrolled(households, communities, coordinator):
    p = programme(coordinator, [communities["A"], communities["B"]])
    enrolment = services.enrolment_create(
        actor=coordinator,
        programme=p,
        person=head(households["A"]),
        stage=p.stages.first(),
        start_date=dt.date(2025, 7, 1),
    )
    return p, enrolment


def test_enrolment_keeps_household_and_is_audited(enrolled, households):
    p, enrolment = enrolled
    assert enrolment.household == households["A"]
    assert AuditEvent.objects.filter(
        object_type="livelihoods.enrolment", object_id=str(enrolment.pk), action="create"
    ).exists()


def test_enrolment_rules(enrolled, households, coordinator):
    p, enrolment = enrolled
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrolment_create(actor=coordinator, programme=p, person=enrolment.person)
    with pytest.raises(ValidationError, match="does not work"):
        services.enrolment_create(actor=coordinator, programme=p, person=head(households["C"]))
    with pytest.raises(ValidationError):
        services.enrolment_create(
            actor=coordinator,
            programme=p,
            person=head(households["B"]),
            start_date=dt.date(2020, 1, 1),
        )
    assert Enrolment.objects.count() == 1


def test_income_is_one_per_round_and_validated(enrolled, coordinator):
    _p, enrolment = enrolled
    record = services.income_record(
        actor=coordinator,
        enrolment=enrolment,
        data={"round_name": "2568-1", "monthly_income": "4500", "source": "wages"},
    )
    assert record.monthly_income == Decimal("4500.00") and record.version == 1
    with pytest.raises(ValidationError, match="already recorded"):
        services.income_record(
            actor=coordinator,
            enrolment=enrolment,
            data={"round_name": "2568-1", "monthly_income": "1"},
        )
    for bad in ("-1", "abc", "NaN", "99999999999"):
        with pytest.raises(ValidationError):
            services.income_record(
                actor=coordinator,
                enrolment=enrolment,
                data={"round_name": "2568-2", "monthly_income": bad},
            )


def test_income_edit_uses_optimistic_locking(enrolled, coordinator, volunteer_a):
    _p, enrolment = enrolled
    record = services.income_record(
        actor=coordinator,
        enrolment=enrolment,
        data={"round_name": "2568-1", "monthly_income": "4500", "source": "wages"},
    )
    stale_copy = type(record).objects.get(pk=record.pk)
    services.income_update(
        actor=volunteer_a,
        record=record,
        expected_version=1,
        data={"monthly_income": "5000", "source": "programme"},
    )
    with pytest.raises(StaleEditError) as error:
        services.income_update(
            actor=coordinator,
            record=stale_copy,
            expected_version=1,
            data={"monthly_income": "6000", "source": "wages"},
        )
    assert error.value.current.monthly_income == Decimal("5000.00")
    record.refresh_from_db()
    assert (record.version, record.monthly_income, record.source) == (
        2,
        Decimal("5000.00"),
        "programme",
    )
    change = AuditEvent.objects.get(object_type="livelihoods.incomerecord", action="update")
    assert change.changes["monthly_income"] == ["4500.00", "5000.00"]
