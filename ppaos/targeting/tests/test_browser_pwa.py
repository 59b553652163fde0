"""A volunteer on a phone loses signal: the app keeps the worklist, the survey draft, a visit
and a new household on the phone, and sends them when the signal is back (real Chromium with
its service worker, see ppaos.lib.testing_browser; 127.0.0.1 is a secure context).

Assertions lean on ids and structure, not wording: the UI is Thai."""

import time

import pytest
from playwright.sync_api import expect

from ppaos.audit.models import AuditEvent
from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, live_login
from ppaos.registry.models import Household
from ppaos.targeting.models import Visit

pytest_plugins = ["ppaos.lib.testing_browser"]
pytestmark = pytest.mark.browser

QUEUE_LENGTH = """() => new Promise((resolve) => {
  const open = indexedDB.open("ppaos-offline", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("queue", { keyPath: "id" });
  open.onsuccess = () => {
    const all = open.result.transaction("queue").objectStore("queue").getAll();
    all.onsuccess = () => { resolve(all.result.length); open.result.close(); };
  };
})"""

DRAFTS = "Object.keys(localStorage).filter((k) => k.startsWith('ppaos-draft:'))"


def wait_for(check, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_volunteer_records_offline_and_the_phone_syncs_when_back_online(
    live_server, phone_page, campaign, households, volunteer_a
):
    phone, url = phone_page, live_server.url
    context = phone.context
    household = households["A"]
    visit_path = f"/targeting/campaigns/{campaign.pk}/households/{household.pk}/visit/"
    live_login(phone, live_server, volunteer_a.username, PASSWORD)

    # Online: the worklist installs the app and keeps its pages on the phone.
    phone.goto(url + f"/targeting/campaigns/{campaign.pk}/worklist/")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    expect(phone.locator("[data-pwa-worklist][data-pwa-kept]")).to_have_count(1)
    phone.reload()  # now under the service worker's control
    assert phone.evaluate("!!navigator.serviceWorker.controller")
    before_households = Household.objects.count()

    # The signal goes. The visit form opens from the phone, and keeps a draft as it is filled.
    context.set_offline(True)
    phone.goto(url + visit_path)
    expect(phone.locator("#visit-form")).to_be_visible()
    phone.check("#id_consent_given")
    phone.fill("#id_consent_by", "นางมาลี")
    phone.reload()  # reopening the form: the answers come back from the draft
    expect(phone.locator("#id_consent_by")).to_have_value("นางมาลี")
    expect(phone.locator("#id_consent_given")).to_be_checked()
    phone.select_option("#id_outcome", "confirmed_poor")
    phone.fill("#id_needs", "ข้าวสาร")
    with phone.expect_navigation():
        phone.click("#visit-form button[type=submit]")
    assert phone.url.endswith(f"/targeting/campaigns/{campaign.pk}/worklist/")

    # A household found on the way, with its head, also offline.
    phone.click("#household-new-link")
    expect(phone.locator("#household-new-form")).to_be_visible()
    phone.fill("#id_house_no", "77/1")
    phone.select_option("#id_head-relation", "head")
    phone.fill("#id_head-first_name", "บุญมา")
    phone.fill("#id_head-last_name", "ดีใจ")
    phone.select_option("#id_head-sex", "F")
    phone.click("#other-members summary")  # and her grandchild
    phone.select_option("#id_m1-relation", "grandchild")
    phone.fill("#id_m1-first_name", "น้องฟ้า")
    phone.fill("#id_m1-last_name", "ดีใจ")
    phone.select_option("#id_m1-sex", "F")
    with phone.expect_navigation():
        phone.click("#household-new-form button[type=submit]")
    assert phone.evaluate(QUEUE_LENGTH) == 2
    expect(phone.locator("#pwa-sync")).to_be_visible()  # "Sync now", with 2 waiting
    assert not Visit.objects.exists()
    assert Household.objects.count() == before_households
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "volunteer-offline-queue.png", full_page=True)

    # The signal is back: the phone sends the queue by itself.
    context.set_offline(False)
    assert wait_for(lambda: phone.evaluate(QUEUE_LENGTH) == 0)
    expect(phone.locator("#pwa-messages li.pwa-saved")).to_have_count(2)
    phone.screenshot(path=ARTIFACTS / "volunteer-offline-synced.png", full_page=True)

    visit = Visit.objects.get()
    assert visit.household == household and visit.volunteer == volunteer_a
    assert visit.source == "pwa" and visit.submission_id.startswith("pwa:")
    assert visit.consent_by == "นางมาลี"
    assert visit.survey is not None and visit.survey.needs == "ข้าวสาร"
    new = Household.objects.get(house_no="77/1")
    assert new.community == household.community
    people = {m.person.first_name: m.relation for m in new.memberships.select_related("person")}
    assert people == {"บุญมา": "head", "น้องฟ้า": "grandchild"}
    audited = AuditEvent.objects.filter(actor=volunteer_a, object_type="registry.household")
    assert audited.filter(object_id=str(household.pk), changes__has_key="visit").exists()
    assert audited.filter(object_id=str(new.pk), object_label__startswith="offline sync").exists()
    # The draft is gone once the visit is saved.
    assert phone.evaluate(DRAFTS) == []

    # Signing out wipes what the app kept on the phone.
    phone.click("form[data-pwa-logout] button")
    phone.wait_for_url("**/accounts/login/**")
    assert phone.evaluate("caches.keys()") == []
    assert phone.evaluate("localStorage.length") == 0
