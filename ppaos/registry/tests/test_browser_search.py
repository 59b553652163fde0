"""On a phone, a volunteer types a name without its tone mark into the header search box and
reaches the household (see ppaos.lib.testing_browser). Assertions lean on ids, not wording."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD, make_person
from ppaos.lib.testing_browser import ARTIFACTS, live_login
from ppaos.registry.services import person_add_to_household

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser


def test_volunteer_finds_a_person_from_the_header_on_a_phone(
    live_server, phone_page, volunteer_a, coordinator, households
):
    page, url = phone_page, live_server.url
    household = households["A"]
    person_add_to_household(
        actor=coordinator,
        household=household,
        data=make_person(51, prefix="nangsao", first_name="สมใจ", last_name="ศรีสุข", sex="F"),
        relation="spouse",
        start_date=dt.date(2021, 1, 1),
    )
    live_login(page, live_server, volunteer_a.username, PASSWORD)
    box = page.locator("#header-q")
    expect(box).to_be_visible()
    assert box.bounding_box()["width"] >= 200  # a whole row on a phone, not a sliver
    box.fill("น.ส. สมไจ")  # prefix typed, ใ typed as ไ
    with page.expect_navigation():
        box.press("Enter")
    assert "/search/" in page.url
    rows = page.locator("#search-people tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("สมใจ ศรีสุข")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "search-phone.png", full_page=True)
    with page.expect_navigation():
        rows.first.locator("a").first.tap()
    assert page.url == url + f"/households/{household.pk}/"
