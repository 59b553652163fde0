"""A volunteer on a phone registers a household in a real Chromium (see ppaos.lib.testing_browser).

Assertions lean on ids and structure, not wording: the UI is Thai, and its translations change.
"""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, live_login
from ppaos.registry import services
from ppaos.registry.models import Household, Person

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser

BAD_ID = "1234545678789"  # check digit wrong
GOOD_ID = "1234545678781"


def _submit(page):
    """Tap the form's first (main) submit button and wait for the answer page."""
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").first.tap()


def _shot(page, name: str) -> None:
    """Keep what the phone showed, for people to look at (CI can publish test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"volunteer-{name}.png", full_page=True)


def _field_error(page, name: str):
    return page.locator(f"#field-{name} [role=alert]")


def test_volunteer_registers_household_on_phone(live_server, phone_page, volunteer_a, communities):
    page, url = phone_page, live_server.url
    community = communities["A"]
    broken = set()  # our own requests (pages, CSS, JS, fonts) that the server failed

    def check(response):
        if response.status >= 400 and response.url.startswith(url):
            broken.add(f"{response.status} {response.url.removeprefix(url)}")

    page.on("response", check)

    # Log in through the form; home lists the volunteer's own community only.
    live_login(page, live_server, volunteer_a.username, PASSWORD)
    assert page.url == url + reverse("home")
    assert page.locator("html").get_attribute("lang") == "th"
    expect(page.locator("#my-communities")).to_contain_text(community.name_th)
    expect(page.locator("#my-communities")).not_to_contain_text(communities["B"].name_th)
    _shot(page, "home")

    # Tap "Add household" and save an address.
    add_url = reverse("registry:household_create", args=[community.pk])
    page.locator(f'#my-communities a[href="{add_url}"]').tap()
    page.wait_for_url(url + add_url)
    page.fill("#id_house_no", "99/9")
    page.fill("#id_soi", "ซอยทดสอบ 7")
    _submit(page)
    assert Household.objects.count() == 1
    household = Household.objects.get()
    assert page.url == url + reverse("registry:member_add", args=[household.pk])
    assert (household.community, household.house_no, household.soi) == (
        community,
        "99/9",
        "ซอยทดสอบ 7",
    )

    # The head, with a mistyped national ID: a visible error on that field, nothing saved.
    expect(page.locator("#id_relation")).to_have_value("head")
    page.fill("#id_national_id", BAD_ID)
    page.select_option("#id_prefix", "nai")
    page.fill("#id_first_name", "สมศักดิ์")
    page.fill("#id_last_name", "รักไทย")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "15/03/2510")
    _submit(page)
    expect(_field_error(page, "national_id")).to_be_visible()
    _shot(page, "bad-national-id")
    expect(page.locator("#id_national_id")).to_have_value(BAD_ID)  # the input is kept to fix
    assert Person.objects.count() == 0

    # Fixed: saved, and the household page shows the birth date in the Buddhist era.
    page.fill("#id_national_id", GOOD_ID)
    _submit(page)
    assert page.url == url + reverse("registry:household_detail", args=[household.pk])
    head = Person.objects.get()
    assert (head.national_id, head.birth_date, head.first_name) == (
        GOOD_ID,
        dt.date(1967, 3, 15),
        "สมศักดิ์",
    )
    members = page.locator("#members tbody tr")
    expect(members).to_have_count(1)
    expect(members.first).to_contain_text("สมศักดิ์")
    expect(members.first).to_contain_text("2510")
    _shot(page, "household")
    # Thai must not fall back to tofu on phones (and CI) without Thai system fonts.
    sarabun_loaded = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].some("
        "f => f.family.replaceAll('\"', '') === 'Sarabun' && f.status === 'loaded'))"
    )

    # A second member born on a day that does not exist: a visible error, nothing saved.
    page.locator("#add-member").tap()
    page.wait_for_url(url + reverse("registry:member_add", args=[household.pk]))
    expect(page.locator("#id_relation")).not_to_have_value("head")
    page.fill("#id_first_name", "สมหญิง")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", "31/02/2560")
    _submit(page)
    expect(_field_error(page, "birth_date")).to_be_visible()
    _shot(page, "bad-birth-date")
    assert Person.objects.count() == 1

    # A stale edit: the head is changed elsewhere while this phone has the form open.
    page.goto(url + reverse("registry:person_edit", args=[head.pk]))
    expect(page.locator("#id_first_name")).to_have_value("สมศักดิ์")
    current = Person.objects.get(pk=head.pk)
    data = {name: getattr(current, name) for name in services.PERSON_FIELDS}
    services.person_update(
        actor=volunteer_a,
        person=current,
        expected_version=current.version,
        data=data | {"first_name": "สมปอง"},
    )
    page.fill("#id_first_name", "สมเกียรติ")
    _submit(page)
    expect(page.locator("#conflicts")).to_be_visible()
    _shot(page, "conflict")
    expect(page.locator("#conflicts")).to_contain_text("สมปอง")
    expect(page.locator("#conflicts")).to_contain_text("สมเกียรติ")
    expect(page.locator("form.stacked .errorlist.nonfield")).to_be_visible()
    expect(page.locator("#id_first_name")).to_have_value("สมเกียรติ")  # the input is kept
    head.refresh_from_db()
    assert head.first_name == "สมปอง"
    assert head.version == current.version
    assert (Household.objects.count(), Person.objects.count()) == (1, 1)
    assert not broken, f"the server failed these requests (static files not found?): {broken}"
    assert sarabun_loaded, "the Sarabun web font did not load: Thai text falls back to tofu"
