"""On a phone-sized Chromium: the mobility page runs under the CSP, the matrix scrolls inside
its box instead of widening the page, and a researcher sees "< 5" for small counts."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import live_login
from ppaos.livelihoods.tests.factories import assess, household_with_head

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mobility_page_on_a_phone(live_server, phone_page, communities, coordinator, researcher):
    for n, (before, after) in enumerate([(1, 2)] * 2 + [(2, 2)] * 6 + [(3, 1)], start=500):
        household, _ = household_with_head(coordinator, communities["A"], n)
        assess(household, "2568-1", before)
        assess(household, "2568-2", after)
    page = phone_page
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    live_login(page, live_server, researcher.username, PASSWORD)
    page.goto(
        live_server.url + reverse("livelihoods:mobility_community", args=[communities["A"].pk])
    )
    expect(page.locator('[data-measure="same"]')).to_have_text("6")
    expect(page.locator('[data-measure="graduated"]')).to_have_text("< 5")
    expect(page.locator("#matrix")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    page.select_option("select[name=from_round]", "2568-2")
    page.select_option("select[name=to_round]", "2568-1")
    page.click("#rounds-form button")
    expect(page.locator('[data-measure="same"]')).to_have_text("6")
    assert "from_round=2568-2" in page.url
    assert violations == []
