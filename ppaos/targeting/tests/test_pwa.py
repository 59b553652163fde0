"""The volunteers' offline web app: manifest, service worker, worklist data and the sync API
(views_pwa.py, services_sync.py)."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ppaos.audit.models import AuditEvent
from ppaos.registry.models import Household
from ppaos.registry.services import household_update
from ppaos.targeting.models import Visit

YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def visit_item(household, campaign, *, base_version=None, item_id=None, **fields):
    values = {
        "consent_given": "on",
        "consent_by": "นางมาลี",
        "consent_purpose": "verify",
        "visited_on": YESTERDAY,
        "outcome": "confirmed_poor",
        "base_version": str(household.version if base_version is None else base_version),
    } | fields
    return {
        "id": item_id or str(uuid.uuid4()),
        "kind": "visit",
        "campaign": campaign.pk,
        "household": household.pk,
        "fields": [[k, v] for k, v in values.items()],
    }


def household_item(community, campaign, *, item_id=None):
    return {
        "id": item_id or str(uuid.uuid4()),
        "kind": "household",
        "campaign": campaign.pk,
        "community": community.pk,
        "fields": [["house_no", "99/9"], ["moo", "3"]],
        "members": [
            [
                ["relation", "head"],
                ["prefix", "nang"],
                ["first_name", "บุญมา"],
                ["last_name", "ดีใจ"],
                ["sex", "F"],
                ["birth_date", "1/1/2510"],
            ]
        ],
    }


def post_sync(client, items):
    response = client.post(
        reverse("targeting:sync"), json.dumps({"items": items}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_manifest_is_installable_with_a_thai_name(client):
    response = client.get(reverse("targeting:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    with translation.override("th"):
        data = json.loads(client.get(reverse("targeting:manifest")).content)
    assert data["display"] == "standalone"
    assert data["start_url"] == "/targeting/"
    assert any("\u0e00" <= c <= "\u0e7f" for c in data["name"])  # Thai script
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_with_its_scope_and_never_cached(client):
    response = client.get(reverse("targeting:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/targeting/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert body.startswith("const PPAOS = ")
    assert "/static/ppaos/pwa/pwa.js" in body


def test_worklist_data_is_the_volunteers_slice_and_audited(
    client, login, campaign, households, volunteer_a
):
    login(volunteer_a)
    response = client.get(reverse("targeting:worklist_data", args=[campaign.pk]))
    data = response.json()
    assert {h["code"] for h in data["households"]} == {households["A"].code}
    assert reverse("targeting:visit", args=[campaign.pk, households["A"].pk]) in data["pages"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        actor=volunteer_a, object_label__startswith="worklist for offline use"
    ).exists()


def test_worklist_data_of_a_campaign_not_assigned_is_404(client, login, campaign, leader_a):
    login(leader_a)
    response = client.get(reverse("targeting:worklist_data", args=[campaign.pk]))
    assert response.status_code == 404


def test_sync_saves_a_visit_once_however_often_replayed(
    client, login, campaign, households, volunteer_a
):
    login(volunteer_a)
    item = visit_item(households["A"], campaign, needs="ข้าวสาร")
    first = post_sync(client, [item])
    again = post_sync(client, [item])
    assert first[0]["status"] == "saved"
    assert again[0] == first[0] | {"replayed": True, "message": ""}
    visit = Visit.objects.get()
    assert visit.submission_id == f"pwa:{item['id']}"
    assert visit.source == "pwa"
    assert visit.volunteer == volunteer_a
    assert visit.survey is not None and visit.survey.collected_by == volunteer_a
    assert AuditEvent.objects.filter(
        actor=volunteer_a, object_type="registry.household", object_id=str(households["A"].pk)
    ).exists()


def test_sync_visit_on_an_older_household_version_goes_to_review(
    client, login, campaign, households, volunteer_a, coordinator
):
    household = households["A"]
    item = visit_item(household, campaign)  # started on the phone at the current version
    household_update(
        actor=coordinator,
        household=household,
        expected_version=household.version,
        data={"house_no": "1/2"},
    )
    login(volunteer_a)
    result = post_sync(client, [item])[0]
    assert result["status"] == "conflict"
    visit = Visit.objects.get()
    assert visit.status == Visit.Status.CONFLICT
    household.refresh_from_db()
    assert household.house_no == "1/2"  # the registry is not overwritten


def test_sync_out_of_scope_household_is_an_error_and_not_saved(
    client, login, campaign, households, volunteer_a
):
    login(volunteer_a)
    outside = visit_item(households["B"], campaign)
    hidden = visit_item(households["C"], campaign)
    inside = visit_item(households["A"], campaign)
    results = post_sync(client, [outside, hidden, inside])
    assert [r["status"] for r in results] == ["error", "error", "saved"]
    assert results[0]["message"] == results[1]["message"]  # no hint the household exists
    assert list(Visit.objects.values_list("household", flat=True)) == [households["A"].pk]


def test_sync_rejects_survey_answers_without_consent(
    client, login, campaign, households, volunteer_a
):
    login(volunteer_a)
    item = visit_item(households["A"], campaign, consent_given="", needs="ข้าวสาร")
    result = post_sync(client, [item])[0]
    assert result["status"] == "error"
    assert result["message"]  # the service's reason, in the user's language
    assert not Visit.objects.exists()


def test_sync_creates_a_new_household_with_its_head_once_and_audits_it(
    client, login, campaign, communities, volunteer_a
):
    login(volunteer_a)
    before = Household.objects.count()
    item = household_item(communities["A"], campaign)
    first = post_sync(client, [item])[0]
    again = post_sync(client, [item])[0]
    assert first["status"] == "saved", first
    assert again["replayed"] and again["object_id"] == first["object_id"]
    assert Household.objects.count() == before + 1
    household = Household.objects.get(pk=first["object_id"])
    assert household.community == communities["A"]
    assert household.created_by == volunteer_a
    head = household.memberships.get().person
    assert head.first_name == "บุญมา"
    audited = AuditEvent.objects.filter(actor=volunteer_a)
    assert audited.filter(object_type="registry.household", object_id=str(household.pk)).exists()
    assert audited.filter(object_type="registry.person", object_id=str(head.pk)).exists()


def test_sync_new_household_in_a_community_not_assigned_is_an_error(
    client, login, campaign, communities, volunteer_a
):
    login(volunteer_a)
    before = Household.objects.count()
    result = post_sync(client, [household_item(communities["B"], campaign)])[0]
    assert result["status"] == "error"
    assert Household.objects.count() == before


def test_sync_another_users_record_id_is_not_replayed_to_them(
    client, login, campaign, households, volunteer_a, coordinator
):
    login(volunteer_a)
    item = visit_item(households["A"], campaign)
    post_sync(client, [item])
    client.logout()
    login(coordinator)
    result = post_sync(client, [item])[0]
    assert result["status"] == "error"
    assert result["object_id"] is None


def test_sync_bad_items_and_bad_bodies(client, login, campaign, volunteer_a):
    login(volunteer_a)
    results = post_sync(client, [{"id": "not-a-uuid", "kind": "visit"}, "x"])
    assert [r["status"] for r in results] == ["error", "error"]
    response = client.post(reverse("targeting:sync"), "{", content_type="application/json")
    assert response.status_code == 400


def test_sync_needs_login_and_csrf(campaign, households, volunteer_a):
    from django.test import Client

    body = json.dumps({"items": [visit_item(households["A"], campaign)]})
    response = Client().post(reverse("targeting:sync"), body, content_type="application/json")
    assert response.status_code == 302  # to the login page
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(volunteer_a)
    response = strict.post(reverse("targeting:sync"), body, content_type="application/json")
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_household_new_page_without_javascript_saves_through_sync(
    client, login, campaign, communities, volunteer_a
):
    login(volunteer_a)
    url = reverse("targeting:household_new", args=[campaign.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "community": communities["A"].pk,
            "house_no": "5/5",
            "head-relation": "head",
            "head-first_name": "ทองดี",
            "head-last_name": "มีสุข",
            "head-sex": "M",
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(house_no="5/5")
    assert household.memberships.get().person.first_name == "ทองดี"


def test_household_new_page_adds_other_members_and_skips_empty_slots(
    client, login, campaign, communities, volunteer_a
):
    login(volunteer_a)
    url = reverse("targeting:household_new", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert 'name="m1-first_name"' in page and 'name="m3-relation"' in page
    assert 'name="m1-phone"' not in page  # the slots ask only who the member is
    response = client.post(
        url,
        {
            "community": communities["A"].pk,
            "house_no": "6/6",
            "head-relation": "head",
            "head-first_name": "ทองดี",
            "head-last_name": "มีสุข",
            "head-sex": "M",
            "m1-relation": "spouse",
            "m1-first_name": "มาลี",
            "m1-last_name": "มีสุข",
            "m1-sex": "F",
            "m1-birth_date": "2/3/2515",
            "m2-relation": "",  # an untouched slot
            "m3-relation": "child",  # a relation chosen but no name: skipped too
        },
    )
    assert response.status_code == 302
    household = Household.objects.get(house_no="6/6")
    stays = {m.person.first_name: m for m in household.memberships.select_related("person")}
    assert set(stays) == {"ทองดี", "มาลี"}
    assert stays["มาลี"].relation == "spouse"
    assert stays["มาลี"].person.birth_date == dt.date(1972, 3, 2)


def test_household_new_page_shows_a_member_slot_error_and_saves_nothing(
    client, login, campaign, communities, volunteer_a
):
    login(volunteer_a)
    url = reverse("targeting:household_new", args=[campaign.pk])
    response = client.post(
        url,
        {
            "community": communities["A"].pk,
            "house_no": "7/7",
            "head-relation": "head",
            "head-first_name": "ทองดี",
            "head-last_name": "มีสุข",
            "head-sex": "M",
            "m1-first_name": "มาลี",  # no relation
        },
    )
    assert response.status_code == 200
    assert not Household.objects.filter(house_no="7/7").exists()
    assert 'id="household-result"' in response.content.decode()


def test_a_member_error_in_a_synced_household_names_the_member(
    client, login, campaign, communities, volunteer_a
):
    login(volunteer_a)
    item = household_item(communities["A"], campaign)
    item["members"].append([["relation", "child"], ["first_name", "น้องฟ้า"], ["last_name", "ดีใจ"]])
    [result] = post_sync(client, [item])
    assert result["status"] == "error"
    assert result["message"] == "น้องฟ้า ดีใจ: เพศ: ฟิลด์นี้จำเป็น"  # the sync answers in Thai
    assert not Household.objects.filter(house_no="99/9").exists()


def test_household_new_page_of_a_campaign_not_assigned_is_404(client, login, campaign, leader_a):
    login(leader_a)
    url = reverse("targeting:household_new", args=[campaign.pk])
    assert client.get(url).status_code == 404


def test_logout_clears_the_site_data(client, login, volunteer_a):
    login(volunteer_a)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
