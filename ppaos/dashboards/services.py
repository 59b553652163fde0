"""Refreshing the pre-aggregated figures: a handful of INSERT … SELECT … GROUP BY statements,
computed in the database (PostgreSQL or SQLite) and written under a new refresh id.

Figures per community (`period` empty, `round_name` empty: the state at the refresh):
communities, households, people; households, people and communities verified (the latest
recorded visit of each household, conflicts excluded, as the targeting error report counts
them) and the parts of the inclusion and exclusion errors; referrals made (sent), completed,
open and overdue. Per month (`period` = first day): households verified for the first time,
referrals sent, referrals completed. Per survey round (`round_name`): households assessed,
multidimensionally poor, and per level (`level_1` … `level_4`, `level_none`).
"""

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ppaos.areas.models import Community
from ppaos.assessment.models import Assessment
from ppaos.dashboards.models import Figure, Refresh
from ppaos.referrals.models import OPEN_STATUSES, Referral, Status
from ppaos.registry.models import Household, Membership
from ppaos.targeting.models import Outcome, Visit

T = {
    "figure": Figure._meta.db_table,
    "community": Community._meta.db_table,
    "household": Household._meta.db_table,
    "membership": Membership._meta.db_table,
    "visit": Visit._meta.db_table,
    "referral": Referral._meta.db_table,
    "assessment": Assessment._meta.db_table,
}
INSERT = f"INSERT INTO {T['figure']} (refresh_id, community_id, metric, period, round_name, value) "
VERIFICATION_METRICS = (
    "households_verified",
    "listed_verified",
    "listed_not_poor",
    "poor_verified",
    "newly_found_poor",
)
# A typed NULL: in a UNION an untyped one would be text, which a date column refuses.
ND = "CAST(NULL AS DATE)"
OPEN = ", ".join(f"'{s}'" for s in OPEN_STATUSES)


def _month(column: str, *, with_time: bool) -> str:
    """SQL for the first day of the month of a date (or, in local time, a timestamp) column."""
    if connection.vendor == "postgresql":
        if with_time:
            return f"CAST(date_trunc('month', {column} AT TIME ZONE %(tz)s) AS date)"
        return f"CAST(date_trunc('month', {column}) AS date)"
    if with_time:  # SQLite keeps timestamps as UTC text
        return f"date({column}, %(utc_offset)s, 'start of month')"
    return f"date({column}, 'start of month')"


def _latest_visits() -> str:
    """Each household's latest recorded visit (conflicts excluded)."""
    return (
        f"SELECT household_id, outcome, on_target_list, ROW_NUMBER() OVER ("  # noqa: S608
        f"PARTITION BY household_id ORDER BY visited_on DESC, id DESC) AS rn "
        f"FROM {T['visit']} WHERE status <> 'conflict'"
    )


def _unpivot(metrics: tuple[str, ...], *, round_name: str = "''") -> str:
    """One figure row per metric column of the CTE `per` (community_id, <metrics>)."""
    return " UNION ALL ".join(
        f"SELECT %(refresh)s, community_id, '{name}', {ND}, {round_name}, {name} "  # noqa: S608
        f"FROM per WHERE {name} > 0"
        for name in metrics
    )


