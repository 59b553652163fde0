"""Issue 14: saving a person with a national ID must not tell the editor whether that ID is
already registered anywhere in the city. A duplicate is accepted with the ID held for review
(DuplicateIdFlag), and the answer is the same as for an ID no one holds, by API (create and
update) and by page. A reviewer who can see both records finds the flag; the editor cannot."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ppaos.conftest import make_person
from ppaos.registry import national_id, services
from ppaos.registry.models import DuplicateIdFlag, Person
from ppaos.registry.selectors import duplicate_flags

VOLATILE = {"id", "version", "created_at", "updated_at", "first_name", "full_name"}


def _api(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _head(household) -> Person:
    return household.memberships.get(relation="head").person


@pytest.fixture
def ids(households, coordinator):
    """Three valid IDs: one held outside volunteer A's scope (community C), one held inside it
    (a second member of household A), one held by no one."""
    inside = services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(31),
        relation="spouse",
    )
    return {
        "outside": _head(households["C"]).national_id,
        "inside": inside.national_id,
        "unknown": national_id.make("370010054321"),
    }


def _shape(response) -> tuple[int, dict]:
    body = response.json()
    return response.status_code, {k: v for k, v in body.items() if k not in VOLATILE}


@pytest.mark.django_db
def test_api_update_answers_the_same_whoever_holds_the_id(volunteer_a, households, ids):
    client = _api(volunteer_a)
    answers = {}
    for case, nid in ids.items():
        own = services.person_add_to_household(
            actor=volunteer_a,
            household=households["A"],
            data=make_person(40 + len(answers), national_id=None),
            relation="child",
        )
        response = client.patch(
            f"/api/people/{own.pk}/", {"national_id": nid, "version": own.version}
        )
        status, body = _shape(response)
        assert body["national_id"] == nid, (case, body)  # reads back as entered
        body.pop("national_id")
        answers[case] = (status, body)
    assert answers["outside"] == answers["inside"] == answers["unknown"]
    assert answers["unknown"][0] == 200


@pytest.mark.django_db
def test_api_create_answers_the_same_whoever_holds_the_id(volunteer_a, households, ids):
    client = _api(volunteer_a)
    answers = {}
    for case, nid in ids.items():
        data = make_person(50, national_id=nid) | {
            "household": households["A"].pk,
            "relation": "child",
        }
        status, body = _shape(client.post("/api/people/", data))
        assert body["national_id"] == nid
        answers[case] = (status, {k: v for k, v in body.items() if k != "national_id"})
    assert answers["outside"] == answers["inside"] == answers["unknown"]
    assert answers["unknown"][0] == 201


@pytest.mark.django_db
def test_the_edit_page_answers_the_same_whoever_holds_the_id(login, volunteer_a, households, ids):
    client = login(volunteer_a)
    answers = {}
    for case, nid in ids.items():
        own = services.person_add_to_household(
            actor=volunteer_a,
            household=households["A"],
            data=make_person(60 + len(answers), national_id=None),
            relation="child",
        )
        form = {
            "national_id": nid,
            "prefix": "nai",
            "first_name": "ทดสอบ",
            "sex": "M",
            "version": own.version,
        }
        response = client.post(f"/people/{own.pk}/edit/", form, follow=True)
        messages = [str(m) for m in response.context["messages"]]
        answers[case] = (response.redirect_chain, messages)
        again = client.get(f"/people/{own.pk}/edit/")
        assert again.context["form"].initial["national_id"] == nid
    assert answers["outside"] == answers["inside"] == answers["unknown"]


@pytest.mark.django_db
def test_the_duplicate_goes_to_a_reviewer_who_sees_both_records(
    login, volunteer_a, coordinator, households, ids
):
    own = _head(households["A"])
    response = _api(volunteer_a).patch(
        f"/api/people/{own.pk}/", {"national_id": ids["outside"], "version": own.version}
    )
    assert response.status_code == 200
    flag = DuplicateIdFlag.objects.get(person=own)
    assert flag.existing == _head(households["C"])
    own.refresh_from_db()
    assert own.national_id == make_person(1)["national_id"]  # the stored ID is unchanged
    assert list(duplicate_flags(user=volunteer_a)) == []
    assert list(duplicate_flags(user=coordinator)) == [flag]
    assert login(volunteer_a).get("/duplicate-ids/").status_code == 404
    page = login(coordinator).get("/duplicate-ids/")
    assert page.status_code == 200 and ids["outside"] in page.text


@pytest.mark.django_db
def test_an_own_correction_settles_the_held_id(volunteer_a, households, ids):
    own = _head(households["A"])
    client = _api(volunteer_a)
    client.patch(f"/api/people/{own.pk}/", {"national_id": ids["outside"], "version": own.version})
    fresh = national_id.make("370010054322")
    response = client.patch(
        f"/api/people/{own.pk}/", {"national_id": fresh, "version": own.version + 1}
    )
    assert response.status_code == 200 and response.json()["national_id"] == fresh
    flag = DuplicateIdFlag.objects.get(person=own)
    assert flag.resolution == "dismissed" and flag.resolved_by == volunteer_a
