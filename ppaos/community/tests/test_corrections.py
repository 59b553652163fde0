"""Corrections: a community leader proposes, a district officer (not the proposer) accepts
through the registry services or rejects; a record changed meanwhile is a conflict, never a
silent overwrite; every step is kept and audited; other communities answer 404."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ppaos.audit.models import AuditEvent
from ppaos.community import services
from ppaos.community.models import Correction, CorrectionEvent, CorrectionStatus
from ppaos.registry.models import Household, Person
from ppaos.registry.services import PERSON_FIELDS, person_update

pytestmark = pytest.mark.django_db


def head(household) -> Person:
    return household.memberships.get(relation="head").person


def _new_url(household, target, field):
    return f"/community/households/{household.pk}/corrections/new/?target={target}&field={field}"


def _propose(client, household, target, field, value, reason="ชื่อสะกดผิดตามบัตรประชาชน"):
    return client.post(_new_url(household, target, field), {"value": value, "reason": reason})


def _review(client, correction, decision, note="", record_version=""):
    correction.refresh_from_db()
    return client.post(
        f"/community/corrections/{correction.pk}/",
        {
            "decision": decision,
            "note": note,
            "version": correction.version,
            "record_version": record_version,
        },
    )


@pytest.fixture
def proposed(english_login, leader_a, households):
    """The leader of A proposes the right first name of household A's head."""
    person = head(households["A"])
    response = _propose(english_login(leader_a), households["A"], person.pk, "first_name", "สมชัย")
    correction = Correction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/community/corrections/{correction.pk}/"
    return correction


def test_leader_sees_the_value_now_and_proposes(english_login, leader_a, households):
    client = english_login(leader_a)
    person = head(households["A"])
    page = client.get(f"/community/households/{households['A'].pk}/corrections/")
    assert page.status_code == 200
    assert person.first_name in page.text
    form = client.get(_new_url(households["A"], person.pk, "first_name"))
    assert form.status_code == 200
    assert 'id="value-now"' in form.text and person.first_name in form.text
    response = _propose(client, households["A"], person.pk, "first_name", "สมชัย")
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.status == CorrectionStatus.PENDING
    assert (correction.old_display, correction.proposed_display) == (person.first_name, "สมชัย")
    assert correction.base_version == person.version
    person.refresh_from_db()
    assert person.first_name == "สมชาย1"  # nothing changes before review
    assert [e.kind for e in correction.events.all()] == ["proposed"]
    audit = AuditEvent.objects.get(object_type="community.correction", action="create")
    assert audit.actor == leader_a
    assert audit.changes == {"first_name": ["สมชาย1", "สมชัย"]}


def test_leader_cannot_review_or_edit_directly(english_login, leader_a, proposed, households):
    client = english_login(leader_a)
    page = client.get(f"/community/corrections/{proposed.pk}/")
    assert page.status_code == 200
    assert 'id="review-form"' not in page.text
    assert _review(client, proposed, "accept").status_code == 404
    assert client.get(f"/people/{head(households['A']).pk}/edit/").status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == CorrectionStatus.PENDING


def test_district_officer_accepts_through_the_registry(
    english_login, district_officer, proposed, households
):
    person = head(households["A"])
    client = english_login(district_officer)
    queue = client.get("/community/corrections/review/")
    assert f'data-correction="{proposed.pk}"' in queue.text
    page = client.get(f"/community/corrections/{proposed.pk}/")
    assert 'id="review-form"' in page.text and 'id="conflict"' not in page.text
    response = _review(client, proposed, "accept", note="ตรวจกับบัตรแล้ว")
    assert response.status_code == 302
    person.refresh_from_db()
    proposed.refresh_from_db()
    assert person.first_name == "สมชัย"
    assert person.version == proposed.base_version + 1
    assert person.updated_by == district_officer
    assert person.national_id  # the rest of the record is untouched
    assert proposed.status == CorrectionStatus.ACCEPTED
    assert proposed.reviewed_by == district_officer
    assert proposed.applied_version == person.version
    assert [e.kind for e in proposed.events.all()] == ["proposed", "accepted"]
    update = AuditEvent.objects.get(object_type="registry.person", action="update")
    assert update.actor == district_officer
    assert update.changes == {"first_name": ["สมชาย1", "สมชัย"]}
    assert AuditEvent.objects.filter(object_type="community.correction", action="update").exists()
    assert (
        f'data-correction="{proposed.pk}"' not in client.get("/community/corrections/review/").text
    )


