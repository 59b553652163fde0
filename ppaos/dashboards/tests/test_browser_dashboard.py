"""The coordinator's journey in a real Chromium: refresh the figures, see the whole city on the
map, colour it by another figure, and drill city → district → community → household, through
the map (district outline, household point) and the tables, under the strict CSP."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.areas.boundaries import ATTRIBUTION
from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import TIMEOUT_MS, live_login
from ppaos.registry.models import Household

pytest_plugins = ["ppaos.lib.testing_browser"]
pytestmark = pytest.mark.browser


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_coordinator_sees_the_city_and_drills_to_a_household(
    live_server, desk_page, coordinator, city, outlines, communities
):
    # Households of community A spread 0.004° apart inside khet 1008's square.
    for n, key in enumerate(("a1", "a2", "a3", "a4")):
        Household.objects.filter(pk=city[key].pk).update(
            latitude=Decimal("13.710000") + Decimal("0.004") * n,
            longitude=Decimal("100.520000"),
        )
    page, url = desk_page, live_server.url
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Security Policy" in m.text else None)
    live_login(page, live_server, coordinator.username, PASSWORD)
    page.click("#home-dashboard")
    expect(page.locator("#figures-missing")).to_be_visible()
    with page.expect_navigation():
        page.click("#refresh-button")
    expect(page.locator("#job")).to_have_attribute("data-status", "done")
    page.goto(url + reverse("dashboards:city"))
    expect(page.locator("#figures-as-of")).to_contain_text("25")  # a Buddhist-era year
    expect(page.locator('[data-figure="households"]')).to_have_text("6")

    shapes = page.locator("#dashboard-map path.leaflet-interactive")
    expect(shapes).to_have_count(2)
    expect(page.locator("#dashboard-map .leaflet-control-attribution")).to_contain_text(ATTRIBUTION)
    page.select_option("#dashboard-map-figure", "households_verified")
    expect(page.locator("#dashboard-map")).to_have_attribute(
        "data-colour-by", "households_verified"
    )
    # Click khet 1008 on the map (the western square).
    lefts = shapes.evaluate_all("els => els.map(e => e.getBoundingClientRect().x)")
    west = shapes.nth(lefts.index(min(lefts)))
    with page.expect_navigation():
        west.click(position={"x": 5, "y": 5})
    assert page.url.endswith(reverse("dashboards:district", args=["1008"]))

    with page.expect_navigation():
        page.click(f'#child-table a[href$="/dashboards/c/{communities["A"].pk}/"]')
    expect(page.locator('[data-figure="households"]')).to_have_text("4")
    # The community's households appear as points; one opens its household page.
    expect(page.locator("#dashboard-map")).to_have_attribute("data-points", "4")
    shapes = page.locator("#dashboard-map path.leaflet-interactive")
    expect(shapes).to_have_count(5)  # the district outline and four households, unclustered
    shapes.last.click()
    link = page.locator(".leaflet-popup a.household-point-link")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert "/households/" in page.url
    # and back, by the table
    page.go_back()
    with page.expect_navigation():
        page.click(f'#household-table a:text("{city["a2"].code}")')
    assert page.url.endswith(reverse("registry:household_detail", args=[city["a2"].pk]))
    assert errors == []
