import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from ppaos.ops import schedule

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def test_every_slots_are_aligned_and_repeat_within_the_period():
    plan = schedule.parse("every 15m")
    first = schedule.parse("every 15m").slot(dt.datetime(2026, 12, 7, 10, 14, 59, tzinfo=dt.UTC))
    assert first == dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    assert plan.slot(dt.datetime(2026, 12, 7, 10, 15, tzinfo=dt.UTC)) == first + plan.period


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Local 02:29 (19:29 UTC the day before): yesterday's 02:30 slot.
        (dt.datetime(2026, 12, 6, 19, 29, tzinfo=dt.UTC), dt.datetime(2026, 12, 6, 2, 30)),
        # Local 02:30 exactly: today's.
        (dt.datetime(2026, 12, 6, 19, 30, tzinfo=dt.UTC), dt.datetime(2026, 12, 7, 2, 30)),
    ],
)
def test_daily_slot_is_the_latest_local_time_at_or_before_now(settings, now, expected):
    settings.TIME_ZONE = "Asia/Bangkok"
    assert schedule.parse("daily 02:30").slot(now) == expected.replace(tzinfo=BANGKOK)


def test_off_has_no_slot():
    assert schedule.parse(" OFF ").slot(dt.datetime.now(tz=dt.UTC)) is None


@pytest.mark.parametrize("spec", ["every 7m", "every 0s", "daily 24:00", "hourly", "every 5 min"])
def test_bad_specs_are_named(spec):
    with pytest.raises(ImproperlyConfigured, match="schedule"):
        schedule.parse(spec)
