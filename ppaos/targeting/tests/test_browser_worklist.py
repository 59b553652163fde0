"""A volunteer on a phone finds a household in their worklist by name, follows "record visit",
and sees the households on a map (real Chromium, see ppaos.lib.testing_browser).

Assertions lean on ids and structure, not wording: the UI is Thai."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, live_login
from ppaos.registry.models import Household
from ppaos.targeting.tests.test_worklist import add_household

pytest_plugins = ["ppaos.lib.testing_browser"]
pytestmark = pytest.mark.browser


@pytest.fixture
def street(campaign, households, coordinator):
    community = households["A"].community
    return {
        "A": households["A"],
        "manee": add_household(community, coordinator, n=11, house_no="10/2", first_name="มานี"),
        "kitti": add_household(community, coordinator, n=12, house_no="2/7", first_name="กิตติ"),
    }


def test_volunteer_filters_by_name_and_records_a_visit_on_a_phone(
    live_server, phone_page, campaign, street, volunteer_a
):
    phone, url = phone_page, live_server.url
    live_login(phone, live_server, volunteer_a.username, PASSWORD)
    phone.goto(url + f"/targeting/campaigns/{campaign.pk}/worklist/")
    expect(phone.locator("#worklist li")).to_have_count(3)
    expect(phone.locator("#worklist-progress progress")).to_have_attribute("max", "3")

    # Typing a name filters on the server; htmx swaps the list in place.
    phone.fill("#id_q", "มานี")
    expect(phone.locator("#worklist li")).to_have_count(1)
    item = phone.locator("#worklist li").first
    expect(item).to_contain_text(street["manee"].code)
    expect(item.locator(".worklist-head")).to_contain_text("มานี")
    assert "q=" in phone.url  # the filtered list has its own address (back button, sharing)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "volunteer-worklist-filtered.png", full_page=True)

    with phone.expect_navigation():
        item.locator("a.button").tap()
    assert phone.url.endswith(f"/households/{street['manee'].pk}/visit/")
    # The outcome has no default: the volunteer must choose it.
    expect(phone.locator("#id_outcome")).to_have_value("")


def test_worklist_map_shows_households_and_sets_labels_as_text(
    live_server, phone_page, campaign, street, volunteer_a
):
    marked = street["manee"]
    Household.objects.filter(pk=marked.pk).update(
        latitude=Decimal("13.7500"), longitude=Decimal("100.5000"), soi="<img src=x id=pwned>"
    )
    Household.objects.filter(pk=street["kitti"].pk).update(
        latitude=Decimal("13.7510"), longitude=Decimal("100.5010")
    )
    phone, url = phone_page, live_server.url
    live_login(phone, live_server, volunteer_a.username, PASSWORD)
    phone.goto(url + f"/targeting/campaigns/{campaign.pk}/worklist/?view=map")
    markers = phone.locator("#worklist-map path.leaflet-interactive")
    expect(markers).to_have_count(2)
    expect(phone.locator("#map-unmapped")).to_be_visible()  # household A has no location
    markers.first.click()
    popup = phone.locator(".worklist-popup")
    expect(popup).to_be_visible()
    link = re.compile(rf"^/targeting/campaigns/{campaign.pk}/households/\d+/visit/$")
    expect(popup.locator("a.button")).to_have_attribute("href", link)
    phone.goto(url + f"/targeting/campaigns/{campaign.pk}/worklist/?view=map&q=10/2")
    expect(phone.locator("#worklist-map path.leaflet-interactive")).to_have_count(1)
    phone.locator("#worklist-map path.leaflet-interactive").click()
    expect(phone.locator(".worklist-popup")).to_contain_text("<img src=x id=pwned>")
    phone.wait_for_timeout(400)  # the popup fades in
    expect(phone.locator("#pwned")).to_have_count(0)
    phone.screenshot(path=ARTIFACTS / "volunteer-worklist-map.png", full_page=True)
