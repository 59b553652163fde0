"""The volunteer's journey through the pages (the browser test repeats it on a phone)."""

import pytest

from ppaos.registry.models import Household, Person


def person_form(**extra):
    data = {
        "national_id": "1234545678781",
        "prefix": "nang",
        "first_name": "มาลี",
        "last_name": "ศรีสุข",
        "sex": "F",
        "birth_date": "15/03/2510",
    }
    return data | extra


@pytest.mark.django_db
def test_volunteer_adds_a_household_and_its_head(login, volunteer_a, communities):
    client = login(volunteer_a)
    response = client.post(
        f"/communities/{communities['A'].pk}/households/new/",
        {"house_no": "99/9", "soi": "ร่วมใจ", "tenure": "rented"},
    )
    household = Household.objects.get(house_no="99/9")
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.pk}/members/new/"
    response = client.post(response["Location"], person_form(relation="head"))
    assert response.status_code == 302
    person = Person.objects.get(first_name="มาลี")
    assert str(person.birth_date) == "1967-03-15"  # BE input, CE stored
    page = client.get(f"/households/{household.pk}/")
    assert "มาลี" in page.text
    assert "2510" in page.text  # shown in BE


@pytest.mark.django_db
def test_bad_id_and_impossible_date_get_clear_errors(login, volunteer_a, households):
    client = login(volunteer_a)
    url = f"/households/{households['A'].pk}/members/new/"
    response = client.post(url, person_form(relation="child", national_id="1234545678789"))
    assert response.status_code == 200
    assert 'id="field-national_id"' in response.text
    assert response.context["form"].errors["national_id"]
    response = client.post(url, person_form(relation="child", birth_date="31/02/2560"))
    assert response.context["form"].errors["birth_date"]
    assert not Person.objects.filter(first_name="มาลี").exists()


@pytest.mark.django_db
def test_stale_edit_shows_the_conflict_and_keeps_the_other_save(
    login, volunteer_a, coordinator, households
):
    from ppaos.registry.services import household_update

    household = households["A"]
    client = login(volunteer_a)
    form = client.get(f"/households/{household.pk}/edit/").context["form"]
    loaded_version = form.initial["version"]
    household_update(
        actor=coordinator,
        household=Household.objects.get(pk=household.pk),
        expected_version=loaded_version,
        data={"soi": "โดยผู้ประสานงาน"},
    )
    response = client.post(
        f"/households/{household.pk}/edit/",
        {"house_no": "1/1", "soi": "โดยอาสาสมัคร", "version": loaded_version},
    )
    assert response.status_code == 200
    assert 'id="conflicts"' in response.text
    assert "โดยผู้ประสานงาน" in response.text
    assert Household.objects.get(pk=household.pk).soi == "โดยผู้ประสานงาน"
    # Saving again, having seen the other value, is a deliberate choice and succeeds.
    again = client.post(
        f"/households/{household.pk}/edit/",
        {
            "house_no": "1/1",
            "soi": "โดยอาสาสมัคร",
            "version": response.context["form"].data["version"],
        },
    )
    assert again.status_code == 302
    assert Household.objects.get(pk=household.pk).soi == "โดยอาสาสมัคร"


@pytest.mark.django_db
def test_member_leaving_keeps_them_in_history(login, volunteer_a, households):
    client = login(volunteer_a)
    person = households["A"].memberships.get().person
    response = client.post(
        f"/people/{person.pk}/leave/", {"end_date": "1/6/2568", "reason": "moved"}
    )
    assert response.status_code == 302
    page = client.get(f"/households/{households['A'].pk}/")
    assert person.first_name not in page.text
    history = client.get(f"/households/{households['A'].pk}/?history=1")
    assert person.first_name in history.text


@pytest.mark.django_db
def test_browse_counts_from_city_to_household(login, coordinator, households):
    client = login(coordinator)
    city = client.get("/areas/")
    rows = {area.code: counts for area, counts in city.context["rows"]}
    assert rows["1008"].households == 2 and rows["1008"].people == 2
    assert rows["1009"].households == 1
    assert len(rows) == 50
    district = client.get("/areas/d/1008/")
    khwaeng = {area.code: counts for area, counts in district.context["rows"]}
    assert khwaeng["100801"].communities == 1 and khwaeng["100801"].households == 1
    assert len(khwaeng) == 5
    sub = client.get("/areas/s/100801/")
    assert [c.code for c, _ in sub.context["rows"]] == ["100801-01"]
    community = client.get(f"/communities/{households['A'].community_id}/")
    assert households["A"].code in community.text


@pytest.mark.django_db
def test_household_search_answers_htmx_with_rows_only(login, volunteer_a, households):
    client = login(volunteer_a)
    response = client.get(
        f"/communities/{households['A'].community_id}/",
        {"q": "00001"},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in response.text
    assert households["A"].code in response.text
