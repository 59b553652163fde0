"""Consent per person and purpose (PDPA ss.19, 20, 24, 26) and the 30-day request tracker."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ppaos.audit.models import AuditEvent
from ppaos.privacy import services
from ppaos.privacy.models import ConsentRecord, DataSubjectRequest, LawfulBasis, Purpose

pytestmark = pytest.mark.django_db


def test_consent_is_recorded_per_purpose_with_collector_and_audit(coordinator, head_a):
    record = services.consent_record(
        actor=coordinator,
        person=head_a,
        purpose=Purpose.REFERRAL,
        lawful_basis=LawfulBasis.CONSENT,
        given_by="สมชาย ใจดี",
        sensitive_data=True,
        share_with_agencies=True,
        notice_version="2567-1",
    )
    assert record.collector == coordinator and record.is_active
    assert services.has_sensitive_consent(head_a)
    event = AuditEvent.objects.get(object_type="privacy.consentrecord", object_id=str(record.pk))
    assert event.action == "create" and event.changes["purpose"] == [None, "referral"]
    assert "สมชาย" not in event.object_label

    services.consent_withdraw(actor=coordinator, consent=record)
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawn_by == coordinator
    assert not services.has_sensitive_consent(head_a)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=coordinator, consent=record)


def test_public_task_basis_needs_no_signature_but_sensitive_data_needs_consent(coordinator, head_a):
    services.consent_record(
        actor=coordinator,
        person=head_a,
        purpose=Purpose.REGISTRY,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
    )
    with pytest.raises(ValidationError) as e:
        services.consent_record(
            actor=coordinator,
            person=head_a,
            purpose=Purpose.REGISTRY,
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            sensitive_data=True,
        )
    assert "sensitive_data" in e.value.message_dict


def test_consent_needs_who_gave_it_and_a_guardian_for_a_minor(coordinator, child_a, head_a):
    with pytest.raises(ValidationError) as e:
        services.consent_record(
            actor=coordinator, person=head_a, purpose="registry", lawful_basis="consent"
        )
    assert "given_by" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.consent_record(
            actor=coordinator,
            person=child_a,
            purpose="registry",
            lawful_basis="consent",
            given_by="มะลิ",
        )
    assert "guardian_name" in e.value.message_dict
    record = services.consent_record(
        actor=coordinator,
        person=child_a,
        purpose="registry",
        lawful_basis="consent",
        guardian_name="สมชาย ใจดี",
        guardian_relation="บิดา",
    )
    assert record.guardian_name == "สมชาย ใจดี"


def test_consent_page_records_and_withdraws(login, coordinator, head_a):
    client = login(coordinator)
    url = f"/privacy/people/{head_a.pk}/"
    response = client.post(
        url,
        {
            "action": "consent",
            "consent-purpose": "registry",
            "consent-lawful_basis": "consent",
            "consent-given_by": "",
        },
    )
    assert response.status_code == 200
    assert "given_by" in response.context["forms"]["consent"].errors
    response = client.post(
        url,
        {
            "action": "consent",
            "consent-purpose": "registry",
            "consent-lawful_basis": "consent",
            "consent-given_by": "สมชาย ใจดี",
            "consent-sensitive_data": "on",
            "consent-given_on": "1/11/2569",
        },
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(person=head_a)
    assert record.sensitive_data and timezone.localtime(record.given_at).date() == dt.date(
        2026, 11, 1
    )
    response = client.post(f"/privacy/consents/{record.pk}/withdraw/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.is_active


def test_request_is_due_in_30_days_and_listed_until_closed(login, coordinator, head_a):
    received = timezone.now() - dt.timedelta(days=31)
    late = services.request_open(
        actor=coordinator, person=head_a, kind="access", received_at=received
    )
    fresh = services.request_open(actor=coordinator, person=head_a, kind="rectification")
    assert late.due_at == received + dt.timedelta(days=30)
    assert late.is_overdue and late.days_left() == -1
    assert not fresh.is_overdue and fresh.days_left() == 30

    page = login(coordinator).get("/privacy/")
    assert list(page.context["open_requests"]) == [late, fresh]
    assert 'class="overdue"' in page.text

    with pytest.raises(ValidationError) as e:
        services.request_close(actor=coordinator, request=late, status="rejected")
    assert "outcome" in e.value.message_dict
    services.request_close(
        actor=coordinator, request=late, status="rejected", outcome="ไม่พบตัวตนผู้ขอ"
    )
    late.refresh_from_db()
    assert late.status == DataSubjectRequest.Status.REJECTED and late.closed_by == coordinator
    assert list(login(coordinator).get("/privacy/").context["open_requests"]) == [fresh]


def test_request_logged_and_closed_through_the_page(login, coordinator, head_a):
    client = login(coordinator)
    response = client.post(
        f"/privacy/people/{head_a.pk}/",
        {"action": "request", "request-kind": "access", "request-requester_name": "ลูกสาว"},
    )
    assert response.status_code == 302
    dsr = DataSubjectRequest.objects.get(person=head_a)
    page = client.get(f"/privacy/people/{head_a.pk}/")
    assert "ลูกสาว" in page.text
    client.post(f"/privacy/requests/{dsr.pk}/close/", {"status": "done", "outcome": "ส่งสำเนา"})
    dsr.refresh_from_db()
    assert dsr.status == "done"
