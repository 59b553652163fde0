"""Households and people over the API: persona scoping, masking, writes through the services,
optimistic locking (409), no mass assignment, audit, filters and pagination."""

import datetime as dt

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from ppaos.api.base import MAX_PAGE_SIZE, Pagination
from ppaos.audit.models import Action, AuditEvent
from ppaos.conftest import make_person
from ppaos.registry import national_id, services
from ppaos.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def head(household) -> Person:
    return household.memberships.get(end_date__isnull=True).person


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


# Scoping, persona by persona ----------------------------------------------------------------


def test_volunteer_lists_only_own_community(api, volunteer_a, households):
    assert codes(api(volunteer_a).get("/api/households/")) == {households["A"].code}
    people = api(volunteer_a).get("/api/people/").json()
    assert [p["id"] for p in people["results"]] == [head(households["A"]).pk]


@pytest.mark.parametrize("other", ["B", "C"])
def test_volunteer_gets_404_for_another_community(api, volunteer_a, households, other):
    client = api(volunteer_a)
    household, person = households[other], head(households[other])
    assert client.get(f"/api/households/{household.pk}/").status_code == 404
    assert client.get(f"/api/people/{person.pk}/").status_code == 404
    response = client.patch(f"/api/households/{household.pk}/", {"house_no": "9", "version": 1})
    assert response.status_code == 404
    response = client.patch(f"/api/people/{person.pk}/", {"first_name": "x", "version": 1})
    assert response.status_code == 404
    # Adding to it looks like adding to something that does not exist.
    response = client.post("/api/households/", {"community": household.community_id})
    assert response.status_code == 400
    assert "community" in response.json()
    response = client.post(
        "/api/people/", make_person(40) | {"household": household.pk, "relation": "child"}
    )
    assert response.status_code == 400
    assert "household" in response.json()
    household.refresh_from_db()
    assert household.version == 1 and not Person.objects.filter(first_name="สมชาย40").exists()
    assert not AuditEvent.objects.filter(actor=volunteer_a, action=Action.VIEW).exists()


def test_district_officer_sees_own_district(api, district_officer, households):
    assert codes(api(district_officer).get("/api/households/")) == {
        households["A"].code,
        households["B"].code,
    }


def test_agency_officer_has_no_households(api, agency_officer, households):
    client = api(agency_officer)
    response = client.get("/api/households/")
    assert response.status_code == 200 and response.json()["count"] == 0
    assert client.get(f"/api/households/{households['A'].pk}/").status_code == 404
    assert client.post("/api/households/", {"community": 1}).status_code == 403


def test_researcher_sees_no_people(api, researcher, households):
    client = api(researcher)
    assert client.get("/api/people/").json()["count"] == 0
    assert client.get("/api/households/").json()["count"] == 0
    assert client.get(f"/api/people/{head(households['A']).pk}/").status_code == 404
    # ...but counts, through the communities: one household each, so suppressed (null).
    communities = client.get("/api/communities/").json()
    assert communities["count"] == 3
    assert {c["household_count"] for c in communities["results"]} == {None}


