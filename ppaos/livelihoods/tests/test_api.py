"""`/api/programmes/` and `/api/enrolments/`: read-only, scoped, audited."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from ppaos.audit.models import AuditEvent
from ppaos.livelihoods import services
from ppaos.livelihoods.tests.factories import head, programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def _api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _api


@pytest.fixture
def setup(households, communities, coordinator):
    p = programme(coordinator, [communities["A"], communities["B"]])
    other = programme(coordinator, [communities["C"]], code="P2")
    enrolments = {
        key: services.enrolment_create(
            actor=coordinator,
            programme=p,
            person=head(households[key]),
            start_date=dt.date(2025, 7, 1),
        )
        for key in ("A", "B")
    }
    services.income_record(
        actor=coordinator,
        enrolment=enrolments["A"],
        data={"round_name": "2568-1", "monthly_income": 3000, "source": "wages"},
    )
    return p, other, enrolments


def test_programmes_are_listed_by_count_scope(setup, api, volunteer_a, researcher, agency_officer):
    p, other, _ = setup
    rows = api(volunteer_a).get("/api/programmes/").json()["results"]
    assert [r["code"] for r in rows] == [p.code]
    assert [s["name_en"] for s in rows[0]["stages"]] == ["Production", "Processing", "Marketing"]
    assert api(volunteer_a).get(f"/api/programmes/{other.pk}/").status_code == 404
    assert api(researcher).get(f"/api/programmes/{other.pk}/").status_code == 200
    assert api(agency_officer).get("/api/programmes/").json()["results"] == []
    assert api(volunteer_a).post("/api/programmes/", {}).status_code == 405


def test_enrolments_are_scoped_by_people_and_audited(setup, api, volunteer_a, researcher):
    _p, _other, enrolments = setup
    client = api(volunteer_a)
    rows = client.get("/api/enrolments/").json()["results"]
    assert [r["id"] for r in rows] == [enrolments["A"].pk]
    assert rows[0]["incomes"][0]["monthly_income"] == "3000.00"
    assert client.get(f"/api/enrolments/{enrolments['B'].pk}/").status_code == 404
    assert client.get(f"/api/enrolments/{enrolments['A'].pk}/").status_code == 200
    assert AuditEvent.objects.filter(actor=volunteer_a, action="export").exists()
    assert AuditEvent.objects.filter(
        actor=volunteer_a, action="view", object_type="livelihoods.enrolment"
    ).exists()
    assert api(researcher).get("/api/enrolments/").json()["results"] == []
    assert api(researcher).get(f"/api/enrolments/{enrolments['A'].pk}/").status_code == 404
