"""In-app notices and e-mail on new, overdue, rejected and completed referrals."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from ppaos.referrals import services
from ppaos.referrals.models import Notification, ReferralEvent


@pytest.mark.django_db
def test_sending_notifies_the_agency_in_app_and_by_email(sent, agency_officer, elder):
    (notice,) = Notification.objects.filter(recipient=agency_officer)
    assert notice.kind == "new" and notice.emailed
    # Notices are in the installation's language (Thai): check the data, not the wording.
    assert sent.number in notice.message and "เบี้ยยังชีพผู้สูงอายุ" in notice.message
    (email,) = mail.outbox
    assert email.to == ["agency@example.org"]
    assert sent.number in email.subject
    assert f"/referrals/{sent.pk}/" in email.body
    # No personal data by e-mail: sign in to see who it is.
    for private in (elder.first_name, elder.national_id, elder.phone, sent.household.code):
        assert private not in email.body and private not in email.subject


@pytest.mark.django_db
def test_completed_and_rejected_go_back_to_the_referrer(sent, agency_officer, district_officer):
    mail.outbox.clear()
    services.referral_accept(actor=agency_officer, referral=sent)
    services.referral_complete(actor=agency_officer, referral=sent, outcome="Registered")
    (email,) = mail.outbox
    assert email.to == ["khet1008@example.org"]
    assert sent.number in email.subject
    assert Notification.objects.get(recipient=district_officer).kind == "completed"


@pytest.mark.django_db
def test_rejection_notifies_the_referrer(sent, agency_officer, district_officer):
    services.referral_reject(actor=agency_officer, referral=sent, reason="Not eligible")
    assert Notification.objects.get(recipient=district_officer).kind == "rejected"


@pytest.mark.django_db
def test_overdue_is_notified_once_per_state(sent, agency_officer, district_officer):
    mail.outbox.clear()
    late = sent.due_on + dt.timedelta(days=1)
    first = services.referrals_notify_overdue(today=late)
    assert first == {"overdue": 1, "flagged": 1, "notices": 2, "emails": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["agency@example.org", "khet1008@example.org"]
    again = services.referrals_notify_overdue(today=late + dt.timedelta(days=3))
    assert again == {"overdue": 1, "flagged": 0, "notices": 0, "emails": 0}
    assert len(mail.outbox) == 2
    assert sent.events.filter(kind=ReferralEvent.Kind.OVERDUE).count() == 1
    # Accepted but still not done by the due date: a new overdue state, notified once more.
    services.referral_accept(actor=agency_officer, referral=sent)
    out = StringIO()
    call_command("referrals-overdue", today=late.isoformat(), stdout=out)
    assert out.getvalue().strip() == ("1 overdue referrals; 1 newly flagged, 2 notices, 2 e-mails.")
    call_command("referrals-overdue", today=late.isoformat(), stdout=StringIO())
    assert Notification.objects.filter(kind="overdue").count() == 4


@pytest.mark.django_db
def test_notifications_page_and_mark_read(sent, agency_officer, login):
    client = login(agency_officer)
    page = client.get("/referrals/notifications/")
    assert sent.number in page.text
    assert 'class="unread"' in page.text
    client.post("/referrals/notifications/")
    assert not Notification.objects.filter(recipient=agency_officer, read_at__isnull=True).exists()
