"""A referral in a real Chromium (see ppaos.lib.testing_browser): a district officer on a phone
finds an older person who is eligible but not receiving the allowance, refers her with her
consent; the agency officer, at a desk, accepts and completes it; the officer sees it completed,
the benefit recorded and the report updated.

Assertions lean on ids and structure, not wording: the UI is Thai, and its translations change.
"""

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, TIMEOUT_MS, live_login
from ppaos.referrals.models import Benefit, Referral, Status

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser

DESK = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "th-TH",
    "timezone_id": "Asia/Bangkok",
}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"referral-{name}.png", full_page=True)


def _tap(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.tap()


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_referral_from_district_officer_to_agency_and_back(
    live_server, phone_page, browser, district_officer, agency_officer, households, elder, old_age
):
    page, url = phone_page, live_server.url
    district_officer.email = "khet1008@example.org"
    district_officer.save(update_fields=["email"])
    broken = set()

    def check(response):
        if response.url.endswith("/favicon.ico"):
            return  # the browser asks for it on its own; PPAOS has none
        if response.status >= 400 and response.url.startswith(url):
            broken.add(f"{response.status} {response.url.removeprefix(url)}")

    page.on("response", check)

    # The district officer, on a phone, opens the "eligible but excluded" list.
    live_login(page, live_server, district_officer.username, PASSWORD)
    _tap(page, "#nav-referrals")
    _tap(page, "#excluded-link")
    row = page.locator(f"#excluded-people tr[data-person='{elder.pk}']")
    expect(row).to_contain_text(elder.first_name)
    expect(row.locator(".reason")).to_contain_text("≥ 60")
    _shot(page, "1-excluded")

    # Refer her, with her consent.
    _tap(page, f"#excluded-people tr[data-person='{elder.pk}'] a.refer")
    expect(page.locator("#new-agency")).to_contain_text(old_age.provider.name_th)
    page.fill("#id_note", "ช่วยขึ้นทะเบียนเบี้ยยังชีพให้ด้วย")
    page.locator("#id_consent_given").check()
    page.fill("#id_consent_by", "นางบุญมา ใจดี")
    _shot(page, "2-refer")
    _tap(page, "#send-referral")
    referral = Referral.objects.get()
    assert referral.status == Status.SENT
    assert page.url == url + reverse("referrals:detail", args=[referral.pk])
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "sent")
    expect(page.locator("#referral-due")).to_be_visible()
    _shot(page, "3-sent")

    # The agency officer, at a desk, finds it in the inbox on the home page.
    desk = browser.new_context(**DESK)
    desk.set_default_timeout(TIMEOUT_MS)
    agency = desk.new_page()
    agency.on("response", check)
    live_login(agency, live_server, agency_officer.username, PASSWORD)
    inbox_row = agency.locator(f"#agency-inbox tr[data-referral='{referral.pk}']")
    expect(inbox_row).to_contain_text(elder.first_name)
    _click(agency, f"#agency-inbox tr[data-referral='{referral.pk}'] a")
    # Only what the agency needs: name, contact, address, service, note; no ID, no household.
    summary = agency.locator("#referral-summary")
    expect(summary).to_contain_text(elder.first_name)
    expect(summary).to_contain_text(households["A"].house_no)
    expect(agency.locator("#referral-note")).to_contain_text("ช่วยขึ้นทะเบียน")
    assert elder.national_id[-4:] not in agency.content()
    assert households["A"].code not in agency.content()
    _shot(agency, "4-agency-case")
    _click(agency, "#form-accept button[type=submit]")
    expect(agency.locator("h1 [data-status]")).to_have_attribute("data-status", "accepted")

    # ...and completes it: she now receives the allowance.
    agency.fill("#form-complete #id_outcome", "ขึ้นทะเบียนแล้ว รับเงินเดือนถัดไป")
    expect(agency.locator("#form-complete #id_enrolled")).to_be_checked()
    _click(agency, "#form-complete button[type=submit]")
    expect(agency.locator("h1 [data-status]")).to_have_attribute("data-status", "completed")
    _shot(agency, "5-agency-completed")
    desk.close()

    # Back on the phone: completed, the benefit is on the household page, the report counts it.
    page.reload()
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "completed")
    expect(page.locator("#referral-outcome")).to_contain_text("ขึ้นทะเบียนแล้ว")
    page.goto(url + reverse("referrals:household", args=[households["A"].pk]))
    expect(page.locator("#benefits tr[data-service='old_age_allowance']")).to_have_count(1)
    expect(page.locator("#household-referrals")).to_contain_text(referral.number)
    _shot(page, "6-household")
    page.goto(url + reverse("referrals:reports"))
    expect(page.locator("#people-enrolled")).to_have_text("1")
    expect(page.locator("#total-completed")).to_have_text("1")
    _shot(page, "7-report")
    page.goto(url + reverse("referrals:excluded"))
    expect(page.locator(f"#excluded-people tr[data-person='{elder.pk}']")).to_have_count(0)

    benefit = Benefit.objects.get()
    assert (benefit.person, benefit.referral) == (elder, referral)
    # E-mails: "new" to the agency, "completed" back to the officer.
    assert sorted(m.to[0] for m in mail.outbox) == ["agency@example.org", "khet1008@example.org"]
    assert all(referral.number in m.subject for m in mail.outbox)
    assert not broken, f"the server failed these requests: {broken}"
