"""The home page says what to do next: review queues with counts and links for district
officers (their district) and coordinators (city-wide, with held national IDs); decided
corrections with unread notices for community leaders."""

import re

import pytest

from ppaos.community import services
from ppaos.registry.models import Person

pytestmark = pytest.mark.django_db


def _count(page: str, key: str) -> int | None:
    match = re.search(
        rf'data-action="{key}"[^>]*>.*?<span class="next-count[^"]*">(\d+)</span>', page, re.S
    )
    return int(match.group(1)) if match else None


def _propose(leader, household, name="สมชัย"):
    person = Person.objects.get(memberships__household=household, memberships__relation="head")
    return services.correction_propose(
        actor=leader,
        household=household,
        person=person,
        field="first_name",
        value=name,
        reason="สะกดผิด",
    )


def test_district_officer_sees_their_district_queues(
    login, district_officer, leader_a, households, communities
):
    _propose(leader_a, households["A"])
    # A correction in community C (another district) is not theirs.
    other = services.new_household_propose(
        actor=leader_a,
        community=communities["C"],
        household_data={"house_no": "1"},
        head_data={"first_name": "ก"},
        reason="แจ้ง",
    )
    assert other.pk
    page = login(district_officer).get("/").content.decode()
    assert _count(page, "corrections") == 1
    assert _count(page, "overdue") == 0
    assert _count(page, "linkage") == 0
    assert 'href="/community/corrections/review/"' in page
    assert _count(page, "duplicate-ids") is None  # city-wide only


def test_coordinator_sees_city_wide_queues(login, coordinator, leader_a, households, communities):
    _propose(leader_a, households["A"])
    services.new_household_propose(
        actor=leader_a,
        community=communities["C"],
        household_data={"house_no": "1"},
        head_data={"first_name": "ก"},
        reason="แจ้ง",
    )
    page = login(coordinator).get("/").content.decode()
    assert _count(page, "corrections") == 2
    assert _count(page, "duplicate-ids") == 0
    assert 'href="/duplicate-ids/"' in page


def test_leader_sees_decided_corrections_and_unread_notices(
    login, leader_a, district_officer, households
):
    correction = _propose(leader_a, households["A"])
    services.correction_reject(
        actor=district_officer, correction=correction, expected_version=1, note="ไม่ถูกต้อง"
    )
    client = login(leader_a)
    page = client.get("/").content.decode()
    assert 'id="unread-count"' in page
    assert f'data-correction="{correction.pk}" class="unread"' in page
    client.get(f"/community/corrections/{correction.pk}/")
    page = client.get("/").content.decode()
    assert 'id="unread-count"' not in page
    assert f'data-correction="{correction.pk}"' in page
