"""Life events reported by a community leader (a death, a move-out, a new household): they
wait for review like corrections; accepted, the registry services apply them (the membership
ends, or the household and its head are registered); rejected, nothing changes; the decision
is a notice to the leader; other communities answer 404."""

import datetime as dt

import pytest

from ppaos.audit.models import AuditEvent
from ppaos.community import services
from ppaos.community.models import (
    Correction,
    CorrectionEvent,
    CorrectionNotice,
    CorrectionStatus,
)
from ppaos.registry.models import Household, Membership

pytestmark = pytest.mark.django_db


def _head(household):
    return household.memberships.get(relation="head", end_date__isnull=True).person


def _review(client, correction, decision, note=""):
    correction.refresh_from_db()
    return client.post(
        f"/community/corrections/{correction.pk}/",
        {"decision": decision, "note": note, "version": correction.version},
    )


def _report(client, household, kind, date="1/6/2569"):
    person = _head(household)
    return client.post(
        f"/community/households/{household.pk}/life-event/",
        {"kind": kind, "person": person.pk, "date": date, "reason": "ญาติแจ้ง"},
    )


@pytest.mark.parametrize("kind,reason", [("death", "died"), ("moved_out", "moved")])
def test_member_event_accepted_ends_the_membership(
    english_login, leader_a, district_officer, households, kind, reason
):
    household = households["A"]
    person = _head(household)
    response = _report(english_login(leader_a), household, kind)
    correction = Correction.objects.get()
    assert response.status_code == 302, response.content
    assert (correction.kind, correction.status) == (kind, CorrectionStatus.PENDING)
    assert Membership.objects.get(person=person).end_date is None  # nothing yet

    client = english_login(district_officer)
    assert correction.number in client.get("/community/corrections/review/").text
    assert client.get(f"/community/corrections/{correction.pk}/").status_code == 200
    assert _review(client, correction, "accept").status_code == 302
    membership = Membership.objects.get(person=person)
    assert membership.end_date == dt.date(2026, 6, 1)
    assert membership.end_reason == reason
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
    assert AuditEvent.objects.filter(object_type="registry.person", object_id=str(person.pk))
    # The leader is told, and the notice is read once the leader opens it.
    notice = CorrectionNotice.objects.get(recipient=leader_a)
    assert notice.read_at is None
    english_login(leader_a).get(f"/community/corrections/{correction.pk}/")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_member_event_rejected_changes_nothing(
    english_login, leader_a, district_officer, households
):
    household = households["A"]
    _report(english_login(leader_a), household, "death")
    correction = Correction.objects.get()
    _review(english_login(district_officer), correction, "reject", note="ยังมีชีวิตอยู่")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert Membership.objects.get(person=_head(household)).end_date is None
    assert CorrectionNotice.objects.filter(recipient=leader_a, read_at__isnull=True).count() == 1


def test_new_household_accepted_is_registered(
    english_login, leader_a, district_officer, communities, households
):
    community = communities["A"]
    before = Household.objects.filter(community=community).count()
    response = english_login(leader_a).post(
        f"/communities/{community.pk}/new-household/",
        {
            "house_no": "99/9",
            "head_first_name": "สมหญิง",
            "head_last_name": "มาใหม่",
            "head_sex": "F",
            "reason": "ย้ายเข้ามาเดือนที่แล้ว",
        },
    )
    assert response.status_code == 302, response.content
    correction = Correction.objects.get()
    assert correction.household is None
    assert Household.objects.filter(community=community).count() == before

    client = english_login(district_officer)
    assert client.get(f"/community/corrections/{correction.pk}/").status_code == 200
    assert _review(client, correction, "accept").status_code == 302
    correction.refresh_from_db()
    household = correction.household
    assert household is not None and household.community == community
    assert household.house_no == "99/9"
    assert _head(household).first_name == "สมหญิง"
    assert AuditEvent.objects.filter(object_type="registry.household", object_id=str(household.pk))


def test_new_household_rejected_registers_nothing(
    english_login, leader_a, district_officer, communities, households
):
    correction = services.new_household_propose(
        actor=leader_a,
        community=communities["A"],
        household_data={"house_no": "7"},
        head_data={"first_name": "ทดสอบ"},
        reason="แจ้ง",
    )
    before = Household.objects.count()
    _review(english_login(district_officer), correction, "reject", note="ไม่พบบ้าน")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert Household.objects.count() == before
    # The head it named never entered the registry, so nothing could erase a copy: none is kept.
    assert correction.proposed_value == {
        "household": correction.proposed_value["household"],
        "head": None,
    }
    assert correction.proposed_value["household"]["house_no"] == "7"
    assert "ทดสอบ" not in correction.proposed_display
    assert "ทดสอบ" not in str(CorrectionEvent.objects.filter(correction=correction).values())


def test_other_community_answers_404(english_login, leader_a, communities, households):
    client = english_login(leader_a)
    assert client.get(f"/community/households/{households['B'].pk}/life-event/").status_code == 404
    assert _report(client, households["B"], "death").status_code == 404
    assert client.get(f"/communities/{communities['B'].pk}/new-household/").status_code == 404
    assert client.get(f"/community/households/{households['A'].pk}/life-event/").status_code == 200
    assert client.get(f"/communities/{communities['A'].pk}/new-household/").status_code == 200
    assert not Correction.objects.exists()
