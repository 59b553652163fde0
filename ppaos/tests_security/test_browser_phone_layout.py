"""On a 360 px phone no page scrolls sideways, in Thai or in English (issue 15, item 10).

Each role's main pages are opened in a 360×740 viewport; `document.documentElement.scrollWidth`
must not exceed `window.innerWidth`. A failure names each page and how wide it was.
"""

import pytest
from django.urls import reverse

from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND, default_set, scenario  # noqa: F401 (fixtures)
from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, PHONE, live_login

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser

SMALL_PHONE = PHONE | {"viewport": {"width": 360, "height": 740}}

MEASURE = """(() => {
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > 361
      && !e.closest('.scroll-x, .leaflet-container, .visually-hidden'))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
  return [document.documentElement.scrollWidth, window.innerWidth, wide];
})()"""


@pytest.fixture
def assessed(scenario):  # noqa: F811 (the imported fixture)
    assessment_run(round_name=ROUND)
    return scenario


def _pages(role, communities, households, assessed):
    community = communities["A"].pk
    household = households["A"].pk
    profile = reverse("assessment:household", args=[assessed["X"].pk])
    registry = [
        reverse("registry:household_detail", args=[household]),
        reverse("areas:community", args=[community]),
        reverse("registry:search") + "?q=1%2F1",
    ]
    analysis = [
        reverse("home"),
        reverse("dashboards:city"),
        reverse("dashboards:district", args=["1008"]),
        reverse("dashboards:community", args=[community]),
        reverse("areas:home_province"),
        reverse("assessment:home"),
        reverse("assessment:province", args=["10"]),
        reverse("assessment:district", args=["1008"]),
        reverse("assessment:community", args=[community]),
        reverse("livelihoods:programmes"),
        reverse("livelihoods:mobility"),
        reverse("livelihoods:mobility_province", args=["10"]),
        reverse("community:public", args=[community]),
    ]
    return {
        "volunteer": [reverse("home"), reverse("targeting:home"), *registry],
        "leader": [
            reverse("home"),
            reverse("community:my_databook"),
            reverse("community:my_fund"),
            reverse("community:my_corrections"),
            *registry,
        ],
        "district_officer": [
            *analysis,
            *registry,
            profile,
            reverse("referrals:home"),
            reverse("referrals:excluded"),
            reverse("targeting:home"),
        ],
        "coordinator": [
            *analysis,
            *registry,
            profile,
            reverse("community:databook", args=[community]),
            reverse("community:fund", args=[community]),
            reverse("community:review_queue"),
            reverse("community:fund_home"),
            reverse("referrals:home"),
            reverse("referrals:excluded"),
            reverse("referrals:catalogue"),
            reverse("targeting:home"),
            reverse("audit:list"),
            reverse("account"),
        ],
        "researcher": analysis,
    }[role]


def _measure(browser, live_server, user, urls, language):
    context = browser.new_context(**SMALL_PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        live_login(page, live_server, user.username, PASSWORD)
        if language == "en":
            with page.expect_navigation():
                page.click("#language-switch button[value=en]")
        widths = {}
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response.status == 200, f"{url}: {response.status}"
            page.wait_for_load_state("load")
            widths[url] = page.evaluate(MEASURE)
        return widths
    finally:
        context.close()


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(
    "role", ["volunteer", "leader", "district_officer", "coordinator", "researcher"]
)
def test_no_page_scrolls_sideways_at_360_px(
    request, browser, live_server, communities, households, assessed, role, language
):
    user = request.getfixturevalue(
        {
            "volunteer": "volunteer_a",
            "leader": "leader_a",
            "district_officer": "district_officer",
            "coordinator": "coordinator",
            "researcher": "researcher",
        }[role]
    )
    urls = _pages(role, communities, households, assessed)
    widths = _measure(browser, live_server, user, urls, language)
    too_wide = {url: w for url, w in widths.items() if max(w[0], w[1]) > 360}
    assert too_wide == {}, f"{role} ({language}): pages wider than 360 px: {too_wide}"


RADAR_LABELS_INSIDE = """(() => {
  const svg = document.querySelector('svg.radar');
  const box = svg.getBoundingClientRect();
  const labels = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect());
  return labels.length > 0 && labels.every(l => l.left >= box.left - 0.5
    && l.right <= box.right + 0.5 && l.top >= box.top - 0.5 && l.bottom <= box.bottom + 0.5);
})()"""


@pytest.mark.parametrize("language", ["th", "en"])
def test_radar_labels_are_not_clipped(browser, live_server, coordinator, assessed, language):
    """Issue 15: "างสังคม 1.75": the capitals' names ran past the drawing's edge."""
    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    try:
        live_login(page, live_server, coordinator.username, PASSWORD)
        if language == "en":
            with page.expect_navigation():
                page.click("#language-switch button[value=en]")
        page.goto(live_server.url + reverse("assessment:household", args=[assessed["X"].pk]))
        page.wait_for_load_state("load")
        assert page.evaluate(RADAR_LABELS_INSIDE)
        radar = page.locator("svg.radar")
        ARTIFACTS.mkdir(exist_ok=True)
        radar.screenshot(path=ARTIFACTS / f"radar-360-{language}.png")
    finally:
        context.close()


def test_a_message_below_the_fold_is_scrolled_into_view(
    browser, live_server, volunteer_a, households
):
    """Issue 15: the refusal for "household exited poverty" appeared 1,360 px down, off-screen.
    static/ppaos/app.js scrolls the first alert or error into view and focuses it."""
    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    try:
        live_login(page, live_server, volunteer_a.username, PASSWORD)
        url = live_server.url + reverse("registry:household_detail", args=[households["A"].pk])

        def late_alert(route):  # the page as a refused save renders it: the error far down
            body = route.fetch().text()
            filler = "<p>.</p>" * 120
            body = body.replace(
                "</main>", f'{filler}<div role="alert" id="late-alert">refused</div></main>'
            )
            route.fulfill(body=body, content_type="text/html; charset=utf-8")

        page.route(url, late_alert)
        page.goto(url)
        page.wait_for_function(
            "document.activeElement && document.activeElement.id === 'late-alert'"
        )
        box = page.evaluate(
            "(() => { const b = document.getElementById('late-alert').getBoundingClientRect();"
            " return [b.top, b.bottom, window.innerHeight]; })()"
        )
        assert box[0] >= 0 and box[1] <= box[2], box
    finally:
        context.close()


def test_print_hides_menus_and_buttons(browser, live_server, volunteer_a, households):
    """Issue 15, item 8: printed, a page is its content: no menu bar, search, language switch
    or buttons; the Print button (app.js, data-print) opens the browser's dialog."""
    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    try:
        live_login(page, live_server, volunteer_a.username, PASSWORD)
        page.goto(live_server.url + reverse("registry:household_detail", args=[households["A"].pk]))
        page.evaluate("window.print = () => { window.__printed = true; }")
        page.click("#print-page")
        assert page.evaluate("window.__printed === true")
        page.emulate_media(media="print")
        hidden = page.evaluate(
            """['header.top', '#language-switch', '#print-page', '#add-member']
              .map(s => document.querySelector(s))
              .filter(e => e && getComputedStyle(e).display !== 'none').length"""
        )
        assert hidden == 0
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
            "rgb(255, 255, 255)",
            "rgba(0, 0, 0, 0)",
        )
        assert page.locator("#members").is_visible()
    finally:
        context.close()
