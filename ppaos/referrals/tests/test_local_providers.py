"""Issue 18: outside Bangkok, services of "the local office" go to the อปท. covering the
household's village, and the adult-diaper benefit to that อปท.'s local health fund; an
account of the อปท. accepts them. Bangkok keeps its district offices and health fund."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from ppaos.accounts.models import Organisation, Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import Community, District, Province
from ppaos.areas.services import province_onboard
from ppaos.conftest import PASSWORD, make_person
from ppaos.referrals import selectors, services
from ppaos.referrals.models import LocalProvider, Service, Status
from ppaos.referrals.tests.conftest import at
from ppaos.registry.services import household_create, person_add_to_household

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "areas" / "data" / "samples"


@pytest.fixture
def province_75(geography, settings, django_capture_on_commit_callbacks):
    settings.PROVINCES = ["10", "75"]
    with django_capture_on_commit_callbacks(execute=True):
        province_onboard(
            code="75",
            lao_text=(SAMPLES / "75-dla-lao.csv").read_text(encoding="utf-8"),
            village_text=(SAMPLES / "75-dopa-villages.csv").read_text(encoding="utf-8"),
        )


@pytest.fixture
def coordinator_75(province_75):
    return _user("coord75", Role.COORDINATOR, province=Province.objects.get(code="75"))


def _user(username: str, role: str, **scope):
    user = user_create(username=username, password=PASSWORD)
    role_assign(user=user, role=role, **scope)
    return user


def _household(actor, community, n):
    household = household_create(actor=actor, community=community, data={"house_no": f"{n}"})
    person_add_to_household(
        actor=actor,
        household=household,
        data=make_person(n, birth_date=dt.date(1950, 1, 1)),
        relation="head",
        start_date=dt.date(2020, 1, 1),
    )
    return household


@pytest.fixture
def upcountry(coordinator_75):
    """A household in หมู่ 3 of Bang Khan Taek (อบต.) and one in หมู่ 1 of Ban Prok (ทต.)."""
    return {
        "sao": _household(coordinator_75, Community.objects.get(code="75010203"), 51),
        "municipality": _household(coordinator_75, Community.objects.get(code="75010401"), 52),
    }


@pytest.fixture
def catalogue(geography):
    health_fund = Organisation.objects.create(
        name_th="กองทุนหลักประกันสุขภาพกรุงเทพมหานคร", kind="government_agency"
    )
    Organisation.objects.create(
        name_th="สำนักงานเขตป้อมปราบศัตรูพ่าย",
        kind="district_office",
        district=District.objects.get(code="1008"),
    )
    return {
        "bag": Service.objects.create(
            code="survival_bag",
            name_th="ถุงยังชีพ",
            category="relief",
            provider_is_district_office=True,
        ),
        "diapers": Service.objects.create(
            code="adult_diapers",
            name_th="ผ้าอ้อมผู้ใหญ่",
            category="health",
            provider=health_fund,
            area_route="health_fund",
        ),
    }


def _route(service, household):
    return services.receiving_organisation(service=service, household=household)


def test_onboarding_makes_an_office_and_a_health_fund_per_local_government(province_75):
    # Five อปท. below the อบจ. in the sample, two providers each.
    assert LocalProvider.objects.count() == 10
    assert not LocalProvider.objects.filter(local_government__kind="pao").exists()
    assert services.local_providers_ensure(province_code="75") == 0


def test_upcountry_services_go_to_the_local_government_of_the_village(catalogue, upcountry):
    office = _route(catalogue["bag"], upcountry["sao"])
    assert office.name_th == "องค์การบริหารส่วนตำบลบางขันแตก"
    assert office.local_provider.function == "office"
    fund = _route(catalogue["diapers"], upcountry["sao"])
    assert fund.name_th == "กองทุนหลักประกันสุขภาพองค์การบริหารส่วนตำบลบางขันแตก"
    assert fund.local_provider.local_government_id == "6750102"
    # The split tambon: the village's own อปท. (the municipality), not the อบต. beside it.
    assert _route(catalogue["bag"], upcountry["municipality"]).name_th == "เทศบาลตำบลบ้านปรก"


def test_bangkok_keeps_the_district_office_and_its_health_fund(catalogue, households):
    assert _route(catalogue["bag"], households["A"]).kind == "district_office"
    assert _route(catalogue["diapers"], households["A"]).name_th.endswith("กรุงเทพมหานคร")


def test_a_tambon_without_a_known_local_government_is_an_error(catalogue, coordinator_75):
    community = Community.objects.create(code="T1", name_th="ชุมชนไม่มีอปท", subdistrict_id="750106")
    household = _household(coordinator_75, community, 53)
    with pytest.raises(ValidationError, match="750106"):
        _route(catalogue["bag"], household)


def test_the_local_government_account_accepts_its_referral(
    catalogue, upcountry, coordinator_75, login
):
    head = upcountry["sao"].memberships.get(relation="head").person
    referral = services.referral_create(
        actor=coordinator_75,
        household=upcountry["sao"],
        person=head,
        service=catalogue["diapers"],
        consent_given=True,
        consent_by="ตัวเอง",
        at=at(),
    )
    services.referral_send(actor=coordinator_75, referral=referral, at=at())
    fund = referral.organisation
    staff = _user("fund_staff", Role.AGENCY_OFFICER, organisation=fund)
    other = LocalProvider.objects.get(local_government_id="6750103", function="health_fund")
    stranger = _user("other_fund", Role.AGENCY_OFFICER, organisation=other.organisation)
    assert referral.pk in set(selectors.agency_inbox(user=staff).values_list("pk", flat=True))
    assert not selectors.agency_inbox(user=stranger).exists()
    assert login(stranger).get(f"/referrals/{referral.pk}/").status_code == 404
    client = login(staff)
    assert (
        client.post(f"/referrals/{referral.pk}/accept/", {"accept-version": 2}).status_code == 302
    )
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_acceptor_gaps_name_local_governments_not_missing_district_offices(catalogue, upcountry):
    gaps = services.catalogue_acceptor_gaps()
    assert not any("7501" in line for line in gaps)
    assert any(line.startswith("องค์การบริหารส่วนตำบลบางขันแตก:") for line in gaps)
    assert any(
        line.startswith("กองทุนหลักประกันสุขภาพองค์การบริหารส่วนตำบลบางขันแตก:") and "adult_diapers" in line
        for line in gaps
    )
    office = LocalProvider.objects.get(local_government_id="6750102", function="office")
    _user("sao_staff", Role.AGENCY_OFFICER, organisation=office.organisation)
    assert not any(
        line.startswith("องค์การบริหารส่วนตำบลบางขันแตก:")
        for line in services.catalogue_acceptor_gaps()
    )
