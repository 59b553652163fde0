"""When each periodic job runs: a schedule is data (settings.PERIODIC_JOBS, each entry
overridable from the environment), never a cron line.

A spec is one of:
- `every 30s`, `every 15m`, `every 6h`: in fixed slots aligned on the epoch;
- `daily 02:30`: once a day at that local time (settings.TIME_ZONE);
- `off`: never.

A job runs once per slot. A slot missed while the scheduler was down runs when it comes back
(only the latest one: a week of downtime gives one backup, not seven)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_EVERY = re.compile(r"^every\s+(\d+)\s*([smh])$")
_DAILY = re.compile(r"^daily\s+([01]\d|2[0-3]):([0-5]\d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Schedule:
    """A parsed spec: `period` between slots, and for daily jobs the local time of day."""

    spec: str
    period: dt.timedelta | None  # None: off
    at: dt.time | None = None

    @property
    def is_off(self) -> bool:
        return self.period is None

    def slot(self, now: dt.datetime) -> dt.datetime | None:
        """The latest slot at or before `now` (aware), or None when off."""
        if self.period is None:
            return None
        if self.at is None:
            step = int(self.period.total_seconds())
            return dt.datetime.fromtimestamp(int(now.timestamp()) // step * step, tz=dt.UTC)
        local = timezone.localtime(now)
        today = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return today if today <= local else today - dt.timedelta(days=1)


def parse(spec: str) -> Schedule:
    """Parse a spec (see the module docstring); ImproperlyConfigured names a bad one."""
    text = " ".join(spec.lower().split())
    if text == "off":
        return Schedule(spec, None)
    if match := _EVERY.match(text):
        seconds = int(match[1]) * _UNIT_SECONDS[match[2]]
        if seconds < 1 or 86_400 % seconds and seconds < 86_400:
            raise ImproperlyConfigured(
                f"schedule {spec!r}: the period must divide a day evenly (e.g. every 5m, 2h)"
            )
        return Schedule(spec, dt.timedelta(seconds=seconds))
    if match := _DAILY.match(text):
        return Schedule(spec, dt.timedelta(days=1), dt.time(int(match[1]), int(match[2])))
    raise ImproperlyConfigured(
        f"schedule {spec!r}: use 'every 15m', 'every 2h', 'daily 02:30' or 'off'"
    )
