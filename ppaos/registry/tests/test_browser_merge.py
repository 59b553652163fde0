"""On a phone, a stale save of a person merges (issue 15): the other person's change is in the
form, the field both changed is offered side by side, and the choice made is saved."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import ARTIFACTS, live_login
from ppaos.registry import services
from ppaos.registry.models import Person

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser


def _other_person_saves(pk: int, actor, **changes) -> None:
    current = Person.objects.get(pk=pk)
    data = {name: getattr(current, name) for name in services.PERSON_FIELDS}
    services.person_update(
        actor=actor, person=current, expected_version=current.version, data=data | changes
    )


def _save(page):
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").first.tap()


def test_stale_person_edit_merges_on_a_phone(
    live_server, phone_page, volunteer_a, coordinator, households
):
    page, url = phone_page, live_server.url
    head = households["A"].memberships.get().person
    _other_person_saves(head.pk, coordinator, occupation="ค้าขายอาหาร")
    live_login(page, live_server, volunteer_a.username, PASSWORD)
    page.goto(url + reverse("registry:person_edit", args=[head.pk]))
    expect(page.locator("#id_occupation")).to_have_value("ค้าขายอาหาร")

    # Meanwhile someone else changes the occupation and the last name.
    _other_person_saves(head.pk, coordinator, occupation="ค้าขายอาหารตามสั่ง", last_name="ใจงาม")
    page.fill("#id_phone", "0822222222")
    page.fill("#id_occupation", "รับจ้างทั่วไป")
    _save(page)

    expect(page.locator("form.stacked .errorlist.nonfield")).to_be_visible()
    expect(page.locator("#id_last_name")).to_have_value("ใจงาม")  # theirs, taken
    expect(page.locator("#id_phone")).to_have_value("0822222222")  # mine, kept
    choice = page.locator("#conflict-occupation")
    expect(choice).to_contain_text("ค้าขายอาหารตามสั่ง")
    expect(choice).to_contain_text("รับจ้างทั่วไป")
    boxes = choice.locator(".conflict-choice")
    first, second = boxes.nth(0).bounding_box(), boxes.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2 and first["x"] < second["x"]  # side by side
    assert second["x"] + second["width"] <= page.viewport_size["width"]  # within the phone
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "merge-conflict.png", full_page=True)

    choice.locator("input[value=theirs]").check()
    _save(page)
    assert page.url == url + reverse("registry:household_detail", args=[households["A"].pk])
    stored = Person.objects.get(pk=head.pk)
    assert (stored.occupation, stored.last_name, stored.phone) == (
        "ค้าขายอาหารตามสั่ง",
        "ใจงาม",
        "0822222222",
    )
