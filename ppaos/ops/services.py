"""Writes of the operations app: the scheduler's tick claims due slots and enqueues them; the
worker's task runs one claimed slot."""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppaos.lib.jobs import JobStatus
from ppaos.ops import schedule
from ppaos.ops.jobs import JOBS
from ppaos.ops.models import PeriodicRun

logger = logging.getLogger(__name__)


def schedules() -> dict[str, schedule.Schedule]:
    """Every job's parsed schedule, from settings.PERIODIC_JOBS."""
    return {name: schedule.parse(spec) for name, spec in settings.PERIODIC_JOBS.items()}


def periodic_runs_enqueue(*, now: dt.datetime | None = None) -> list[PeriodicRun]:
    """The scheduler's tick: claim every job's current slot that nobody claimed yet and enqueue
    it for the worker. Safe to call from several schedulers at once: (job, slot) is unique."""
    from ppaos.ops.tasks import run_periodic

    now = now or timezone.now()
    claimed = []
    for name, plan in schedules().items():
        slot = plan.slot(now)
        if slot is None or PeriodicRun.objects.filter(job=name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=name, slot=slot)
                # Enqueued only once the slot is ours, in the same transaction.
                run_periodic.enqueue(run.pk)
        except IntegrityError:
            continue  # another scheduler claimed it first
        claimed.append(run)
    return claimed


def periodic_run_execute(*, run_id: int) -> PeriodicRun:
    """Run one claimed slot: its job's function, then record how it ended. A failure is logged
    and recorded, never raised to the worker (the next slot tries again)."""
    run = PeriodicRun.objects.get(pk=run_id)
    function, _label = JOBS[run.job]
    run.status, run.started_at = JobStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        run.message = str(function())[:500]
        run.status = JobStatus.DONE
    except Exception as e:  # a job's failure must not kill the worker
        logger.exception("periodic job %s failed", run.job)
        run.message = f"{type(e).__name__}: {e}"[:500]
        run.status = JobStatus.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
    return run


def periodic_runs_prune(*, keep_days: int = 30, now: dt.datetime | None = None) -> int:
    """Forget runs older than `keep_days` (the heartbeat alone adds 1,440 a day)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    deleted, _ = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    return deleted
