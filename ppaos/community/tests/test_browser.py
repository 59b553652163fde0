"""A community leader in a real Chromium (see ppaos.lib.testing_browser), on a phone: opens the
community's data book, downloads its PDF, records the community meeting's decision on a
proposal, requests the items from the district office (Bangkok's procurement mode), and after
the district has bought and delivered them confirms their receipt; the ledger and the public
page show them.

Assertions lean on ids and structure, not wording: the UI is Thai, and its translations change.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.community import procurement, services
from ppaos.community.models import Procurement, ProposalStatus
from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, live_login

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"community-{name}.png", full_page=True)


def _tap(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.tap()


def test_leader_reads_the_data_book_and_records_the_fund(
    live_server, phone_page, leader_a, district_officer, picture, bangkok_year
):
    page, url = phone_page, live_server.url
    community = picture["community"]
    proposal = services.proposal_create(
        actor=leader_a,
        fund_year=bangkok_year,
        title="ซ่อมทางเดินในชุมชน",
        purpose="ทางเดินชำรุด",
        amount_requested=Decimal("60000"),
        proposer_name="คณะกรรมการชุมชน",
    )
    broken = set()

    def check(response):
        if response.url.endswith("/favicon.ico"):
            return
        if response.status >= 400 and response.url.startswith(url):
            broken.add(f"{response.status} {response.url.removeprefix(url)}")

    page.on("response", check)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # The data book, from the menu: the community's exact figures and its charts.
    live_login(page, live_server, leader_a.username, PASSWORD)
    _tap(page, "#nav-databook")
    assert page.url == url + reverse("community:databook", args=[community.pk])
    expect(page.locator("h1")).to_contain_text(community.name_th)
    expect(page.locator('[data-count="households"]')).to_have_text("7")
    expect(page.locator("#bars-levels tr")).to_have_count(4)
    expect(page.locator("#capital-radar")).to_be_visible()
    _shot(page, "1-databook")

    # The PDF downloads.
    with page.expect_download() as download:
        page.locator("#databook-pdf").tap()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename == f"databook-{community.code}.pdf"

    # The fund: the meeting's decision on the proposal.
    _tap(page, "#link-fund")
    _tap(page, f'.fund-year[data-year="{bangkok_year.year_be}"] h2 a')
    _tap(page, f'tr[data-proposal="{proposal.pk}"] a.record-decision')
    page.fill("#id_meeting_date", "10/1/2569")
    page.fill("#id_attendance", "40")
    page.fill("#id_votes_for", "31")
    page.fill("#id_votes_against", "4")
    page.fill("#id_votes_abstain", "5")
    page.fill("#id_approved_amount", "50000")
    page.fill("#id_minutes_note", "ที่ประชุมเห็นชอบ 50,000 บาท")
    _shot(page, "2-decision")
    _tap(page, "#save")
    assert page.url == url + reverse("community:fund_year", args=[bangkok_year.pk])
    row = page.locator(f'tr[data-proposal="{proposal.pk}"]')
    expect(row).to_have_attribute("data-status", ProposalStatus.APPROVED)
    expect(page.locator('[data-money="approved"]')).to_have_text("50,000.00")

    # Bangkok: the community requests the items; the district office buys and delivers them.
    expect(page.locator("#fiscal-year")).to_have_attribute("data-mode", "procurement")
    _tap(page, f'tr[data-proposal="{proposal.pk}"] a.request-items')
    page.fill("#id_items", "ปูนซีเมนต์ 20 ถุง ทราย 2 คิว")
    page.fill("#id_amount_requested", "50000")
    page.fill("#id_requested_on", "15/1/2569")
    _tap(page, "#save")
    item = Procurement.objects.get()
    assert page.url == url + reverse("community:procurement", args=[item.pk])
    expect(page.locator("#procurement-status")).to_have_attribute("data-status", "requested")
    item = procurement.procurement_purchase(
        actor=district_officer,
        procurement=item,
        expected_version=item.version,
        procured_on=dt.date(2026, 2, 1),
        method="specific",
        amount=Decimal("12500.75"),
        supplier="ร้านวัสดุก่อสร้าง",
    )
    procurement.procurement_deliver(
        actor=district_officer,
        procurement=item,
        expected_version=item.version,
        delivered_on=dt.date(2026, 2, 10),
        delivery_note="ส่งมอบครบ",
    )
    # The leader confirms what arrived.
    page.reload()
    page.fill("#id_received_on", "11/2/2569")
    page.locator("#id_complete_0").check()
    _shot(page, "3-receipt")
    _tap(page, "#save")
    expect(page.locator("#procurement-status")).to_have_attribute("data-status", "received")
    page.goto(url + reverse("community:fund_year", args=[bangkok_year.pk]))
    expect(page.locator('[data-money="spent"]')).to_have_text("12,500.75")
    expect(page.locator('[data-money="balance"]')).to_have_text("187,499.25")
    _shot(page, "4-ledger")

    # The public page shows what was bought, without the supplier's name.
    page.goto(url + reverse("community:public", args=[community.pk]))
    expect(page.locator(".public-procurement div")).to_have_attribute("data-status", "received")
    expect(page.locator("body")).not_to_contain_text("ร้านวัสดุก่อสร้าง")
    _shot(page, "5-public")
    assert not broken, broken
    assert not violations, violations
