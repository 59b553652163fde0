"""Audit labels are stored as messages and read in each reader's language (issue 15 item 6):
what was exported or seen, the record types, choice values and the command line."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_noop

from ppaos.audit.models import AuditEvent
from ppaos.audit.services import audit_event, audit_export
from ppaos.exports.services import describe
from ppaos.lib.exports import get_spec
from ppaos.lib.i18n import Deferred, labelled_counts
from ppaos.targeting.link_jobs import BAND_LABELS


def test_every_model_has_a_translated_name():
    """A record type in the audit log reads in Thai only if its model names itself."""
    unnamed = [
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("ppaos.") and not isinstance(m._meta.verbose_name, Promise)
    ]
    assert unnamed == []


def test_an_export_label_keeps_its_english_text_and_reads_in_thai():
    label = describe(get_spec("referrals"), {"status": "sent"}, "csv", pseudonymised=True)
    assert str(label) == "referral list [status=sent] (csv, pseudonymised)"
    with translation.override("th"):
        thai = label.translated()
    assert thai == "รายการส่งต่อ [status=sent] (CSV แบบนามแฝง)"
    assert Deferred.from_json(label.as_json()) == label


def test_counts_by_band_read_by_their_labels():
    label = Deferred(
        gettext_noop("linkage: %(counts)s"), counts=labelled_counts({"auto": 3}, BAND_LABELS)
    )
    assert str(label) == "linkage: Linked automatically 3"
    stored = Deferred.from_json(label.as_json())
    with translation.override("th"):
        assert "auto" not in stored.translated() and "3" in stored.translated()


@pytest.mark.django_db
def test_the_audit_page_shows_labels_in_the_readers_language(client, admin_user):
    audit_export(
        actor=admin_user,
        description=describe(get_spec("referrals"), {}, "xlsx", pseudonymised=False),
        row_count=4,
    )
    audit_event(
        actor=None,
        action="view",
        object_type="referrals.list",
        object_id="2",
        label=Deferred(gettext_noop("overdue referrals")),
    )
    row = AuditEvent.objects.get(object_type="referrals.list")
    assert row.object_label == "overdue referrals"  # English kept for search and exports
    client.force_login(admin_user)
    client.cookies["django_language"] = "th"
    html = client.get(reverse("audit:list"), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "รายการส่งต่อ (Excel)" in html and "การส่งต่อที่เกินกำหนด" in html
    assert "บรรทัดคำสั่ง" in html and "(command line)" not in html
    assert "referrals.list" not in html.replace('value="referrals.list"', "")


def test_choice_values_in_changes_read_as_their_labels():
    event = AuditEvent(
        object_type="community.fundyear", object_id="1", changes={"mode": [None, "procurement"]}
    )
    with translation.override("th"):
        ((label, change),) = event.changes_labelled
    assert label != "mode" and change[0] is None and change[1] != "procurement"
