"""Stored XSS: Thai names, addresses and notes carrying markup are shown as text, escaped, on
every page that displays them."""

import datetime as dt

import pytest
from django.utils.html import escape

from ppaos.registry.services import household_create, person_add_to_household
from ppaos.targeting.models import LinkCandidate, LinkStatus, TargetList, TargetRecord
from ppaos.targeting.services import campaign_assign, campaign_open

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("สมชาย")</script>'
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(2)>"
PAYLOADS = (SCRIPT, IMG, SVG)
SHORT = "<b>9</b>"  # for 20-character fields


def assert_escaped(html: str, *payloads: str) -> None:
    for payload in payloads:
        assert payload not in html, f"raw markup rendered: {payload}"
        assert escape(payload) in html, f"payload not shown at all: {payload}"


@pytest.fixture
def marked(coordinator, volunteer_a, communities):
    """A household, its head, a campaign and a review pair, all carrying markup."""
    household = household_create(
        actor=coordinator,
        community=communities["A"],
        data={"house_no": "9/9", "soi": IMG, "village": SCRIPT, "road": SVG},
    )
    person = person_add_to_household(
        actor=coordinator,
        household=household,
        data={"first_name": SCRIPT, "last_name": IMG, "sex": "F", "occupation": SVG},
        relation="head",
        start_date=dt.date(2020, 1, 1),
    )
    campaign = campaign_open(actor=coordinator, name=f"รอบ {SCRIPT}", target_list=None)
    campaign_assign(campaign=campaign, community=communities["A"], volunteer=volunteer_a)
    listed = TargetList.objects.create(source="tpmap", year_be=2566, name=SVG)
    record = TargetRecord.objects.create(
        target_list=listed,
        record_key="k1",
        line_no=2,
        first_name=IMG,
        last_name=SCRIPT,
        house_no=SHORT,
        subdistrict_code=household.subdistrict_id,
        link_status=LinkStatus.REVIEW,
    )
    candidate = LinkCandidate.objects.create(record=record, person=person, probability=0.7)
    return {"household": household, "person": person, "campaign": campaign, "candidate": candidate}


def test_household_page_escapes_names_and_address(login, coordinator, marked):
    page = login(coordinator).get(f"/households/{marked['household'].pk}/")
    assert page.status_code == 200
    assert_escaped(page.text, *PAYLOADS)


def test_person_form_escapes_stored_values(login, coordinator, marked):
    page = login(coordinator).get(f"/people/{marked['person'].pk}/edit/")
    assert_escaped(page.text, *PAYLOADS)


def test_community_page_and_search_escape_addresses_and_the_query(login, coordinator, marked):
    client = login(coordinator)
    community = marked["household"].community
    assert_escaped(client.get(f"/communities/{community.pk}/").text, IMG, SCRIPT, SVG)
    reflected = client.get(f"/communities/{community.pk}/", {"q": IMG})
    assert IMG not in reflected.text
    rows = client.get(f"/communities/{community.pk}/", {"q": "9/9"}, HTTP_HX_REQUEST="true")
    assert_escaped(rows.text, IMG, SCRIPT)


def test_worklist_escapes_campaign_name_and_addresses(login, volunteer_a, marked):
    page = login(volunteer_a).get(f"/targeting/campaigns/{marked['campaign'].pk}/worklist/")
    assert page.status_code == 200
    assert_escaped(page.text, SCRIPT, IMG, SVG)


def test_review_pages_escape_both_sides(login, coordinator, marked):
    client = login(coordinator)
    queue = client.get("/targeting/review/")
    assert_escaped(queue.text, IMG, SCRIPT)
    pair = client.get(f"/targeting/review/{marked['candidate'].pk}/")
    assert pair.status_code == 200
    assert_escaped(pair.text, SCRIPT, IMG, SHORT)


def test_audit_page_escapes_labels_and_changes(login, coordinator, marked):
    page = login(coordinator).get("/audit/")
    assert page.status_code == 200
    assert_escaped(page.text, SCRIPT, IMG, SVG)
    filtered = login(coordinator).get("/audit/", {"actor": SCRIPT, "object_id": IMG})
    assert SCRIPT not in filtered.text and IMG not in filtered.text


def test_visit_notes_are_escaped_when_the_form_comes_back(login, volunteer_a, marked):
    url = f"/targeting/campaigns/{marked['campaign'].pk}/households/{marked['household'].pk}/visit/"
    page = login(volunteer_a).post(
        url, {"outcome": "confirmed_poor", "notes": SCRIPT, "needs": IMG, "consent_by": SVG}
    )
    assert page.status_code == 200  # no visit date: the form comes back with the input
    assert_escaped(page.text, *PAYLOADS)


def test_privacy_page_escapes_request_details(login, coordinator, marked):
    from ppaos.privacy.services import request_open

    request_open(
        actor=coordinator, person=marked["person"], kind="access", requester_name=IMG, details=SVG
    )
    page = login(coordinator).get(f"/privacy/people/{marked['person'].pk}/")
    assert_escaped(page.text, *PAYLOADS)
