"""Access requests (s.30): the person's full record as JSON and as a Thai PDF, coordinators and
admins only, within their area, each download audited as an export."""

import json
import re

import pytest
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.lib.testing_pdf import pdf_objects
from ppaos.privacy import export, hooks, services

pytestmark = pytest.mark.django_db


def test_json_export_holds_the_whole_record_and_is_audited(login, coordinator, head_a):
    services.consent_record(
        actor=coordinator,
        person=head_a,
        purpose="registry",
        lawful_basis="public_task",
    )
    services.request_open(actor=coordinator, person=head_a, kind="access")
    response = login(coordinator).get(f"/privacy/people/{head_a.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["person"]["national_id"] == head_a.national_id  # the subject's own copy: in full
    assert data["person"]["first_name"] == head_a.first_name
    assert data["households"][0]["household_code"] == head_a.memberships.get().household.code
    assert data["consents"][0]["lawful_basis"] == "public_task"
    assert data["requests"][0]["kind"] == "access"
    assert any(e["action"] == "create" for e in data["access_log"])
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert (event.actor, event.object_type, event.object_id) == (
        coordinator,
        "registry.person",
        str(head_a.pk),
    )
    assert event.changes == {"format": [None, "json"]}


def test_other_apps_add_sections_to_the_export(coordinator, head_a):
    @hooks.export_section
    def referrals(person):
        return ("Referrals", [{"service": "เบี้ยยังชีพผู้สูงอายุ", "status": "open"}])

    try:
        record = export.person_record(head_a, actor=coordinator)
    finally:
        hooks.unregister(referrals)
    assert record["other"]["Referrals"][0]["status"] == "open"
    with translation.override("en"):  # labels are msgids; read them untranslated
        sections = export.pdf_sections(record)
    assert ("Referrals", [[("service", "เบี้ยยังชีพผู้สูงอายุ"), ("status", "open")]]) in sections


def test_pdf_export_is_thai_with_sarabun_embedded(login, coordinator, head_a):
    response = login(coordinator).get(f"/privacy/people/{head_a.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    objects = pdf_objects(pdf)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Sarabun", objects), "Sarabun is not used"
    assert b"/FontFile2" in objects, "the font is not embedded"
    # Thai text is real, searchable text: the ToUnicode map sends glyphs to ส and ม (U+0E2A,
    # U+0E21) of the person's name.
    unicode_map = objects.lower()
    assert re.search(rb"<[0-9a-f]{4}> <0e2a>", unicode_map)
    assert re.search(rb"<[0-9a-f]{4}> <0e21>", unicode_map)
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.changes == {"format": [None, "pdf"]}


@pytest.mark.parametrize("suffix", ["", "export.json", "export.pdf"])
def test_exports_are_for_coordinators_in_scope_only(
    login, suffix, head_a, volunteer_a, leader_a, district_officer, researcher, coordinator_1009
):
    url = f"/privacy/people/{head_a.pk}/{suffix}"
    for user in (volunteer_a, leader_a, district_officer, researcher, coordinator_1009):
        assert login(user).get(url).status_code == 404, user.username
    assert not AuditEvent.objects.filter(action="export").exists()