def test_record_changed_meanwhile_is_a_conflict_not_an_overwrite(
    english_login, district_officer, volunteer_a, proposed, households
):
    person = head(households["A"])
    data = {k: getattr(person, k) for k in PERSON_FIELDS} | {"first_name": "สมชาติ"}
    person_update(actor=volunteer_a, person=person, expected_version=person.version, data=data)
    client = english_login(district_officer)
    page = client.get(f"/community/corrections/{proposed.pk}/")
    assert 'id="conflict"' in page.text and "สมชาติ" in page.text
    # Accepting against the version the proposer saw is refused, and kept in the history.
    with pytest.raises(services.CorrectionConflict):
        services.correction_accept(
            actor=district_officer, correction=proposed, expected_version=proposed.version
        )
    response = _review(client, proposed, "accept")
    assert response.status_code == 200
    assert "the record was changed" in response.text
    person.refresh_from_db()
    proposed.refresh_from_db()
    assert person.first_name == "สมชาติ"
    assert proposed.status == CorrectionStatus.PENDING
    conflicts = proposed.events.filter(kind=CorrectionEvent.Kind.CONFLICT)
    assert conflicts.count() == 2
    assert conflicts.first().data == {"version": person.version, "value": "สมชาติ"}
    # Having seen it, the reviewer applies it over the record as it is now.
    response = _review(client, proposed, "accept", record_version=person.version)
    assert response.status_code == 302
    person.refresh_from_db()
    proposed.refresh_from_db()
    assert person.first_name == "สมชัย"
    assert proposed.status == CorrectionStatus.ACCEPTED
    kinds = [e.kind for e in proposed.events.all()]
    assert kinds == ["proposed", "conflict", "conflict", "conflict", "accepted"]
    assert proposed.events.get(kind="accepted").data["version"] == person.version


def test_reject_needs_a_reason_and_keeps_history(english_login, district_officer, proposed):
    client = english_login(district_officer)
    response = _review(client, proposed, "reject")
    assert response.status_code == 200
    assert "Say why the correction is rejected." in response.text
    response = _review(client, proposed, "reject", note="ชื่อถูกต้องตามทะเบียนบ้านแล้ว")
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == CorrectionStatus.REJECTED
    assert proposed.review_note == "ชื่อถูกต้องตามทะเบียนบ้านแล้ว"
    assert [e.kind for e in proposed.events.all()] == ["proposed", "rejected"]
    # The leader sees the outcome and its reason in the community's history.
    history = client.get(f"/communities/{proposed.community_id}/corrections/")
    assert f'data-correction="{proposed.pk}"' in history.text


def test_the_proposer_cannot_review_their_own(
    english_login, district_officer, district_officer_2, households
):
    person = head(households["A"])
    client = english_login(district_officer)
    _propose(client, households["A"], person.pk, "last_name", "ใจงาม")
    correction = Correction.objects.get()
    page = client.get(f"/community/corrections/{correction.pk}/")
    assert 'id="review-form"' not in page.text
    assert _review(client, correction, "accept").status_code == 404
    assert (
        f'data-correction="{correction.pk}"'
        not in client.get("/community/corrections/review/").text
    )
    with pytest.raises(ValidationError):
        services.correction_accept(
            actor=district_officer, correction=correction, expected_version=correction.version
        )
    other = english_login(district_officer_2)
    assert _review(other, correction, "accept").status_code == 302
    person.refresh_from_db()
    assert person.last_name == "ใจงาม"


def test_two_reviewers_at_once_apply_it_once(district_officer, district_officer_2, proposed):
    version = proposed.version
    services.correction_reject(
        actor=district_officer_2, correction=proposed, expected_version=version, note="ไม่ใช่"
    )
    stale = Correction.objects.get(pk=proposed.pk)
    stale.status = CorrectionStatus.PENDING  # as the second reviewer's page still has it
    with pytest.raises(ValidationError):
        services.correction_accept(
            actor=district_officer, correction=stale, expected_version=version
        )
    assert Person.objects.filter(first_name="สมชัย").count() == 0