def test_anonymous_is_refused(api, households):
    response = api().get("/api/households/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


# National IDs -------------------------------------------------------------------------------


def test_national_id_masked_for_readers_who_do_not_edit(api, leader_a, volunteer_a, households):
    person = head(households["A"])
    as_leader = api(leader_a).get(f"/api/people/{person.pk}/").json()
    assert as_leader["national_id"] == national_id.masked(person.national_id)
    assert as_leader["national_id_masked"] is True and as_leader["can_edit"] is False
    listed = api(leader_a).get("/api/people/").json()["results"][0]
    assert listed["national_id"] == national_id.masked(person.national_id)
    as_volunteer = api(volunteer_a).get(f"/api/people/{person.pk}/").json()
    assert as_volunteer["national_id"] == person.national_id
    assert as_volunteer["national_id_masked"] is False and as_volunteer["can_edit"] is True
    assert as_volunteer["household"] == households["A"].pk and as_volunteer["relation"] == "head"


def test_reader_who_does_not_edit_gets_403_on_write(api, leader_a, households):
    household, person = households["A"], head(households["A"])
    client = api(leader_a)
    assert client.get(f"/api/households/{household.pk}/").json()["can_edit"] is False
    response = client.patch(f"/api/households/{household.pk}/", {"house_no": "9", "version": 1})
    assert response.status_code == 403
    response = client.patch(f"/api/people/{person.pk}/", {"first_name": "x", "version": 1})
    assert response.status_code == 403
    response = client.post("/api/households/", {"community": household.community_id})
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.house_no == "1/1" and household.version == 1


# Writes -------------------------------------------------------------------------------------


def test_create_household_and_member_through_services(api, volunteer_a, communities):
    client = api(volunteer_a)
    response = client.post(
        "/api/households/",
        {"community": communities["A"].pk, "house_no": "12/3", "soi": "ร่วมใจ", "tenure": "rented"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == f"{communities['A'].code}-00001"
    assert body["address"] == "12/3 ซ.ร่วมใจ" and body["members"] == []
    assert body["subdistrict"] == communities["A"].subdistrict_id
    household = Household.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="registry.household", object_id=str(household.pk)
    ).exists()

    data = make_person(41, national_id="1-1007-00000-41-" + make_person(41)["national_id"][-1])
    response = client.post(
        "/api/people/",
        data | {"household": household.pk, "relation": "head", "birth_date": "1980-01-01"},
    )
    assert response.status_code == 201, response.content
    person = response.json()
    assert person["national_id"] == make_person(41)["national_id"]
    assert person["household"] == household.pk and person["relation"] == "head"
    assert person["is_undocumented"] is False and person["version"] == 1
    assert client.get(f"/api/households/{household.pk}/").json()["member_count"] == 1


def test_service_rules_answer_400(api, volunteer_a, households):
    client = api(volunteer_a)
    household = households["A"]
    bad = make_person(42) | {"national_id": "1234545678789"}
    response = client.post("/api/people/", bad | {"household": household.pk, "relation": "child"})
    assert response.status_code == 400 and "national_id" in response.json()
    second_head = make_person(43) | {"household": household.pk, "relation": "head"}
    response = client.post("/api/people/", second_head)
    assert response.status_code == 400 and "relation" in response.json()
    future = make_person(44) | {"household": household.pk, "relation": "child"}
    response = client.post("/api/people/", future | {"birth_date": "2999-01-01"})
    assert response.status_code == 400 and "birth_date" in response.json()


def test_no_mass_assignment(api, volunteer_a, coordinator, communities, households):
    client = api(volunteer_a)
    protected = {
        "code": "HACKED-1",
        "version": 99,
        "is_demo": True,
        "created_by": coordinator.pk,
        "updated_by": coordinator.pk,
        "member_count": 7,
        "subdistrict": "100905",
    }
    response = client.post("/api/households/", {"community": communities["A"].pk} | protected)
    assert response.status_code == 201, response.content
    created = Household.objects.get(pk=response.json()["id"])
    assert created.code.startswith(communities["A"].code) and created.version == 1
    assert not created.is_demo and created.created_by == volunteer_a
    assert created.subdistrict_id == communities["A"].subdistrict_id

    household = households["A"]
    response = client.patch(
        f"/api/households/{household.pk}/",
        protected | {"house_no": "5/5", "version": 1, "community": communities["B"].pk, "id": 999},
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert household.house_no == "5/5" and household.version == 2  # bumped once, not set
    assert household.code != "HACKED-1" and household.community == communities["A"]
    assert not household.is_demo and household.pk != 999

    person = head(household)
    response = client.patch(
        f"/api/people/{person.pk}/",
        {"version": 1, "is_undocumented": True, "is_demo": True, "created_by": coordinator.pk},
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert not person.is_undocumented and not person.is_demo and person.version == 2


def test_stale_version_gives_409_with_current_record(api, volunteer_a, coordinator, households):
    household = households["A"]
    client = api(volunteer_a)
    read = client.get(f"/api/households/{household.pk}/").json()
    assert read["version"] == 1
    # Someone else saves first.
    services.household_update(
        actor=coordinator, household=household, expected_version=1, data={"house_no": "theirs"}
    )
    response = client.patch(
        f"/api/households/{household.pk}/", {"house_no": "mine", "version": read["version"]}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["current"]["house_no"] == "theirs" and body["current"]["version"] == 2
    assert body["current"]["members"][0]["relation"] == "head"
    household.refresh_from_db()
    assert household.house_no == "theirs"
    # Applying the change to the current version goes through.
    response = client.put(
        f"/api/households/{household.pk}/", {"house_no": "mine", "version": 2, "tenure": "owned"}
    )
    assert response.status_code == 200 and response.json()["version"] == 3

    person = head(household)
    services.person_update(
        actor=coordinator,
        person=person,
        expected_version=1,
        data=make_person(1, first_name="ของเขา"),
    )
    response = client.patch(f"/api/people/{person.pk}/", {"first_name": "ของฉัน", "version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["first_name"] == "ของเขา"
    assert response.json()["current"]["version"] == 2


def test_update_needs_a_version(api, volunteer_a, households):
    response = api(volunteer_a).patch(f"/api/households/{households['A'].pk}/", {"house_no": "9"})
    assert response.status_code == 400 and "version" in response.json()


def test_partial_person_update_keeps_other_fields(api, volunteer_a, households):
    person = head(households["A"])
    response = api(volunteer_a).patch(
        f"/api/people/{person.pk}/", {"phone": "0812345678", "version": 1}
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.phone == "0812345678"
    assert person.national_id == make_person(1)["national_id"]
    assert person.first_name == "สมชาย1" and person.birth_date == dt.date(1980, 1, 1)
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(person.pk))
    assert set(event.changes) == {"phone"}


# Audit --------------------------------------------------------------------------------------


def test_detail_reads_and_list_pages_are_audited(api, volunteer_a, households):
    client = api(volunteer_a)
    household, person = households["A"], head(households["A"])
    client.get(f"/api/households/{household.pk}/", HTTP_USER_AGENT="ppaos-test")
    client.get(f"/api/people/{person.pk}/")
    views = AuditEvent.objects.filter(actor=volunteer_a, action=Action.VIEW)
    assert {(e.object_type, e.object_id) for e in views} == {
        ("registry.household", str(household.pk)),
        ("registry.person", str(person.pk)),
    }
    seen = views.get(object_type="registry.household")
    assert seen.user_agent == "ppaos-test" and seen.path == f"/api/households/{household.pk}/"

    client.get("/api/households/?page_size=1")
    client.get("/api/people/")
    exports = AuditEvent.objects.filter(actor=volunteer_a, action=Action.EXPORT).order_by("id")
    assert [(e.object_label, e.object_id) for e in exports] == [
        ("API list of households", "1"),
        ("API list of people", "1"),
    ]
    assert exports[0].path == "/api/households/?page_size=1"


# Filters and pagination ---------------------------------------------------------------------


def test_household_filters(api, coordinator, households):
    client = api(coordinator)
    a, b, c = households["A"], households["B"], households["C"]
    assert codes(client.get(f"/api/households/?community={a.community_id}")) == {a.code}
    assert codes(client.get("/api/households/?area=1008")) == {a.code, b.code}
    assert codes(client.get("/api/households/?area=100905")) == {c.code}
    assert codes(client.get(f"/api/households/?code={b.code}")) == {b.code}
    services.household_update(actor=coordinator, household=c, expected_version=1, data={})
    c.refresh_from_db()
    since = c.updated_at.isoformat()
    assert codes(client.get("/api/households/", {"updated_since": since})) == {c.code}
    assert client.get("/api/households/?area=10x").status_code == 400
    assert client.get("/api/households/?updated_since=yesterday").status_code == 400
    assert client.get("/api/households/?updated_since=0001-01-01T00:00:00Z").status_code == 400
    # An offset PostgreSQL would refuse (beyond ±15:59) is read as the same instant in UTC.
    assert (
        client.get("/api/households/?updated_since=2001-01-01T00:00:00%2B20:55").status_code == 200
    )


def test_people_filters(api, coordinator, households):
    client = api(coordinator)
    today = dt.date.today()
    services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(50, national_id="", has_disability_card=True, birth_date=None),
        relation="child",
    )
    services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(51, birth_date=today.replace(year=today.year - 10)),
        relation="child",
    )

    def names(query: str) -> set[str]:
        response = client.get(f"/api/people/?{query}")
        assert response.status_code == 200, response.content
        return {p["first_name"] for p in response.json()["results"]}

    assert names("has_disability_card=true") == {"สมชาย50"}
    assert names("undocumented=true") == {"สมชาย50"}
    assert names(f"household={households['A'].pk}") == {"สมชาย1", "สมชาย50", "สมชาย51"}
    assert names("area=1009") == {"สมชาย3"}
    assert names("age_max=10") == {"สมชาย51"}
    assert names("age_min=10&age_max=10") == {"สมชาย51"}
    assert names("age_min=11") == {"สมชาย1", "สมชาย2", "สมชาย3"}
    assert client.get("/api/people/?age_min=-1").status_code == 400
    assert client.get("/api/people/?age_max=1000").status_code == 400


def test_pagination(api, coordinator, households):
    client = api(coordinator)
    first = client.get("/api/households/?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = client.get("/api/households/?page_size=2&page=2").json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get("/api/households/?page=9").status_code == 404
    request = Request(APIRequestFactory().get("/api/households/?page_size=100000"))
    assert Pagination().get_page_size(request) == MAX_PAGE_SIZE == 200
