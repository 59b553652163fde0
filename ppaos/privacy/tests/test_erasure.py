"""Erasure (s.33) and retention (s.37(3)): identifying data goes, counts stay, holds block."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from ppaos.audit.models import AuditEvent
from ppaos.dashboards.area_counts import total_counts
from ppaos.privacy import hooks, services
from ppaos.privacy.models import Anonymisation, DataSubjectRequest
from ppaos.registry.id_crypto import lookup_hash
from ppaos.registry.models import Membership, Person
from ppaos.registry.services import membership_end
from ppaos.targeting.models import TargetList, TargetRecord

pytestmark = pytest.mark.django_db


def _counts(user):
    totals = total_counts(user=user, area_code="10")
    return totals.communities, totals.households, totals.people


def test_erasure_blanks_identifiers_and_keeps_counts(coordinator, households, head_a):
    services.consent_record(
        actor=coordinator,
        person=head_a,
        purpose="registry",
        lawful_basis="consent",
        given_by="สมชาย ใจดี",
    )
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    TargetRecord.objects.create(
        target_list=listed,
        record_key=lookup_hash(head_a.national_id),
        line_no=2,
        national_id=head_a.national_id,
        first_name=head_a.first_name,
        last_name=head_a.last_name,
        person=head_a,
    )
    unlinked = TargetRecord.objects.create(  # another list's row with the ID, not linked yet
        target_list=TargetList.objects.create(source="local", year_be=2567),
        record_key=lookup_hash(head_a.national_id),
        line_no=5,
        national_id=head_a.national_id,
        first_name=head_a.first_name,
    )
    Person.objects.filter(pk=head_a.pk).update(
        nationality="other",
        nationality_reason="บัตรสีชมพู",
        house_register="elsewhere",
        house_register_place="อ.เมือง จ.ขอนแก่น",
        adl_score=4,
        adl_assessed_on=dt.date(2026, 1, 5),
        incontinent=True,
        in_state_care=False,
        state_pension=False,
    )
    head_a.refresh_from_db()
    request = services.request_open(actor=coordinator, person=head_a, kind="erasure")
    before = _counts(coordinator)
    stays = list(Membership.objects.filter(person=head_a).values_list("id", "end_date"))

    services.person_anonymise(actor=coordinator, person=head_a, request=request)

    person = Person.objects.get(pk=head_a.pk)
    assert person.national_id is None and person.phone == "" and person.last_name == ""
    assert (person.national_id_encrypted, person.national_id_hash) == ("", None)
    assert person.first_name == services.ERASED_NAME
    assert person.birth_date == dt.date(1980, 7, 1) and person.birth_date_estimated
    assert (person.nationality, person.nationality_reason) == ("", "")
    assert (person.house_register, person.house_register_place) == ("", "")
    assert (person.adl_score, person.adl_assessed_on, person.incontinent) == (None, None, None)
    assert (person.in_state_care, person.state_pension) == (None, None)
    assert person.sex == "M"  # kept for counts
    assert person.version == head_a.version + 1
    assert Anonymisation.objects.get(person=person).request == request
    assert list(Membership.objects.filter(person=person).values_list("id", "end_date")) == stays
    assert _counts(coordinator) == before
    assert person.consents.get().given_by == ""
    record = TargetRecord.objects.get(target_list=listed)
    assert (record.national_id, record.last_name) == (None, "")
    assert (record.national_id_encrypted, record.national_id_hash) == ("", None)
    assert record.first_name == services.ERASED_NAME
    unlinked.refresh_from_db()
    assert (unlinked.national_id_hash, unlinked.first_name) == (None, services.ERASED_NAME)
    request.refresh_from_db()
    assert request.status == DataSubjectRequest.Status.DONE
    event = AuditEvent.objects.filter(object_type="registry.person", object_id=str(person.pk))
    last = event.latest("id")
    assert last.changes["anonymised"] == [None, "request"]
    assert "สมชาย" not in last.object_label
    with pytest.raises(ValidationError):
        services.person_anonymise(actor=coordinator, person=person)


def test_legal_hold_and_other_apps_blockers_refuse_erasure(coordinator, head_a):
    hold = services.hold_place(actor=coordinator, person=head_a, reason="คดีพิพาทสิทธิ์")
    with pytest.raises(services.ErasureRefused) as e:
        services.person_anonymise(actor=coordinator, person=head_a)
    assert any("คดีพิพาทสิทธิ์" in reason for reason in e.value.reasons)
    services.hold_release(actor=coordinator, hold=hold)

    @hooks.erasure_blocker
    def active_referral(person):
        if person.pk == head_a.pk:
            yield "An active referral exists."

    try:
        with pytest.raises(services.ErasureRefused) as e:
            services.person_anonymise(actor=coordinator, person=head_a)
        assert e.value.reasons == ["An active referral exists."]
    finally:
        hooks.unregister(active_referral)
    services.person_anonymise(actor=coordinator, person=head_a)
    assert Person.objects.get(pk=head_a.pk).national_id is None


def test_erasure_through_the_page_shows_the_blocker(login, coordinator, head_a):
    services.hold_place(actor=coordinator, person=head_a, reason="ตรวจสอบโดย สตง.")
    client = login(coordinator)
    url = f"/privacy/people/{head_a.pk}/"
    assert "ตรวจสอบโดย สตง." in client.get(url).text
    response = client.post(url, {"action": "erase", "erase-confirm": "on"})
    assert response.status_code == 200
    assert "ตรวจสอบโดย สตง." in str(response.context["forms"]["erase"].non_field_errors())
    assert Person.objects.get(pk=head_a.pk).national_id == head_a.national_id
    hold = head_a.legal_holds.get()
    client.post(f"/privacy/holds/{hold.pk}/release/")
    assert client.post(url, {"action": "erase", "erase-confirm": "on"}).status_code == 302
    assert Anonymisation.objects.filter(person=head_a).exists()
    # The household page still lists the member, without a name.
    page = client.get(f"/households/{head_a.memberships.get().household_id}/")
    assert head_a.first_name not in page.text


def test_retention_job_anonymises_only_people_gone_past_retention(coordinator, households):
    gone_long = households["B"].memberships.get().person
    gone_recently = households["C"].memberships.get().person
    stays = households["A"].memberships.get().person
    today = dt.date(2026, 11, 25)
    membership_end(
        actor=coordinator,
        membership=gone_long.memberships.get(),
        end_date=dt.date(2020, 6, 1),
        reason="moved",
    )
    membership_end(
        actor=coordinator,
        membership=gone_recently.memberships.get(),
        end_date=dt.date(2026, 1, 1),
        reason="moved",
    )
    dry = services.retention_run(dry_run=True, days=365, today=today)
    assert dry.candidates == [gone_long.pk] and dry.anonymised == []
    assert not Anonymisation.objects.exists()

    out = io.StringIO()
    call_command("privacy-retention", "--dry-run", "--days", "365", stdout=out)
    assert "would anonymise 1" in out.getvalue()
    assert not Anonymisation.objects.exists()

    hold = services.hold_place(actor=coordinator, person=gone_long, reason="audit 2569")
    kept = services.retention_run(days=365, today=today)
    assert list(kept.blocked) == [gone_long.pk] and "audit 2569" in kept.blocked[gone_long.pk][0]
    assert not Anonymisation.objects.exists()
    services.hold_release(actor=coordinator, hold=hold)

    out = io.StringIO()
    call_command("privacy-retention", "--days", "365", stdout=out)
    assert "anonymised 1" in out.getvalue()
    assert Anonymisation.objects.get().person_id == gone_long.pk
    assert Anonymisation.objects.get().reason == "retention"
    runs = AuditEvent.objects.filter(object_type="privacy.retention_run").order_by("pk")
    # The blocked run and the real one each left a summary row; the dry runs left none.
    assert [r.changes for r in runs] == [
        {"candidates": 1, "anonymised": 0, "blocked": 1},
        {"candidates": 1, "anonymised": 1, "blocked": 0},
    ]
    assert Person.objects.get(pk=stays.pk).national_id == stays.national_id
    assert Person.objects.get(pk=gone_recently.pk).national_id == gone_recently.national_id
    # Nothing left to do on a second run.
    assert services.retention_run(days=365).candidates == []


def test_erasure_blanks_visit_notes_photos_and_consent_names(
    coordinator, households, head_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ppaos.targeting.models import Campaign, Visit

    settings.MEDIA_ROOT = tmp_path
    campaign = Campaign.objects.create(
        name="verify", opened_by=coordinator, opened_on=dt.date(2024, 1, 1)
    )

    def visit(household, note):
        return Visit.objects.create(
            campaign=campaign,
            household=household,
            volunteer=coordinator,
            visited_on=dt.date(2024, 2, 1),
            outcome="confirmed_poor",
            consent_given=True,
            consent_by=head_a.full_name,
            notes=note,
            payload={"head_name": head_a.full_name},
            photo=SimpleUploadedFile("front.jpg", b"\xff\xd8\xff photo of the house"),
        )

    own, other = visit(households["A"], "นายสมชาย ป่วยติดเตียง"), visit(households["B"], "keep")
    photo_path = tmp_path / own.photo.name
    assert photo_path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.person_anonymise(actor=coordinator, person=head_a)

    own.refresh_from_db()
    assert (own.notes, own.consent_by, own.payload, own.photo.name) == ("", "", {}, None)
    assert own.outcome == "confirmed_poor" and own.consent_given  # counts and the fact stay
    assert not photo_path.exists()
    other.refresh_from_db()
    assert other.notes == "keep" and other.photo.name  # another household's visit is untouched
