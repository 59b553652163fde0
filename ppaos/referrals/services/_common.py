"""Helpers shared by the referral services."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ppaos.audit.services import audit_list_view


def audit_list(actor, what: str, rows: int) -> None:
    """A page listing people by name is a view of personal data: record who saw which list."""
    audit_list_view(actor=actor, what=what, rows=rows, object_type="referrals.list")


def plain_value(value: Any) -> Any:
    """A value as the audit log stores it: dates and decimals as text."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value
