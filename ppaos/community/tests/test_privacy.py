"""PDPA: corrections about a person are in their access export, and erasing the person
blanks the values and reasons kept on corrections and closes a pending one."""

import pytest

from ppaos.community import services
from ppaos.community.models import CorrectionStatus
from ppaos.privacy import export
from ppaos.privacy import services as privacy

pytestmark = pytest.mark.django_db


@pytest.fixture
def correction(households, leader_a):
    person = households["A"].memberships.get(relation="head").person
    return services.correction_propose(
        actor=leader_a,
        household=households["A"],
        person=person,
        field="first_name",
        value="สมชัย",
        reason="ชื่อสะกดผิด",
    )


def test_access_export_lists_corrections(correction, coordinator):
    record = export.person_record(correction.person, actor=coordinator)
    sections = dict(record["other"])
    rows = next(v for k, v in sections.items() if "orrection" in k or "แก้ไข" in k)
    assert rows[0]["proposed_value"] == "สมชัย"


def test_erasure_blanks_corrections_and_closes_pending_ones(correction, coordinator):
    privacy.person_anonymise(actor=coordinator, person=correction.person)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert "สมชัย" not in (correction.proposed_display, correction.old_display)
    assert correction.proposed_value is None and correction.reason == "(erased)"
    assert all(e.data == {} for e in correction.events.all())
