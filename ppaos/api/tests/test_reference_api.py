"""Geography, communities, surveys, indicator sets and targeting over the API, and the
schema and its self-hosted docs."""

import datetime as dt

import pytest

from ppaos.audit.models import Action, AuditEvent
from ppaos.conftest import make_person
from ppaos.registry import services
from ppaos.targeting import services as targeting
from ppaos.targeting.models import TargetList, TargetRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(households, coordinator, volunteer_a, communities):
    """A campaign with a surveyed visit to household A (khet 1008) and one to C (khet 1009)."""
    campaign = targeting.campaign_open(actor=coordinator, name="ตรวจสอบ", target_list=None)
    targeting.campaign_assign(campaign=campaign, community=communities["A"], volunteer=volunteer_a)
    result = {}
    for key in ("A", "C"):
        result[key] = targeting.visit_record(
            campaign=campaign,
            household=households[key],
            volunteer=volunteer_a if key == "A" else coordinator,
            outcome="confirmed_poor",
            visited_on=dt.date(2026, 1, 10),
            consent_given=True,
            consent_by="นางมาลี",
            consent_purpose="verify",
            answers={"h2_safe_food": False},
            capital_items={"hu1_health": 2},
        )
    return result


def ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_geography_is_public_to_signed_in_users(api, agency_officer):
    client = api(agency_officer)
    provinces = client.get("/api/provinces/?page_size=100").json()
    assert provinces["count"] == 77
    assert client.get("/api/provinces/10/").json()["code"] == "10"
    districts = client.get("/api/districts/?province=10&page_size=200").json()
    assert districts["count"] == 50 and {d["province"] for d in districts["results"]} == {"10"}
    subdistrict = client.get("/api/subdistricts/100801/").json()
    assert subdistrict["district"] == "1008" and subdistrict["name_th"]
    assert client.get("/api/subdistricts/?district=1008").json()["count"] >= 1
    assert client.get("/api/subdistricts/999999/").status_code == 404
    assert api().get("/api/provinces/").status_code == 401


def test_communities_scoped_by_counts(
    api, volunteer_a, district_officer, agency_officer, households
):
    a, b = households["A"].community, households["B"].community
    rows = api(volunteer_a).get("/api/communities/").json()["results"]
    assert [(r["id"], r["household_count"], r["people_count"]) for r in rows] == [(a.pk, 1, 1)]
    assert rows[0]["district"] == "1008"
    assert ids(api(district_officer).get("/api/communities/")) == {a.pk, b.pk}
    assert ids(api(district_officer).get("/api/communities/?area=100803")) == {b.pk}
    assert api(volunteer_a).get(f"/api/communities/{b.pk}/").status_code == 404
    assert ids(api(agency_officer).get("/api/communities/")) == set()


def test_communities_filter_by_any_province_type(api, district_officer, households):
    a = households["A"].community
    client = api(district_officer)
    assert a.pk in ids(client.get(f"/api/communities/?community_type={a.community_type}"))
    # Upcountry types (ppaos/areas/data/provinces.json) are accepted; none are in khet 1008.
    assert ids(client.get("/api/communities/?community_type=village")) == set()
    assert client.get("/api/communities/?community_type=no_such_type").status_code == 400


def test_surveys_scoped_through_the_household(api, volunteer_a, researcher, visits):
    own, other = visits["A"].survey, visits["C"].survey
    client = api(volunteer_a)
    assert ids(client.get("/api/surveys/")) == {own.pk}
    body = client.get(f"/api/surveys/{own.pk}/").json()
    assert body["indicators"] == {"h2_safe_food": False} and body["collected_by"] == "vol_a"
    assert client.get(f"/api/surveys/{other.pk}/").status_code == 404
    assert ids(client.get(f"/api/surveys/?household={own.household_id}")) == {own.pk}
    assert ids(api(researcher).get("/api/surveys/")) == set()
    assert AuditEvent.objects.filter(
        actor=volunteer_a, action=Action.VIEW, object_type="assessment.surveyresponse"
    ).exists()


