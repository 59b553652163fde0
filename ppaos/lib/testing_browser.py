"""Pytest plugin for real-browser tests: Playwright driving Debian's Chromium.

Load it from a test module with `pytest_plugins = ["ppaos.lib.testing_browser"]`.

Playwright cannot download its own browsers here, so it launches the system Chromium
(`apt-get install chromium`). Without it the browser tests skip, loudly (in each skip reason and
in the terminal summary); with PPAOS_REQUIRE_BROWSER=1, which CI sets once Chromium is
installed, a missing browser fails the run instead of silently testing less.

Test modules also import `live_login` from here before pytest loads the plugin, so pytest cannot
rewrite its asserts (it has none) and would warn: PYTEST_DONT_REWRITE says that is intended.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = "BROWSER TESTS SKIPPED: /usr/bin/chromium not found; apt-get install chromium"
# Screenshots and failure evidence; the directory is gitignored.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A mid-range phone as volunteers carry it, with the Thai locale and clock they use.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "th-TH",
    "timezone_id": "Asia/Bangkok",
}
TIMEOUT_MS = 15_000

_failed_key = pytest.StashKey[bool]()


def browser_required() -> bool:
    return os.environ.get("PPAOS_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def before_browser():
    """What must happen before Playwright starts; ppaos/conftest.py overrides it."""


@pytest.fixture(scope="session")
def browser(before_browser):
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        if browser_required():
            pytest.fail(
                f"PPAOS_REQUIRE_BROWSER=1 but {CHROMIUM} is missing; apt-get install chromium"
            )
        pytest.skip(SKIP_REASON)
    # Playwright's sync API keeps an asyncio loop in this thread; Django's ORM would refuse to
    # run beside it in the test's own code (fixtures, assertions on the database).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone_page(browser, request):
    """A fresh page (own cookies) on a Thai phone. On failure, a screenshot goes to ARTIFACTS."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if request.node.stash.get(_failed_key, False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
        page.screenshot(path=ARTIFACTS / f"FAILED-{name}.png", full_page=True)
    context.close()


def live_login(page, live_server, username: str, password: str):
    """Log in through the real login form, as a person would; returns the page on home."""
    login_url = live_server.url + reverse("login")
    page.goto(login_url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    if page.url.startswith(login_url):
        raise AssertionError(f"{username} could not log in: still on {page.url}")
    return page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.stash[_failed_key] = True
    return report


def pytest_terminal_summary(terminalreporter):
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if SKIP_REASON in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        count = f"{len(skipped)} test{'s' if len(skipped) > 1 else ''}"
        terminalreporter.write_sep("!", f"{SKIP_REASON} ({count})", red=True, bold=True)
