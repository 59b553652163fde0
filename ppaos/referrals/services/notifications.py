"""Notices about referrals: the overdue sweep and marking notices read."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ppaos.referrals import notifications
from ppaos.referrals.models import (
    Notification,
    Referral,
    ReferralEvent,
)
from ppaos.referrals.services.cases import referral_event_add


def referrals_notify_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Flag every overdue referral once per overdue state (status and due date): a timeline
    event, and a notice to the agency's officers and the city side. Running it again the same
    day, or the next, notifies nobody twice."""
    from ppaos.referrals.selectors import overdue_all

    today = today or timezone.localdate()
    counts = {"overdue": 0, "flagged": 0, "notices": 0, "emails": 0}
    for referral in overdue_all(today=today):
        counts["overdue"] += 1
        key = f"{referral.status}:{referral.due_on.isoformat()}"
        with transaction.atomic():
            locked = Referral.objects.select_for_update().get(pk=referral.pk)
            if locked.events.filter(kind=ReferralEvent.Kind.OVERDUE, text=key).exists():
                continue
            referral_event_add(
                locked, actor=None, kind=ReferralEvent.Kind.OVERDUE, at=timezone.now(), text=key
            )
            recipients = list(notifications.agency_officers(locked.organisation_id))
            recipients += [
                u for u in notifications.city_side(locked) if u.pk not in {r.pk for r in recipients}
            ]
            notices = notifications.notify(
                referral=locked, kind=Notification.Kind.OVERDUE, key=key, recipients=recipients
            )
        counts["flagged"] += 1
        counts["notices"] += len(notices)
        counts["emails"] += notifications.send_emails(notices)
    return counts


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    notices = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        notices = notices.filter(pk__in=ids)
    return notices.update(read_at=timezone.now())
