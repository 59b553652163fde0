"""The verification journey in a real Chromium: a coordinator imports a target list with bad
rows, links it and opens a campaign; a volunteer visits on a phone; the report counts it."""

import pytest
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, TIMEOUT_MS, live_login
from ppaos.targeting import verification
from ppaos.targeting.models import Campaign, TargetRecord, Visit

pytest_plugins = ["ppaos.lib.testing_browser"]
pytestmark = pytest.mark.browser


# How many lines the text of an element takes.
LINES_OF_TEXT = """e => { const r = document.createRange(); r.selectNodeContents(e);
  return new Set([...r.getClientRects()].map(rect => Math.round(rect.top))).size; }"""


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def target_csv(households) -> bytes:
    rows = ["เลขประจำตัวประชาชน,ชื่อ,นามสกุล,วันเกิด,รหัสแขวง"]
    for key in ("A", "B"):
        person = households[key].memberships.get().person
        born = person.birth_date
        rows.append(
            f"{person.national_id},{person.first_name},{person.last_name},"
            f"{born.day}/{born.month}/{born.year + 543},{households[key].subdistrict_id}"
        )
    rows.append("1234545678789,ผิด,เลขบัตร,1/1/2500,100801")  # bad check digit: line 4
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_coordinator_imports_and_volunteer_verifies_on_a_phone(
    live_server, desk_page, phone_page, coordinator, volunteer_a, households, communities
):
    page, url = desk_page, live_server.url
    live_login(page, live_server, coordinator.username, PASSWORD)

    # Import: the bad row is reported with its line number; the good rows are saved.
    page.goto(url + "/targeting/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "tpmap.csv", "mimeType": "text/csv", "buffer": target_csv(households)}],
    )
    page.fill("#id_year_be", "2566")
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    expect(page.locator("#job")).to_have_attribute("data-status", "done")
    expect(page.locator("#rejected")).to_contain_text("4")
    expect(page.locator("#created")).to_have_text("2")
    assert TargetRecord.objects.count() == 2
    # On a phone the line column keeps its header word and its numbers whole.
    page.set_viewport_size({"width": 390, "height": 844})
    for cell in ("#rejected th.num", "#rejected td.num"):
        assert page.eval_on_selector(cell, LINES_OF_TEXT) == 1, cell
    page.set_viewport_size({"width": 1280, "height": 900})

    # Link the list to the registry (Splink); both records find their person.
    page.click("text=" + page.locator("#job a").first.inner_text())
    with page.expect_navigation():
        page.click("#run-linkage")
    expect(page.locator("#job")).to_have_attribute("data-status", "done", timeout=120_000)
    assert TargetRecord.objects.filter(person__isnull=False).count() == 2

    # Open a campaign and give community A to the volunteer.
    page.goto(url + "/targeting/campaigns/new/")
    page.fill("#id_name", "สอบทานทดสอบ")
    page.select_option("#id_target_list", index=1)
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    page.select_option("#id_community", str(communities["A"].pk))
    page.select_option("#id_volunteer", str(volunteer_a.pk))
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    expect(page.locator("#assignments")).to_contain_text(communities["A"].code)
    campaign = Campaign.objects.get()

    # The volunteer, on a phone, visits the listed household: consent first.
    phone = phone_page
    live_login(phone, live_server, volunteer_a.username, PASSWORD)
    phone.goto(url + f"/targeting/campaigns/{campaign.pk}/worklist/")
    item = phone.locator("#worklist li").first
    expect(item).to_contain_text(households["A"].code)
    expect(item.locator(".tag.warn")).to_be_visible()  # on the target list
    with phone.expect_navigation():
        item.locator("a.button").tap()
    phone.check("#id_consent_given")
    phone.fill("#id_consent_by", "นายสมชาย1 ใจดี")
    phone.select_option("#id_outcome", "not_poor")
    phone.select_option("#id_ind_h2_safe_food", "yes")
    phone.select_option("#id_cap_hu1_health", "3")
    with phone.expect_navigation():
        phone.locator("form.stacked button[type=submit]").tap()
    expect(phone.locator("#worklist li").first.locator(".tag").last).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "volunteer-worklist.png", full_page=True)
    visit = Visit.objects.get()
    assert visit.on_target_list and visit.survey.capital_items == {"hu1_health": 3}

    # One answer is an incomplete survey: it cannot confirm the volunteer's "not poor", so the
    # report counts the visit as not checked against a survey, not as an inclusion error.
    (check,) = verification.visit_checks([visit])
    assert check.state == verification.UNCHECKED and check.reviewed_status is None
    page.goto(url + f"/targeting/campaigns/{campaign.pk}/report/")
    expect(page.locator("#error-report thead")).to_contain_text("ยังไม่ได้ตรวจกับแบบสำรวจ")
    expect(page.locator("#total-row td").nth(3)).to_have_text("—")  # no คนจนไม่จริง yet
    expect(page.locator("#total-row td").nth(6)).to_have_text("1")  # not checked
    page.screenshot(path=ARTIFACTS / "coordinator-error-report.png", full_page=True)
