"""Refreshing the pre-aggregated figures: a handful of INSERT … SELECT … GROUP BY statements,
computed in the database (PostgreSQL or SQLite), and one step in Python for the verification
errors, all written under a new refresh id.

Figures per community (`period` empty, `round_name` empty: the state at the refresh):
communities, households, people; households, people and communities verified (the latest
recorded visit of each household, conflicts excluded); referrals made (sent), completed, open
and overdue. The parts of the inclusion and exclusion errors come from targeting's reviewed
status (`targeting.selectors.review_counts_by_community`, the rule of the targeting error
report; see `REVIEW_METRICS`). Per month (`period` = first day): households verified for the
first time, referrals sent, referrals completed. Per survey round (`round_name`): households
assessed, multidimensionally poor, and per level (`level_1` … `level_4`, `level_none`).
"""

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ppaos.areas.models import Community
from ppaos.assessment.models import Assessment
from ppaos.dashboards import hierarchy
from ppaos.dashboards.models import CommunityRefresh, Figure, Refresh
from ppaos.lib.alongside import Alongside
from ppaos.referrals.models import OPEN_STATUSES, Referral, Status
from ppaos.registry.models import Household, Membership
from ppaos.targeting.models import Visit
from ppaos.targeting.selectors import CommunityReviewCounts, review_counts_by_community

logger = logging.getLogger(__name__)

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
# From each household's reviewed status (targeting's rule), computed in Python: the fields
# of `CommunityReviewCounts`, one figure each.
REVIEW_METRICS = tuple(CommunityReviewCounts.__dataclass_fields__)
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


def _latest_visits(visits: str) -> str:
    """Each household's latest recorded visit (conflicts excluded)."""
    return (
        f"SELECT household_id, ROW_NUMBER() OVER ("  # noqa: S608
        f"PARTITION BY household_id ORDER BY visited_on DESC, id DESC) AS rn "
        f"FROM {visits} vs WHERE status <> 'conflict'"
    )


def _unpivot(metrics: tuple[str, ...], *, round_name: str = "''") -> str:
    """One figure row per metric column of the CTE `per` (community_id, <metrics>)."""
    return " UNION ALL ".join(
        f"SELECT %(refresh)s, community_id, '{name}', {ND}, {round_name}, {name} "  # noqa: S608
        f"FROM per WHERE {name} > 0"
        for name in metrics
    )