def test_household_field_with_choices(english_login, leader_a, district_officer, households):
    client = english_login(leader_a)
    response = _propose(client, households["A"], "household", "tenure", "rented")
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.person is None
    assert correction.proposed_display == "Rents"
    _review(english_login(district_officer), correction, "accept")
    assert Household.objects.get(pk=households["A"].pk).tenure == "rented"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("first_name", "สมชาย1", "The proposed value is the same as the record."),
        ("birth_date", "1/1/2600", "is in the future"),
        ("first_name", "", "This field is required."),
    ],
)
def test_bad_proposals_are_refused_with_a_message(
    english_login, leader_a, households, field, value, message
):
    person = head(households["A"])
    response = _propose(english_login(leader_a), households["A"], person.pk, field, value)
    assert response.status_code == 200
    assert message in response.text
    assert not Correction.objects.exists()


def test_one_pending_correction_per_field(english_login, leader_a, proposed, households):
    person = head(households["A"])
    response = _propose(english_login(leader_a), households["A"], person.pk, "first_name", "สมชิต")
    assert "already waiting for review" in response.text
    assert Correction.objects.count() == 1


def test_fields_outside_the_list_and_other_households_are_404(english_login, leader_a, households):
    client = english_login(leader_a)
    person_a, person_b = head(households["A"]), head(households["B"])
    assert client.get(_new_url(households["A"], person_a.pk, "national_id")).status_code == 404
    assert client.get(_new_url(households["A"], person_a.pk, "chronic_illness")).status_code == 404
    assert client.get(_new_url(households["A"], person_b.pk, "first_name")).status_code == 404
    assert client.get(_new_url(households["B"], person_b.pk, "first_name")).status_code == 404
    assert client.get(f"/community/households/{households['B'].pk}/corrections/").status_code == 404
    assert (
        client.post(
            _new_url(households["B"], person_b.pk, "first_name"), {"value": "x", "reason": "x"}
        ).status_code
        == 404
    )
    assert not Correction.objects.exists()


def test_corrections_of_other_communities_are_404(
    english_login,
    coordinator,
    leader_a,
    district_officer,
    researcher,
    volunteer_a,
    communities,
    households,
):
    person_c = head(households["C"])
    correction = services.correction_propose(
        actor=coordinator,
        household=households["C"],
        person=person_c,
        field="phone",
        value="0812345678",
        reason="เบอร์ใหม่",
    )
    for user in (leader_a, district_officer, researcher):
        client = english_login(user)
        assert client.get(f"/community/corrections/{correction.pk}/").status_code == 404
        assert _review(client, correction, "accept").status_code == 404
    assert (
        english_login(leader_a).get(f"/communities/{communities['B'].pk}/corrections/").status_code
        == 404
    )
    assert (
        english_login(researcher)
        .get(f"/communities/{communities['A'].pk}/corrections/")
        .status_code
        == 404
    )
    for user in (leader_a, volunteer_a, researcher):
        assert english_login(user).get("/community/corrections/review/").status_code == 404
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING


def test_leader_shortcuts_go_to_their_own_community(english_login, leader_a, communities):
    client = english_login(leader_a)
    a = communities["A"].pk
    assert client.get("/community/mine/databook/")["Location"] == f"/communities/{a}/databook/"
    assert client.get("/community/mine/fund/")["Location"] == f"/communities/{a}/fund/"
    assert client.get("/community/mine/corrections/")["Location"] == (
        f"/communities/{a}/corrections/"
    )
    home = client.get("/")
    assert 'id="nav-databook"' in home.text and 'id="leader-links"' in home.text


def test_shortcuts_are_404_for_other_roles(english_login, district_officer):
    client = english_login(district_officer)
    assert client.get("/community/mine/databook/").status_code == 404
    assert 'id="nav-review-corrections"' in client.get("/").text


def test_birth_dates_are_stored_iso_and_shown_in_the_buddhist_era(
    english_login, leader_a, district_officer, households
):
    person = head(households["A"])
    _propose(english_login(leader_a), households["A"], person.pk, "birth_date", "2/3/2523")
    correction = Correction.objects.get()
    assert correction.proposed_value == "1980-03-02"
    assert correction.proposed_display == "02/03/2523"
    _review(english_login(district_officer), correction, "accept")
    person.refresh_from_db()
    assert person.birth_date == dt.date(1980, 3, 2)
