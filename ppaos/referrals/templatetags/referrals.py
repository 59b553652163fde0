"""Template helpers for referrals: the agency inbox on the home page, rules as text."""

import json

from django import template
from django.utils import timezone

from ppaos.lib.i18n import localized
from ppaos.referrals import rules, selectors, windows
from ppaos.referrals.eligibility import FACTS
from ppaos.referrals.models import OPEN_STATUSES, Status
from ppaos.referrals.notifications import unread_count

register = template.Library()


@register.inclusion_tag("referrals/_inbox.html", takes_context=True)
def referral_inbox(context, limit: int = 20):
    """The agency's open referrals, for its home page (the home view knows nothing of them)."""
    user = context["request"].user
    referrals = selectors.agency_inbox(user=user).filter(status__in=OPEN_STATUSES)
    shown = list(referrals[:limit])
    return {
        "referrals": shown,
        "total": referrals.count(),
        "overdue": selectors.overdue_for(user=user).count(),
        "unread": unread_count(user),
        "today": timezone.localdate(),
    }


@register.filter
def answers_district_referrals(user) -> bool:
    """The user answers referrals for a district office (its inbox, in the menu)."""
    return bool(getattr(user, "is_authenticated", False) and selectors.district_office_ids(user))


@register.filter
def rule_text(expression) -> str:
    if expression is None:
        return ""
    try:
        return rules.describe(expression, FACTS)
    except rules.EVALUATION_ERRORS:
        # A rule saved before types were checked: shown as it is stored.
        return rule_json(expression)


@register.filter
def rule_json(expression) -> str:
    if expression is None:
        return ""
    try:
        return json.dumps(expression, ensure_ascii=False, indent=1)
    except (RecursionError, ValueError):
        return "…"


@register.filter
def window_text(window: dict) -> str:
    """A registration window as a reader writes it: '1/10 – 30/11 every year', or dated."""
    return windows.describe(window)


@register.filter
def window_source(window: dict) -> str:
    """A registration window's sources in the reader's language (`source_th` in Thai)."""
    return localized(window.get("source_th") or window.get("source", ""), window.get("source"))


@register.filter
def status_label(value: str) -> str:
    """A referral status as the reader's language says it ("sent" → "ส่งแล้ว")."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value
