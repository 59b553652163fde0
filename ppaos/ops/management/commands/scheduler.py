import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from ppaos.ops.services import periodic_runs_enqueue, schedules

logger = logging.getLogger("ppaos.ops.scheduler")


class Command(BaseCommand):
    help = (
        "Run the periodic-job scheduler: every few seconds, enqueue each job whose slot has "
        "come (settings PPAOS_SCHEDULE_*); the task worker (`ppaos db_worker`) runs them. "
        "Several schedulers may run: each slot is claimed once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=5.0, help="seconds between checks (default 5)"
        )
        parser.add_argument("--once", action="store_true", help="check once, then exit")

    def handle(self, *args, interval: float, once: bool, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        plan = ", ".join(f"{name} {s.spec}" for name, s in schedules().items())
        logger.info("scheduler started: %s", plan)
        while not stop.is_set():
            close_old_connections()
            try:
                for run in periodic_runs_enqueue():
                    logger.info("enqueued %s for %s", run.job, run.slot.isoformat())
            except DatabaseError:
                # PostgreSQL restarting, say: try again at the next tick.
                logger.exception("scheduler tick failed; retrying")
            if once:
                break
            stop.wait(interval)
        logger.info("scheduler stopped")
