"""The eligibility list (issue 15, item 1): the area is picked from the user's own districts and
communities, not typed as a code, and the people come a page (settings.PAGE_SIZE) at a time."""

import datetime as dt

import pytest

from ppaos.conftest import make_person
from ppaos.registry.services import person_add_to_household


@pytest.mark.django_db
def test_area_menu_lists_only_the_users_districts_and_communities(
    district_officer, login, households, elder, old_age, communities
):
    page = login(district_officer).get("/referrals/eligibility/?service=old_age_allowance")
    assert '<select id="area-code" name="area">' in page.text
    assert 'type="text" id="area-code"' not in page.text
    assert '<option value="1008">' in page.text
    assert f'<option value="{communities["A"].code}">' in page.text
    assert '<option value="1009">' not in page.text  # khet 1009 is another officer's
    assert communities["C"].code not in page.text


@pytest.mark.django_db
def test_picking_a_community_narrows_the_list_and_an_area_outside_is_ignored(
    district_officer, login, households, elder, old_age, communities
):
    client = login(district_officer)
    url = "/referrals/eligibility/?service=old_age_allowance&area="
    in_a = client.get(url + communities["A"].code)
    assert f'<option value="{communities["A"].code}" selected>' in in_a.text
    assert elder.full_name in in_a.text
    in_b = client.get(url + communities["B"].code)
    assert elder.full_name not in in_b.text
    outside = client.get(url + communities["C"].code)  # not in the menu: the whole area
    assert outside.status_code == 200
    assert elder.full_name in outside.text
    assert outside.context["area_code"] == ""


@pytest.mark.django_db
def test_people_are_paged_by_the_page_size(
    settings, district_officer, coordinator, login, households, old_age
):
    settings.PAGE_SIZE = 2
    for n in range(5):
        person_add_to_household(
            actor=coordinator,
            household=households["A"],
            data=make_person(40 + n, birth_date=dt.date(1950, 1, 1), monthly_income=0),
            relation="parent",
            start_date=dt.date(2020, 1, 1),
        )
    client = login(district_officer)
    first = client.get("/referrals/eligibility/?service=old_age_allowance")
    assert first.context["total"] == 5
    assert len(first.context["page"].object_list) == 2
    assert "page=2" in first.text
    last = client.get("/referrals/eligibility/?service=old_age_allowance&page=3")
    assert len(last.context["page"].object_list) == 1
