"""A district-office referral in a real Chromium, on a phone (issue 15): the district officer
refers a household head for a survival bag, which the district office itself gives; a send
without consent is refused in red and keeps nothing; with consent it is sent to the office's
inbox, where the same officer accepts and completes it, then prints the letter.

Assertions lean on ids and structure, not wording (the UI is Thai)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.accounts.models import Organisation
from ppaos.areas.models import District
from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, live_login
from ppaos.referrals.models import Referral, Service, Status

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"district-office-{name}.png", full_page=True)


def _tap(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.tap()


def test_district_office_referral_from_sending_to_completion(
    live_server, phone_page, district_officer, households
):
    page, url = phone_page, live_server.url
    office = Organisation.objects.create(
        name_th="สำนักงานเขตทดสอบ",
        kind="district_office",
        district=District.objects.get(code="1008"),
    )
    Service.objects.create(
        code="survival_bag",
        name_th="ถุงยังชีพ",
        category="relief",
        provider_is_district_office=True,
        sla_days=7,
        required_documents=["บัตรประจำตัวประชาชน"],
    )
    household = households["A"]
    head = household.memberships.get(relation="head").person
    broken = set()

    def check(response):
        if response.url.endswith("/favicon.ico"):
            return
        if response.status >= 400 and response.url.startswith(url):
            broken.add(f"{response.status} {response.url.removeprefix(url)}")

    live_login(page, live_server, district_officer.username, PASSWORD)
    new_url = url + reverse("referrals:new", args=[household.pk, head.pk, "survival_bag"])
    page.goto(new_url)
    expect(page.locator("#new-agency")).to_contain_text(office.name_th)

    # Sending without consent: a red error, and no draft left behind.
    _tap(page, "#send-referral")
    expect(page.locator(".messages li.error")).to_be_visible()
    assert not Referral.objects.exists()
    _shot(page, "1-refused")

    page.on("response", check)
    page.locator("#id_consent_given").check()
    page.fill("#id_consent_by", head.full_name)
    _tap(page, "#send-referral")
    referral = Referral.objects.get()
    assert referral.status == Status.SENT and referral.organisation == office

    # The office's inbox, from the menu: the same officer answers for the office.
    _tap(page, "#nav-inbox")
    expect(page.locator(f"#inbox tr[data-referral='{referral.pk}']")).to_contain_text(
        head.first_name
    )
    _shot(page, "2-inbox")
    _tap(page, f"#inbox tr[data-referral='{referral.pk}'] a")
    _tap(page, "#form-accept button[type=submit]")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "accepted")
    page.fill("#form-complete #id_outcome", "มอบถุงยังชีพแล้ว")
    _tap(page, "#form-complete button[type=submit]")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "completed")
    _shot(page, "3-completed")

    # The letter for the person to carry.
    href = page.locator("#print-letter").get_attribute("href")
    letter = page.request.get(url + href)
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
    assert not broken, f"the server failed these requests: {broken}"
