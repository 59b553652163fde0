"""Referral pages, one module per part; every view (and ACTION_FORMS) is re-exported here
for urls.py."""

from ppaos.referrals.views.cases import (
    ACTION_FORMS,
    ACTION_SERVICES,
    act,
    detail,
    household_card,
    letter,
    new,
)
from ppaos.referrals.views.lists import (
    AREA_MENU_COMMUNITIES,
    excluded,
    home,
    inbox,
    overdue,
)
from ppaos.referrals.views.plans import (
    household,
    intervention_status,
    plan_change,
    plan_open,
    refer_pick,
)
from ppaos.referrals.views.reporting import (
    notifications,
    reports,
)
from ppaos.referrals.views.service_catalogue import (
    catalogue,
    rule_add,
    service_detail,
    service_edit,
)

__all__ = [
    "ACTION_FORMS",
    "ACTION_SERVICES",
    "AREA_MENU_COMMUNITIES",
    "act",
    "catalogue",
    "detail",
    "excluded",
    "home",
    "household",
    "household_card",
    "inbox",
    "intervention_status",
    "letter",
    "new",
    "notifications",
    "overdue",
    "plan_change",
    "plan_open",
    "refer_pick",
    "reports",
    "rule_add",
    "service_detail",
    "service_edit",
]