def _statements(*, communities: list[int] | None = None) -> list[str]:
    """The INSERT … SELECT statements of one refresh, in order (parameters: %(refresh)s …).

    Each scans its tables once: a CTE `per` sums every metric of a community in columns, and
    `_unpivot` turns the columns into rows (zeros are not stored: a missing row sums as 0).
    With `communities` (primary keys), the same statements read only the households of those
    communities (and their visits, members, referrals, assessments, through the indexes on
    household), so they write only their rows."""
    m, r, a = T["membership"], T["referral"], T["assessment"]
    h, v, communities_table = T["household"], T["visit"], T["community"]
    if communities is not None:
        among = ", ".join(str(int(pk)) for pk in communities) or "NULL"
        mine = f"SELECT id FROM {h} WHERE community_id IN ({among})"  # noqa: S608
        h = f"(SELECT * FROM {h} WHERE community_id IN ({among}))"  # noqa: S608
        v = f"(SELECT * FROM {v} WHERE household_id IN ({mine}))"  # noqa: S608
        communities_table = f"(SELECT * FROM {communities_table} WHERE id IN ({among}))"  # noqa: S608
    registry = (
        f"WITH vh AS (SELECT DISTINCT household_id FROM {v} vs "  # noqa: S608
        f"WHERE status <> 'conflict'), "
        f"p AS (SELECT h.community_id, COUNT(*) AS people, "
        f"SUM(CASE WHEN vh.household_id IS NOT NULL THEN 1 ELSE 0 END) AS people_verified "
        f"FROM {m} m JOIN {h} h ON h.id = m.household_id "
        f"LEFT JOIN vh ON vh.household_id = m.household_id "
        f"WHERE m.end_date IS NULL GROUP BY h.community_id), "
        f"hh AS (SELECT community_id, COUNT(*) AS households FROM {h} h GROUP BY community_id), "
        f"per AS (SELECT hh.community_id, hh.households, COALESCE(p.people, 0) AS people, "
        f"COALESCE(p.people_verified, 0) AS people_verified "
        f"FROM hh LEFT JOIN p ON p.community_id = hh.community_id) "
        + _unpivot(("households", "people", "people_verified"))
    )
    verification = (
        f"WITH v AS ({_latest_visits(v)}), per AS (SELECT h.community_id, "  # noqa: S608
        f"COUNT(*) AS households_verified, 1 AS communities_verified "
        f"FROM v JOIN {h} h ON h.id = v.household_id WHERE v.rn = 1 GROUP BY h.community_id) "
        + _unpivot(("households_verified", "communities_verified"))
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
        f"SELECT household_id, MIN(visited_on) AS first_on FROM {v} vs "  # noqa: S608
        f"WHERE status <> 'conflict' GROUP BY household_id"
    )
    first_month = _month("f.first_on", with_time=False)
    sent_month = _month("r.sent_at", with_time=True)
    completed_month = _month("r.completed_at", with_time=True)
    return [
        f"SELECT %(refresh)s, id, 'communities', {ND}, '', 1 FROM {communities_table} c",  # noqa: S608
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


def _review_figures(refresh_id: int, *, community_id: int | None = None) -> list[Figure]:
    """The verification errors' figures, per community (or only `community_id`), from each
    household's reviewed status as the targeting report counts it (zeros are not stored)."""
    counts = review_counts_by_community(community_id=community_id)
    return [
        Figure(
            refresh_id=refresh_id,
            community_id=community,
            metric=metric,
            period=None,
            round_name="",
            value=value,
        )
        for community, c in sorted(counts.items())
        for metric in REVIEW_METRICS
        if (value := getattr(c, metric))
    ]


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
    begun = now
    statements = _statements()
    steps = len(statements) + 1  # and the reviewed status, in Python
    Refresh.objects.filter(pk=refresh.pk).update(
        status=Refresh.Status.RUNNING, steps_total=steps, steps_done=0, as_of=now
    )
    params = _parameters(refresh, timezone.localdate(now))
    review = None
    try:
        # The verification errors are Python's work: done alongside the SQL statements, on
        # the other core (1M households: 3.7 s of a 10.5 s refresh when run after them).
        review = Alongside(partial(_review_figures, refresh.pk), name="ppaos-refresh-review")
        with connection.cursor() as cursor:
            for done, select in enumerate(statements, start=1):
                with transaction.atomic():
                    if connection.vendor == "postgresql":
                        # Hash aggregates over a million households fit in memory, not on disk.
                        cursor.execute("SET LOCAL work_mem = '256MB'")
                    cursor.execute(INSERT + select, params)
                Refresh.objects.filter(pk=refresh.pk).update(steps_done=done)
                if progress:
                    progress(done, steps)
        figures = review.result()
        with transaction.atomic():
            Figure.objects.bulk_create(figures, batch_size=5000)
        Refresh.objects.filter(pk=refresh.pk).update(steps_done=steps)
        if progress:
            progress(steps, steps)
        _finish(refresh, started=started)
        hierarchy.invalidate()  # every page's suppression is decided again on the new figures
        _recount_since(begun)
        if connection.vendor == "postgresql":
            # Fresh statistics: without them the planner takes the new refresh id for a rare
            # value and reads its rows by nested loops, ten times slower.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {T['figure']}")
    except Exception as exc:  # a failed refresh must say why, not stay "running" forever
        if review is not None:
            with contextlib.suppress(Exception):
                review.result()  # no thread left reading after the refresh is marked failed
        Figure.objects.filter(refresh=refresh).delete()
        Refresh.objects.filter(pk=refresh.pk).update(
            status=Refresh.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
        )
    refresh.refresh_from_db()
    if refresh.status == Refresh.Status.DONE:
        _warm()
    return refresh


def _warm() -> None:
    """The city-wide decision on the new figures, before a page asks for it; a failure here
    only means the first page to ask decides (ppaos.dashboards.hierarchy)."""
    try:
        hierarchy.warm()
    except Exception:  # the refresh itself succeeded
        logger.exception("deciding suppression after the refresh failed")


@transaction.atomic
def _finish(refresh: Refresh, *, started: float) -> None:
    """Make this refresh current and drop older sets; if a newer one finished meanwhile, this
    one's rows are the stale ones. An incremental refresh of the current set still running is
    waited for (it locks that set's row)."""
    list(Refresh.objects.select_for_update().filter(status=Refresh.Status.DONE).values("pk"))
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


def _recount_since(begun: dt.datetime) -> None:
    """Communities refreshed incrementally while the full refresh ran: it may have read their
    rows before the save, so they are refreshed again, now on its figures."""
    with transaction.atomic():
        again = CommunityRefresh.objects.filter(last_run_at__gte=begun, due_at__isnull=True)
        if again.update(due_at=timezone.now()):
            transaction.on_commit(_enqueue)


# ---------------------------------------------------------------------------------------------
# Communities at a time: a visit, referral or survey saved there shows within a second
# ---------------------------------------------------------------------------------------------

# A community marked out of date this long ago and still not refreshed (its task was lost: a
# worker down) is asked for again by the next save there.
STALE = dt.timedelta(minutes=10)
# Communities one incremental run refreshes together at most (a burst of saves across the
# city): the rest are left marked, for the next run.
BATCH = 100


def refresh_schedule_community(*, community_id: int) -> None:
    """Mark one community's figures out of date and ask the worker to refresh them now (task
    `run_community_refresh`, which refreshes every marked community). While the community is
    marked, further saves there add nothing: the coming run counts them. Call it after the
    change is committed (ppaos.lib.events does)."""
    now = timezone.now()
    with transaction.atomic():
        marker, _ = CommunityRefresh.objects.select_for_update().get_or_create(
            community_id=community_id
        )
        if marker.due_at is not None and marker.due_at > now - STALE:
            return
        marker.due_at = now
        marker.save(update_fields=["due_at"])
        transaction.on_commit(partial(_enqueue, community_id=community_id))


def _enqueue(*, community_id: int | None = None) -> None:
    from ppaos.dashboards.tasks import run_community_refresh

    run_community_refresh.enqueue(community_id)


def refresh_communities_due() -> list[int]:
    """The background task's work: take the marked communities (up to `BATCH`; another run
    takes the rest), clear their marks, then refresh their figures together. Every save
    committed before the marks are cleared is counted; a save after marks its community again.
    Returns the communities refreshed."""
    with transaction.atomic():
        ids = list(
            CommunityRefresh.objects.select_for_update(skip_locked=True)
            .filter(due_at__isnull=False)
            .order_by("due_at")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return []
        CommunityRefresh.objects.filter(pk__in=ids).update(due_at=None, last_run_at=timezone.now())
    try:
        seconds = refresh_run_communities(community_ids=ids)
    except Exception:
        # Marked again: the next save or run retries them; the full refresh counts them anyway.
        CommunityRefresh.objects.filter(pk__in=ids, due_at__isnull=True).update(
            due_at=timezone.now()
        )
        raise
    CommunityRefresh.objects.filter(pk__in=ids).update(seconds=seconds)
    if CommunityRefresh.objects.filter(due_at__isnull=False).exists():
        _enqueue()
    return ids


def refresh_run_community_due(*, community_id: int) -> float | None:
    """`refresh_communities_due`, for a task queued for one community (it takes every marked
    one): the seconds of the community's refresh, if it ran."""
    refresh_communities_due()
    marker = CommunityRefresh.objects.filter(pk=community_id).first()
    return None if marker is None else marker.seconds


def _current_locked() -> Refresh | None:
    """The current refresh, locked until the transaction ends: a full refresh finishing waits
    for this incremental run, and this run never writes into a set the full one replaced."""
    while True:
        current = (
            Refresh.objects.select_for_update()
            .filter(status=Refresh.Status.DONE)
            .order_by("-pk")
            .first()
        )
        if current is None:
            return None
        if not Refresh.objects.filter(status=Refresh.Status.DONE, pk__gt=current.pk).exists():
            return current


def refresh_run_communities(*, community_ids: list[int]) -> float | None:
    """Recompute some communities' rows of the current figures in place, with the statements
    of the full refresh restricted to their households, and their reviewed-status figures, in
    one transaction, and the disclosure decision with them (ppaos.dashboards.hierarchy). None
    when no refresh has finished yet (the first full refresh counts everything)."""
    started = time.perf_counter()
    community_ids = sorted(set(community_ids))
    with transaction.atomic():
        current = _current_locked()
        if current is None:
            return None
        deleted, _ = Figure.objects.filter(refresh=current, community_id__in=community_ids).delete()
        params = _parameters(current, timezone.localdate())
        inserted = 0
        with connection.cursor() as cursor:
            for select in _statements(communities=community_ids):
                cursor.execute(INSERT + select, params)
                inserted += max(cursor.rowcount, 0)
        review = [
            figure
            for pk in community_ids
            for figure in _review_figures(current.pk, community_id=pk)
        ]
        Figure.objects.bulk_create(review, batch_size=5000)
        inserted += len(review)
        Refresh.objects.filter(pk=current.pk).update(rows=F("rows") - deleted + inserted)
        hierarchy.communities_changed(current, community_ids)
    return time.perf_counter() - started


def refresh_run_community(*, community_id: int) -> float | None:
    """`refresh_run_communities` for one community."""
    return refresh_run_communities(community_ids=[community_id])
