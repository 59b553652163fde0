"""The health report behind /health/: database, scheduler, worker heartbeat, the last run of
each periodic job, and free disk for media and backups. It names no person and no error text:
the details are in the server's logs and in the admin's periodic-run list."""

import datetime as dt
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ppaos.lib.jobs import JobStatus
from ppaos.ops.models import PeriodicRun
from ppaos.ops.services import schedules

# Allowance on top of two heartbeat periods: a scheduler tick, a busy worker's current task.
_GRACE = dt.timedelta(seconds=60)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return {"ok": False}
    return {"ok": True, "vendor": connection.vendor}


def _heartbeat(now: dt.datetime) -> tuple[dict, dict]:
    """(scheduler, worker): the scheduler claims a heartbeat slot every period and the worker
    runs it; either one silent for two periods is down."""
    plan = schedules().get("heartbeat")
    if plan is None or plan.is_off:
        off = {"ok": True, "monitored": False}
        return off, off
    limit = 2 * plan.period + _GRACE
    runs = PeriodicRun.objects.filter(job="heartbeat")
    claimed = runs.order_by("-slot").values_list("enqueued_at", flat=True).first()
    done = runs.filter(status=JobStatus.DONE).order_by("-finished_at").first()
    worked = done.finished_at if done else None
    queued = runs.filter(status=JobStatus.QUEUED).count()
    scheduler = {"ok": bool(claimed and now - claimed <= limit), "last_claim": _iso(claimed)}
    worker = {
        "ok": bool(worked and now - worked <= limit),
        "last_heartbeat": _iso(worked),
        "heartbeats_waiting": queued,
    }
    return scheduler, worker


def _jobs() -> dict:
    report = {}
    for name, plan in schedules().items():
        if name == "heartbeat":
            continue
        last = PeriodicRun.objects.filter(job=name).order_by("-slot").first()
        finished = (
            PeriodicRun.objects.filter(job=name, finished_at__isnull=False)
            .order_by("-slot")
            .first()
        )
        report[name] = {
            "ok": not (finished and finished.status == JobStatus.FAILED),
            "schedule": plan.spec,
            "last_slot": _iso(last.slot if last else None),
            "last_status": last.status if last else "never",
            "last_finished": _iso(finished.finished_at if finished else None),
        }
    return report


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _disk() -> dict:
    minimum = settings.HEALTH_MIN_FREE_MB * 1024 * 1024
    report = {}
    for name, folder in (("media", settings.MEDIA_ROOT), ("backups", settings.BACKUP_DIR)):
        free = shutil.disk_usage(_existing(Path(folder))).free
        report[name] = {"ok": free >= minimum, "free_mb": free // (1024 * 1024)}
    return report


def health_report(*, now: dt.datetime | None = None) -> dict:
    """Every check with its own `ok`, and `ok` overall (all of them)."""
    now = now or timezone.now()
    database = _database()
    checks: dict = {"database": database}
    if database["ok"]:
        checks["scheduler"], checks["worker"] = _heartbeat(now)
        checks["jobs"] = _jobs()
    checks["disk"] = _disk()
    flat = [checks["database"], *checks["disk"].values()]
    if database["ok"]:
        flat += [checks["scheduler"], checks["worker"], *checks["jobs"].values()]
    return {"ok": all(item["ok"] for item in flat), "time": now.isoformat(), "checks": checks}
