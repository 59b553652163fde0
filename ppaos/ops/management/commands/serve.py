import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ppaos.ops import gunicorn_conf


def _manage(*args: str) -> list[str]:
    return [sys.executable, "-m", "ppaos.manage", *args]


class Command(BaseCommand):
    help = (
        "Run PPAOS as a service on one machine: gunicorn (several workers, static files through "
        "WhiteNoise), the task worker and the periodic-job scheduler. Stops them all on "
        "Ctrl-C or SIGTERM, and stops (non-zero) when any one of them ends."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=gunicorn_conf.bind,
            help="address:port to serve on (default PPAOS_BIND or 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=gunicorn_conf.workers,
            help="gunicorn worker processes (default PPAOS_WEB_WORKERS or 3)",
        )
        parser.add_argument(
            "--scheduler-interval", type=float, default=5.0, help="seconds between schedule checks"
        )

    def processes(self, *, bind: str, web_workers: int, scheduler_interval: float) -> dict:
        """The command line of each process this service runs."""
        return {
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:ppaos.ops.gunicorn_conf",
                "--bind",
                bind,
                "--workers",
                str(web_workers),
                "ppaos.wsgi:application",
            ],
            "worker": _manage("db_worker", "--interval", "1", "--no-reload"),
            "scheduler": _manage("scheduler", "--interval", str(scheduler_interval)),
        }

    def handle(self, *args, bind: str, web_workers: int, scheduler_interval: float, **options):
        if settings.DEBUG:
            raise CommandError("`ppaos serve` runs with PPAOS_DEBUG=false only")
        commands = self.processes(
            bind=bind, web_workers=web_workers, scheduler_interval=scheduler_interval
        )
        children = {
            name: subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
            for name, command in commands.items()
        }
        self.stdout.write(f"Serving http://{bind}/ (pids: {self._pids(children)})")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        ended = None
        while not stopping and ended is None:
            ended = next((n for n, p in children.items() if p.poll() is not None), None)
            time.sleep(0.5)
        self._stop_all(children)
        if ended is not None:
            raise CommandError(f"{ended} stopped (exit {children[ended].returncode})")

    @staticmethod
    def _pids(children: dict) -> str:
        return ", ".join(f"{name} {p.pid}" for name, p in children.items())

    @staticmethod
    def _stop_all(children: dict, *, wait: float = 30) -> None:
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + wait
        for process in children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