def test_indicator_sets_readable(api, researcher, visits):
    active = visits["A"].survey.indicator_set
    response = api(researcher).get("/api/indicator-sets/?is_active=true").json()
    assert [s["id"] for s in response["results"]] == [active.pk]
    detail = api(researcher).get(f"/api/indicator-sets/{active.pk}/").json()
    assert detail["definition"]["dimensions"]


def test_targeting_scoped_by_manage_targeting(
    api, coordinator, district_officer, volunteer_a, visits
):
    a, c = visits["A"], visits["C"]
    assert ids(api(coordinator).get("/api/visits/")) == {a.pk, c.pk}
    assert ids(api(district_officer).get("/api/visits/")) == {a.pk}
    assert api(district_officer).get(f"/api/visits/{c.pk}/").status_code == 404
    visit = api(district_officer).get(f"/api/visits/{a.pk}/").json()
    assert visit["outcome"] == "newly_found_poor" and visit["survey"] == a.survey_id
    assert visit["has_photo"] is False and "photo" not in visit and "payload" not in visit

    campaign = api(district_officer).get(f"/api/campaigns/{a.campaign_id}/").json()
    assert [x["community_code"] for x in campaign["assignments"]] == ["100801-01"]
    assert campaign["progress"]["households_verified"] == 1

    # Volunteers do not manage targeting: nothing here, and 404 by id.
    assert ids(api(volunteer_a).get("/api/visits/")) == set()
    assert ids(api(volunteer_a).get("/api/campaigns/")) == set()
    assert api(volunteer_a).get(f"/api/campaigns/{a.campaign_id}/").status_code == 404
    assert api(volunteer_a).get("/api/target-lists/").json()["count"] == 0


def test_target_lists_count_records_in_scope(api, district_officer, households):
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    for n, code in enumerate(["100801", "100905"]):
        TargetRecord.objects.create(
            target_list=listed,
            record_key=str(n),
            line_no=n + 2,
            first_name="x",
            subdistrict_code=code,
        )
    rows = api(district_officer).get("/api/target-lists/").json()["results"]
    assert [(r["id"], r["records_in_scope"]) for r in rows] == [(listed.pk, 1)]


def test_schema_and_docs_need_a_login(client):
    """Issue 14 (11): the map of every endpoint is for users, not for anyone who asks."""
    for url in ("/api/schema/?format=json", "/api/docs/", "/api/redoc/", "/api/docs/?script="):
        assert client.get(url).status_code in (401, 403), url


def test_schema_and_self_hosted_docs(client, api, volunteer_a):
    client.force_login(volunteer_a)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/households/", "/api/people/{id}/", "/api/token/", "/api/visits/"} <= set(paths)
    assert "409" in paths["/api/households/{id}/"]["patch"]["responses"]
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        # Nothing from another site (no CDN, no web fonts), no inline script (CSP).
        assert "http://" not in html and "https://" not in html, url
        assert "<script>" not in html, url
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")
    assert asset.status_code == 200
    root = api(volunteer_a).get("/api/").json()
    assert "households" in root and "people" in root


def test_browsable_api_renders(client, volunteer_a, households):
    client.force_login(volunteer_a)
    for url in ("/api/households/", f"/api/households/{households['A'].pk}/", "/api/people/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert b"<html" in response.content


@pytest.mark.parametrize(
    "url",
    ["/api/households/", "/api/people/", "/api/surveys/", "/api/visits/", "/api/communities/"],
)
def test_list_queries_do_not_grow_with_rows(
    api, coordinator, visits, django_assert_max_num_queries, url
):
    """Each list costs a fixed number of queries (no N+1 per row)."""
    client = api(coordinator)
    client.get(url)  # warm up: scope, indicator set
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    campaign, community = visits["A"].campaign, visits["A"].household.community
    for n in range(5):
        household = services.household_create(
            actor=coordinator, community=community, data={"house_no": str(n)}
        )
        services.person_add_to_household(
            actor=coordinator, household=household, data=make_person(60 + n), relation="head"
        )
        targeting.visit_record(
            campaign=campaign,
            household=household,
            volunteer=coordinator,
            outcome="not_poor",
            visited_on=dt.date(2026, 1, 11),
            consent_given=True,
            consent_by="นางมาลี",
            needs="ทุนการศึกษา",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