def _statements() -> list[str]:
    """The INSERT … SELECT statements of one refresh, in order (parameters: %(refresh)s …).

    Each scans its tables once: a CTE `per` sums every metric of a community in columns, and
    `_unpivot` turns the columns into rows (zeros are not stored: a missing row sums as 0)."""
    h, m, v, r, a = T["household"], T["membership"], T["visit"], T["referral"], T["assessment"]
    listed_verified = (
        f"v.on_target_list AND v.outcome IN ('{Outcome.CONFIRMED_POOR}', '{Outcome.NOT_POOR}')"
    )
    listed_not_poor = f"v.on_target_list AND v.outcome = '{Outcome.NOT_POOR}'"
    poor_verified = (
        f"(v.on_target_list AND v.outcome = '{Outcome.CONFIRMED_POOR}') "
        f"OR v.outcome = '{Outcome.NEWLY_FOUND_POOR}'"
    )
    newly_found = f"v.outcome = '{Outcome.NEWLY_FOUND_POOR}'"
    registry = (
        f"WITH vh AS (SELECT DISTINCT household_id FROM {v} "  # noqa: S608
        f"WHERE status <> 'conflict'), "
        f"p AS (SELECT h.community_id, COUNT(*) AS people, "
        f"SUM(CASE WHEN vh.household_id IS NOT NULL THEN 1 ELSE 0 END) AS people_verified "
        f"FROM {m} m JOIN {h} h ON h.id = m.household_id "
        f"LEFT JOIN vh ON vh.household_id = m.household_id "
        f"WHERE m.end_date IS NULL GROUP BY h.community_id), "
        f"hh AS (SELECT community_id, COUNT(*) AS households FROM {h} GROUP BY community_id), "
        f"per AS (SELECT hh.community_id, hh.households, COALESCE(p.people, 0) AS people, "
        f"COALESCE(p.people_verified, 0) AS people_verified "
        f"FROM hh LEFT JOIN p ON p.community_id = hh.community_id) "
        + _unpivot(("households", "people", "people_verified"))
    )
    verification = (
        f"WITH v AS ({_latest_visits()}), per AS (SELECT h.community_id, "  # noqa: S608
        f"COUNT(*) AS households_verified, 1 AS communities_verified, "
        f"SUM(CASE WHEN {listed_verified} THEN 1 ELSE 0 END) AS listed_verified, "
        f"SUM(CASE WHEN {listed_not_poor} THEN 1 ELSE 0 END) AS listed_not_poor, "
        f"SUM(CASE WHEN {poor_verified} THEN 1 ELSE 0 END) AS poor_verified, "
        f"SUM(CASE WHEN {newly_found} THEN 1 ELSE 0 END) AS newly_found_poor "
        f"FROM v JOIN {h} h ON h.id = v.household_id WHERE v.rn = 1 GROUP BY h.community_id) "
        + _unpivot((*VERIFICATION_METRICS, "communities_verified"))
    )
    referrals = (
        f"WITH per AS (SELECT h.community_id, "  # noqa: S608
        f"SUM(CASE WHEN r.sent_at IS NOT NULL THEN 1 ELSE 0 END) AS referrals_made, "
        f"SUM(CASE WHEN r.status = '{Status.COMPLETED}' THEN 1 ELSE 0 END) "
        f"AS referrals_completed, "
        f"SUM(CASE WHEN r.status IN ({OPEN}) THEN 1 ELSE 0 END) AS referrals_open, "
        f"SUM(CASE WHEN r.status IN ({OPEN}) AND r.due_on < %(today)s THEN 1 ELSE 0 END) "
        f"AS referrals_overdue "
        f"FROM {r} r JOIN {h} h ON h.id = r.household_id GROUP BY h.community_id) "
        + _unpivot(("referrals_made", "referrals_completed", "referrals_open", "referrals_overdue"))
    )
    levels = (
        f"WITH g AS (SELECT h.community_id, a.round_name, "  # noqa: S608
        f"'level_' || COALESCE(CAST(a.level AS TEXT), 'none') AS metric, COUNT(*) AS n, "
        f"SUM(CASE WHEN a.is_poor THEN 1 ELSE 0 END) AS poor "
        f"FROM {a} a JOIN {h} h ON h.id = a.household_id "
        f"GROUP BY h.community_id, a.round_name, a.level) "
        f"SELECT %(refresh)s, community_id, metric, {ND}, round_name, n FROM g "
        f"UNION ALL SELECT %(refresh)s, community_id, 'poor', {ND}, round_name, SUM(poor) "
        f"FROM g GROUP BY community_id, round_name HAVING SUM(poor) > 0"
    )
    first_visits = (
        f"SELECT household_id, MIN(visited_on) AS first_on FROM {v} "  # noqa: S608
        f"WHERE status <> 'conflict' GROUP BY household_id"
    )
    first_month = _month("f.first_on", with_time=False)
    sent_month = _month("r.sent_at", with_time=True)
    completed_month = _month("r.completed_at", with_time=True)
    return [
        f"SELECT %(refresh)s, id, 'communities', {ND}, '', 1 FROM {T['community']}",  # noqa: S608
        registry,
        verification,
        referrals,
        levels,
        f"SELECT %(refresh)s, h.community_id, 'households_verified', {first_month}, '', "  # noqa: S608
        f"COUNT(*) FROM ({first_visits}) f JOIN {h} h ON h.id = f.household_id "
        f"GROUP BY 2, 4",
        f"SELECT %(refresh)s, h.community_id, 'referrals_made', {sent_month}, '', COUNT(*) "  # noqa: S608
        f"FROM {r} r JOIN {h} h ON h.id = r.household_id WHERE r.sent_at IS NOT NULL "
        f"GROUP BY 2, 4",
        f"SELECT %(refresh)s, h.community_id, 'referrals_completed', {completed_month}, '', "  # noqa: S608
        f"COUNT(*) FROM {r} r JOIN {h} h ON h.id = r.household_id "
        f"WHERE r.status = '{Status.COMPLETED}' AND r.completed_at IS NOT NULL "
        f"GROUP BY 2, 4",
    ]


