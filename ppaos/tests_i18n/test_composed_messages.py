"""Messages the system composes read as Thai, with formatted numbers (issue 15 item 6)."""

from decimal import Decimal

import pytest
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.referrals import rules
from ppaos.referrals.templatetags.referrals import status_label
from ppaos.targeting.templatetags.targeting_tags import link_band


def test_numbers_in_reasons_have_separators():
    assert rules.show(Decimal("31885.714")) == "31,885.71"
    assert rules.show(100000) == "100,000"
    assert rules.show(60.0) == "60"


def test_statuses_and_bands_read_as_thai():
    with translation.override("th"):
        assert status_label("sent") == "ส่งแล้ว"
        assert link_band("auto") != "auto"
    assert status_label("unknown") == "unknown"


@pytest.mark.django_db
def test_audit_rows_name_the_record_type_and_fields():
    event = AuditEvent(
        object_type="registry.person", object_id="7", changes={"first_name": ["ก", "ข"]}
    )
    with translation.override("th"):
        assert event.object_type_label == "บุคคล"
        ((label, change),) = event.changes_labelled
    assert "registry" not in label and label != "first_name"
    assert change == ["ก", "ข"]


def test_import_reasons_and_django_messages_are_thai():
    with translation.override("th"):
        assert translation.gettext("first name is empty") == "ไม่มีชื่อ"
        assert translation.gettext("- Select an option -") == "- เลือก -"
        message = translation.ngettext(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
            10,
        )
        assert message == "ตัวเลขต้องมีทั้งหมดไม่เกิน %(max)s หลัก"
