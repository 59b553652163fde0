"""In a real Chromium the Content-Security-Policy blocks nothing PPAOS needs: login, the pages
and htmx's live household search work with no policy violation reported."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import live_login
from ppaos.registry.services import household_create

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_pages_and_htmx_search_run_under_the_policy(
    live_server, phone_page, coordinator, communities, households
):
    page = phone_page
    for house_no in ("11/1", "12/2", "99/9"):
        household_create(actor=coordinator, community=communities["A"], data={"house_no": house_no})
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    violations = []

    def collect():  # the listener lives in one document: read it before leaving the page
        violations.extend(page.evaluate("window.__cspViolations || []"))

    page.goto(live_server.url + reverse("login"))
    collect()
    live_login(page, live_server, coordinator.username, PASSWORD)
    collect()
    community = communities["A"]
    response = page.goto(live_server.url + reverse("areas:community", args=[community.pk]))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    rows = page.locator("#household-table tbody tr")
    expect(rows).to_have_count(4)
    page.fill("#q", "99/")  # htmx asks the server for matching rows as one types
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("99/9")
    collect()
    for url in (
        reverse("registry:household_detail", args=[households["A"].pk]),
        reverse("audit:list"),
        reverse("targeting:home"),
    ):
        page.goto(live_server.url + url)
        collect()
    assert violations == []
    assert not [m for m in console if "Content Security Policy" in m]
