"""Area scoping, persona by persona: out of scope is always 404, by URL."""

import pytest

from ppaos.audit.models import AuditEvent


def urls_for(household):
    return [
        f"/households/{household.pk}/",
        f"/households/{household.pk}/edit/",
        f"/households/{household.pk}/members/new/",
    ]


@pytest.mark.django_db
def test_volunteer_sees_own_community_household(login, volunteer_a, households):
    client = login(volunteer_a)
    response = client.get(f"/households/{households['A'].pk}/")
    assert response.status_code == 200
    assert "สมชาย1" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("other", ["B", "C"])
def test_volunteer_cannot_reach_another_community_household(login, volunteer_a, households, other):
    client = login(volunteer_a)
    for url in urls_for(households[other]):
        assert client.get(url).status_code == 404, url
    person = households[other].memberships.get().person
    assert client.get(f"/people/{person.pk}/edit/").status_code == 404
    assert client.post(f"/people/{person.pk}/edit/", {"first_name": "x"}).status_code == 404
    assert (
        client.get(f"/communities/{households[other].community_id}/households/new/").status_code
        == 404
    )
    assert not AuditEvent.objects.filter(actor=volunteer_a, action="view").exists()


@pytest.mark.django_db
def test_volunteer_community_list_holds_only_their_households(login, volunteer_a, households):
    client = login(volunteer_a)
    response = client.get(f"/communities/{households['A'].community_id}/")
    assert households["A"].code in response.text
    assert households["B"].code not in response.text
    assert client.get(f"/communities/{households['B'].community_id}/").status_code == 404


@pytest.mark.django_db
def test_district_officer_sees_own_district_only(login, district_officer, households):
    client = login(district_officer)
    assert client.get(f"/households/{households['A'].pk}/").status_code == 200
    assert client.get(f"/households/{households['B'].pk}/").status_code == 200
    assert client.get(f"/households/{households['C'].pk}/").status_code == 404
    assert client.get("/areas/d/1009/").status_code == 404
    page = client.get("/areas/d/1008/")
    assert page.status_code == 200


@pytest.mark.django_db
def test_agency_officer_sees_no_household_list(login, agency_officer, households):
    client = login(agency_officer)
    home = client.get("/")
    assert home.status_code == 200
    assert 'id="agency-inbox"' in home.text
    assert "/areas/" not in home.text
    for url in [
        "/areas/",
        "/areas/d/1008/",
        f"/communities/{households['A'].community_id}/",
        f"/households/{households['A'].pk}/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_researcher_sees_counts_but_no_names(login, researcher, households):
    client = login(researcher)
    district = client.get("/areas/d/1008/")
    assert district.status_code == 200
    community = client.get(f"/communities/{households['A'].community_id}/")
    assert community.status_code == 200
    assert households["A"].code not in community.text
    assert "สมชาย1" not in community.text
    assert client.get(f"/households/{households['A'].pk}/").status_code == 404


@pytest.mark.django_db
def test_community_leader_reads_but_cannot_edit(login, leader_a, households):
    client = login(leader_a)
    assert client.get(f"/households/{households['A'].pk}/").status_code == 200
    assert client.get(f"/households/{households['A'].pk}/edit/").status_code == 404
    assert client.get(f"/households/{households['B'].pk}/").status_code == 404


@pytest.mark.django_db
def test_audit_page_is_for_coordinators_only(login, volunteer_a, coordinator):
    assert login(volunteer_a).get("/audit/").status_code == 404
    assert login(coordinator).get("/audit/").status_code == 200


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, households):
    response = client.get(f"/households/{households['A'].pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona, home_marker",
    [
        ("coordinator", "/areas/"),
        ("district_officer", "/areas/d/1008/"),
        ("volunteer_a", 'id="my-communities"'),
        ("leader_a", "/communities/"),
        ("researcher", "/areas/"),
        ("agency_officer", 'id="agency-inbox"'),
    ],
)
def test_each_role_lands_on_its_own_home(request, login, communities, persona, home_marker):
    user = request.getfixturevalue(persona)
    response = login(user).get("/")
    assert response.status_code == 200
    assert home_marker in response.text
