"""Health and disability data (PDPA s.26) and national IDs reach only the roles that need
them: never a researcher or an agency officer, by page or by API; a community leader sees
people but IDs only masked."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ppaos.conftest import make_person
from ppaos.registry.services import person_add_to_household

pytestmark = pytest.mark.django_db

ILLNESS = "โรคไตวายเรื้อรังระยะสุดท้าย"


@pytest.fixture
def patient(households, coordinator):
    return person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(61, chronic_illness=ILLNESS, has_disability_card=True),
        relation="parent",
    )


def _api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _texts(client, paths) -> str:
    out = []
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        out.append(response.content.decode())
    return "\n".join(out)


@pytest.mark.parametrize("role", ["researcher", "agency_officer"])
def test_researcher_and_agency_never_see_health_disability_or_ids(
    request, role, patient, households, login
):
    user = request.getfixturevalue(role)
    household = households["A"]
    pages = _texts(
        login(user),
        [
            "/",
            f"/households/{household.pk}/",
            f"/communities/{household.community_id}/",
            f"/communities/{household.community_id}/export.csv",
            f"/privacy/people/{patient.pk}/",
        ],
    )
    api = _texts(
        _api(user),
        [
            "/api/people/",
            f"/api/people/{patient.pk}/",
            f"/api/people/?has_disability_card=true&household={household.pk}",
            f"/api/households/{household.pk}/",
            "/api/surveys/",
            "/api/referrals/",
        ],
    )
    for text in (pages, api):
        assert ILLNESS not in text
        assert patient.national_id not in text and patient.masked_id not in text
        assert patient.first_name not in text
    assert _api(user).get(f"/api/people/{patient.pk}/").status_code in (403, 404)


def test_community_leader_reads_people_with_the_id_masked_and_no_illness(
    patient, leader_a, volunteer_a, login, households
):
    data = _api(leader_a).get(f"/api/people/{patient.pk}/").json()
    assert data["national_id"] == patient.masked_id and data["national_id_masked"] is True
    assert data["chronic_illness"] is None
    listed = _api(leader_a).get("/api/people/", {"household": households["A"].pk}).text
    assert ILLNESS not in listed and patient.national_id not in listed
    page = login(leader_a).get(f"/households/{households['A'].pk}/")
    assert page.status_code == 200 and ILLNESS not in page.text
    editor = _api(volunteer_a).get(f"/api/people/{patient.pk}/").json()
    assert editor["chronic_illness"] == ILLNESS and editor["national_id"] == patient.national_id
    found = _api(leader_a).get("/api/people/", {"national_id": patient.national_id}).json()
    assert [p["id"] for p in found["results"]] == [patient.pk]  # lookup by the keyed hash
