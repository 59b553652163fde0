"""Registration windows: when one can apply for a service.

Some services take applications at any time; others only in announced registration rounds
(the state welfare card) or in a yearly window (the old-age allowance). A service's windows
are data (`Service.registration_windows`), each either dated or yearly:

    {"from": "2022-09-05", "until": "2022-10-19", "source": "...", "confirmed": true}
    {"yearly": ["10-01", "11-30"], "source": "..."}     every year, 1 Oct to 30 Nov

A yearly window whose end is before its start runs over the new year ("12-01" to "01-31").
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ppaos.lib.thaidate import format_be_numeric


class Registration(StrEnum):
    ANY_TIME = "any_time"  # no windows: apply whenever
    OPEN = "open"  # a window is open on the day
    UPCOMING = "upcoming"  # closed now; the next window opens on `apply_from`
    NONE_ANNOUNCED = "none_announced"  # by rounds, and no round is open or announced


@dataclass(frozen=True)
class Opening:
    """When one can apply, seen from a given day."""

    status: Registration
    apply_from: dt.date | None = None
    closes: dt.date | None = None

    @property
    def text(self) -> str:
        """In words, for a result: 'registration open until 30/11/2568'."""
        if self.status == Registration.OPEN:
            return _("registration open until %(date)s") % {"date": format_be_numeric(self.closes)}
        if self.status == Registration.UPCOMING:
            return _("registration opens %(date)s") % {"date": format_be_numeric(self.apply_from)}
        if self.status == Registration.NONE_ANNOUNCED:
            return _("apply only in an announced registration round; none is announced")
        return ""


def _month_day(text: Any, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
        dt.date(2024, month, day)  # a leap year accepts 02-29
    except ValueError:
        raise ValidationError(
            _("%(where)s: %(value)r is not a month-day such as 10-01.")
            % {"where": where, "value": text}
        ) from None
    return month, day


def _iso(text: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise ValidationError(
            _("%(where)s: %(value)r is not a date (YYYY-MM-DD).") % {"where": where, "value": text}
        ) from None


def validate(windows: Any) -> None:
    """ValidationError naming the first malformed window."""
    if windows is None:
        return
    if not isinstance(windows, list):
        raise ValidationError(_("Registration windows are a list."))
    for n, window in enumerate(windows, start=1):
        where = _("registration window %(n)s") % {"n": n}
        if not isinstance(window, dict):
            raise ValidationError(_("%(where)s is not an object.") % {"where": where})
        if "yearly" in window:
            span = window["yearly"]
            if not isinstance(span, list) or len(span) != 2:
                raise ValidationError(
                    _("%(where)s: 'yearly' takes [from, until].") % {"where": where}
                )
            for part in span:
                _month_day(part, where)
        elif "from" in window and "until" in window:
            if _iso(window["from"], where) > _iso(window["until"], where):
                raise ValidationError(_("%(where)s ends before it starts.") % {"where": where})
        else:
            raise ValidationError(
                _("%(where)s needs 'from' and 'until' dates, or 'yearly'.") % {"where": where}
            )


def _on_or_before(year: int, month: int, day: int) -> dt.date:
    """29 February in a common year is 28 February."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


def _spans(window: dict, on: dt.date) -> list[tuple[dt.date, dt.date]]:
    if "yearly" not in window:
        return [(_iso(window["from"], ""), _iso(window["until"], ""))]
    (m1, d1), (m2, d2) = (_month_day(part, "") for part in window["yearly"])
    spans = []
    for year in (on.year - 1, on.year, on.year + 1):
        start = _on_or_before(year, m1, d1)
        end = _on_or_before(year + ((m2, d2) < (m1, d1)), m2, d2)
        spans.append((start, end))
    return spans


def opening(*, by_rounds: bool, windows: list[dict] | None, on: dt.date) -> Opening:
    """Whether one can apply on `on`, and if not, from when."""
    if not by_rounds and not windows:
        return Opening(Registration.ANY_TIME)
    spans = sorted(span for window in windows or [] for span in _spans(window, on))
    open_now = [end for start, end in spans if start <= on <= end]
    if open_now:
        return Opening(Registration.OPEN, apply_from=on, closes=max(open_now))
    upcoming = [(start, end) for start, end in spans if start > on]
    if upcoming:
        start, end = upcoming[0]
        return Opening(Registration.UPCOMING, apply_from=start, closes=end)
    return Opening(Registration.NONE_ANNOUNCED)


def describe(window: dict) -> str:
    """'1/10 – 30/11 every year', or '5/9/2565 – 31/10/2565' (Buddhist era)."""
    if "yearly" in window:
        (m1, d1), (m2, d2) = (_month_day(part, "") for part in window["yearly"])
        return _("%(start)s – %(end)s every year") % {
            "start": f"{d1}/{m1}",
            "end": f"{d2}/{m2}",
        }
    start, end = _iso(window["from"], ""), _iso(window["until"], "")
    return f"{format_be_numeric(start)} – {format_be_numeric(end)}"
