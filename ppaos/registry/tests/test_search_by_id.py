"""Searching a community's households by a member's national ID goes through its keyed hash."""

import pytest

pytestmark = pytest.mark.django_db


def test_community_search_finds_the_household_of_a_national_id(login, volunteer_a, households):
    household = households["A"]
    nid = household.memberships.get().person.national_id
    client = login(volunteer_a)
    dashed = f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"
    page = client.get(f"/communities/{household.community_id}/", {"q": dashed})
    assert page.status_code == 200 and household.code in page.text
    other = households["B"].memberships.get().person.national_id
    miss = client.get(f"/communities/{household.community_id}/", {"q": other})
    assert household.code not in miss.text  # another community's member finds nothing here
