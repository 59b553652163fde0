"""In-app notices and e-mail (the Django e-mail backend) about referrals.

E-mails carry no personal data: the referral number, the service and a link. The person's
name and address are only shown to someone who signs in and may see the case."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ppaos.accounts.models import Organisation, OrganisationKind, User
from ppaos.accounts.scope import (
    ANSWER_DISTRICT_REFERRALS,
    ANSWER_REFERRALS,
    ROLE_CAPABILITIES,
    roles_with,
)
from ppaos.lib.env import env_str
from ppaos.referrals.models import Notification, Referral

# Links in e-mails point here (the address people use to reach PPAOS).
SITE_URL = env_str("PPAOS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


# Demo data replays months of history: its notices are kept in-app but not e-mailed.
_mail_off: ContextVar[bool] = ContextVar("ppaos_referral_mail_off", default=False)


@contextmanager
def emails_suppressed():
    token = _mail_off.set(True)
    try:
        yield
    finally:
        _mail_off.reset(token)


def agency_officers(organisation_id: int):
    """Who answers referrals addressed to the organisation: its agency officers and, for a
    district office, the staff who answer the district's referrals."""
    who = Q(
        role_assignments__role__in=roles_with(ANSWER_REFERRALS),
        role_assignments__organisation_id=organisation_id,
    )
    district = (
        Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.DISTRICT_OFFICE)
        .values_list("district_id", flat=True)
        .first()
    )
    if district:
        roles = [r for r, caps in ROLE_CAPABILITIES.items() if ANSWER_DISTRICT_REFERRALS in caps]
        who |= Q(role_assignments__role__in=roles) & (
            Q(role_assignments__district_id=district)
            | Q(role_assignments__province_id=district[:2])
        )
    return User.objects.filter(who, is_active=True).distinct()


def city_side(referral: Referral) -> list:
    """Who made the referral and, when it belongs to a household plan, its responsible person."""
    people = [referral.created_by]
    if referral.intervention_id:
        people.append(referral.intervention.plan.responsible)
    seen, result = set(), []
    for user in people:
        if user and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def _message(kind: str, referral: Referral) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        texts = {
            Notification.Kind.NEW: _("New referral %(number)s: %(service)s"),
            Notification.Kind.OVERDUE: _("Referral %(number)s (%(service)s) is overdue"),
            Notification.Kind.COMPLETED: _("Referral %(number)s (%(service)s) was completed"),
            Notification.Kind.REJECTED: _("Referral %(number)s (%(service)s) was rejected"),
        }
        return texts[kind] % {"number": referral.number, "service": referral.service.name}


def notify(*, referral: Referral, kind: str, key: str, recipients) -> list[Notification]:
    """Create one in-app notice per recipient unless that notice (referral, kind, key) exists.
    Returns the notices created; `send_emails` mails them after the transaction."""
    message = _message(kind, referral)
    created = []
    for user in recipients:
        notice, new = Notification.objects.get_or_create(
            recipient=user,
            referral=referral,
            kind=kind,
            key=key,
            defaults={"message": message[:300]},
        )
        if new:
            created.append(notice)
    return created


def send_emails(notices: list[Notification]) -> int:
    """E-mail each notice whose recipient has an address; returns the number sent."""
    sent = 0
    if _mail_off.get():
        return sent
    for notice in notices:
        address = notice.recipient.email
        if not address:
            continue
        link = SITE_URL + reverse("referrals:detail", args=[notice.referral_id])
        with translation.override(settings.LANGUAGE_CODE):
            body = "\n\n".join(
                [
                    notice.message,
                    _("Open it in PPAOS: %(link)s") % {"link": link},
                    _(
                        "This message holds no personal data: sign in to see the case. "
                        "Notices and settings: %(link)s"
                    )
                    % {"link": SITE_URL + reverse("referrals:notifications")},
                ]
            )
            subject = f"[PPAOS] {notice.message}"
        EmailMessage(subject=subject, body=body, to=[address]).send()
        Notification.objects.filter(pk=notice.pk).update(emailed=True)
        sent += 1
    return sent


def unread_count(user) -> int:
    return Notification.objects.filter(Q(recipient=user) & Q(read_at__isnull=True)).count()
