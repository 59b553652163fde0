import datetime as dt

import pytest
from django.utils import timezone, translation

from ppaos.accounts.models import Organisation
from ppaos.conftest import make_person
from ppaos.referrals import services
from ppaos.referrals.models import Service, ServiceRule
from ppaos.registry.services import person_add_to_household

ON = dt.date(2026, 1, 15)
OLD_AGE_RULE = {"and": [{">=": [{"var": "age"}, 60]}, {"var": "thai"}]}
OLD_AGE_AMOUNT = {"tiers": [{"var": "age"}, [[60, 600], [70, 700], [80, 800], [90, 1000]]]}


def at(day: dt.date = ON, hour: int = 9) -> dt.datetime:
    """A Bangkok time on `day`."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def login(client, settings):
    """Signed in, with pages in English (the switch's cookie), so tests read English text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def agency_org(agency_officer) -> Organisation:
    agency_officer.email = "agency@example.org"
    agency_officer.save(update_fields=["email"])
    return agency_officer.role_assignments.get().organisation


@pytest.fixture
def other_org(geography) -> Organisation:
    return Organisation.objects.create(name_th="หน่วยงานอื่น", kind="government_agency")


@pytest.fixture
def old_age(agency_org) -> Service:
    """The old-age allowance, given by the test agency, with a 30-day response time."""
    service = Service.objects.create(
        code="old_age_allowance",
        name_th="เบี้ยยังชีพผู้สูงอายุ",
        name_en="Old-age allowance",
        category="welfare",
        provider=agency_org,
        sla_days=30,
        amount_period="month",
        required_documents=["บัตรประจำตัวประชาชน"],
    )
    ServiceRule.objects.create(
        service=service,
        effective_from=dt.date(2011, 10, 1),
        eligibility=OLD_AGE_RULE,
        amount=OLD_AGE_AMOUNT,
    )
    return service


@pytest.fixture
def elder(households, coordinator):
    """A 67-year-old (on ON) parent in household A, not receiving anything."""
    return person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(
            11, first_name="บุญมา", prefix="nang", sex="F", birth_date=dt.date(1958, 6, 1)
        )
        | {"phone": "0812345678", "chronic_illness": "เบาหวาน", "monthly_income": 0},
        relation="parent",
        start_date=dt.date(2020, 1, 1),
    )


@pytest.fixture
def referral(district_officer, households, elder, old_age):
    """A draft referral of the elder to the old-age allowance, consent given."""
    district_officer.email = "khet1008@example.org"
    district_officer.save(update_fields=["email"])
    return services.referral_create(
        actor=district_officer,
        household=households["A"],
        person=elder,
        service=old_age,
        note="ช่วยขึ้นทะเบียนเบี้ยยังชีพ",
        consent_given=True,
        consent_by="นางบุญมา",
        at=at(),
    )


@pytest.fixture
def sent(referral, district_officer):
    return services.referral_send(actor=district_officer, referral=referral, at=at())