def _parameters(refresh: Refresh, today: dt.date) -> dict:
    zone = timezone.get_default_timezone()
    offset = timezone.now().astimezone(zone).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    return {
        "refresh": refresh.pk,
        "today": today,
        "tz": settings.TIME_ZONE,
        "utc_offset": f"{minutes:+d} minutes",
    }


def refresh_create(*, actor=None) -> Refresh:
    """A queued refresh (for the background task, or run at once by the command)."""
    return Refresh.objects.create(created_by=actor if getattr(actor, "pk", None) else None)


def refresh_pending() -> Refresh | None:
    """A refresh queued or running now, if any (the page shows it instead of starting another)."""
    return (
        Refresh.objects.filter(status__in=[Refresh.Status.QUEUED, Refresh.Status.RUNNING])
        .order_by("-pk")
        .first()
    )


def refresh_run(
    *, refresh: Refresh | None = None, progress: Callable[[int, int], None] | None = None
) -> Refresh:
    """Compute every figure under `refresh` (a new one if None), then make it the current set.

    Each statement commits on its own, so the page can show progress; readers keep using the
    previous finished refresh until this one is done. A failed refresh says why and leaves
    no rows behind."""
    refresh = refresh or refresh_create()
    started = time.perf_counter()
    now = timezone.now()
    statements = _statements()
    Refresh.objects.filter(pk=refresh.pk).update(
        status=Refresh.Status.RUNNING, steps_total=len(statements), steps_done=0, as_of=now
    )
    params = _parameters(refresh, timezone.localdate(now))
    try:
        with connection.cursor() as cursor:
            for done, select in enumerate(statements, start=1):
                with transaction.atomic():
                    if connection.vendor == "postgresql":
                        # Hash aggregates over a million households fit in memory, not on disk.
                        cursor.execute("SET LOCAL work_mem = '256MB'")
                    cursor.execute(INSERT + select, params)
                Refresh.objects.filter(pk=refresh.pk).update(steps_done=done)
                if progress:
                    progress(done, len(statements))
        _finish(refresh, started=started)
        if connection.vendor == "postgresql":
            # Fresh statistics: without them the planner takes the new refresh id for a rare
            # value and reads its rows by nested loops, ten times slower.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {T['figure']}")
    except Exception as exc:  # a failed refresh must say why, not stay "running" forever
        Figure.objects.filter(refresh=refresh).delete()
        Refresh.objects.filter(pk=refresh.pk).update(
            status=Refresh.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
        )
    refresh.refresh_from_db()
    return refresh


@transaction.atomic
def _finish(refresh: Refresh, *, started: float) -> None:
    """Make this refresh current and drop older sets; if a newer one finished meanwhile, this
    one's rows are the stale ones."""
    superseded = Refresh.objects.filter(status=Refresh.Status.DONE, pk__gt=refresh.pk).exists()
    if superseded:
        Figure.objects.filter(refresh=refresh).delete()
        rows = 0
    else:
        Figure.objects.filter(refresh_id__lt=refresh.pk).delete()
        rows = Figure.objects.filter(refresh=refresh).count()
    Refresh.objects.filter(pk=refresh.pk).update(
        status=Refresh.Status.DONE,
        finished_at=timezone.now(),
        seconds=time.perf_counter() - started,
        rows=rows,
    )
