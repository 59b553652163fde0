import datetime as dt

import pytest

from ppaos.lib.jobs import JobStatus
from ppaos.ops import jobs
from ppaos.ops.models import PeriodicRun
from ppaos.ops.services import periodic_runs_enqueue, periodic_runs_prune

NOW = dt.datetime(2026, 12, 7, 3, 0, 30, tzinfo=dt.UTC)


@pytest.fixture
def only(settings):
    def _only(**specs):
        settings.PERIODIC_JOBS = specs

    return _only


@pytest.mark.django_db
def test_each_slot_is_claimed_and_run_once(only):
    only(heartbeat="every 1m", exports_cleanup="every 1h", backup="off")
    first = periodic_runs_enqueue(now=NOW)
    assert {run.job for run in first} == {"heartbeat", "exports_cleanup"}
    assert periodic_runs_enqueue(now=NOW + dt.timedelta(seconds=20)) == []
    later = periodic_runs_enqueue(now=NOW + dt.timedelta(minutes=1))
    assert [run.job for run in later] == ["heartbeat"]
    # The test backend runs tasks at once: every claimed run has finished.
    runs = PeriodicRun.objects.all()
    assert runs.count() == 3 and {run.status for run in runs} == {JobStatus.DONE}
    cleanup = runs.get(job="exports_cleanup")
    assert cleanup.message == "0 expired export file(s) removed" and cleanup.finished_at


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_does_not_stop_the_others(only, monkeypatch):
    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "exports_cleanup", (broken, "Export cleanup"))
    only(exports_cleanup="every 1h", heartbeat="every 1m")
    periodic_runs_enqueue(now=NOW)
    failed = PeriodicRun.objects.get(job="exports_cleanup")
    assert failed.status == JobStatus.FAILED and failed.message == "RuntimeError: disk full"
    assert PeriodicRun.objects.get(job="heartbeat").status == JobStatus.DONE


@pytest.mark.django_db(transaction=True)  # a backup reads the database from outside the test's
def test_backup_writes_a_private_file_and_keeps_the_newest(only, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 2
    settings.BACKUP_DIR.mkdir()
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (settings.BACKUP_DIR / f"ppaos-{stamp}.backup").write_bytes(b"old")
    message = jobs.backup()
    names = sorted(p.name for p in settings.BACKUP_DIR.iterdir())
    assert len(names) == 2 and names[0] == "ppaos-20260103-000000.backup"
    newest = settings.BACKUP_DIR / names[1]
    assert newest.stat().st_size > 1000 and newest.stat().st_mode & 0o077 == 0
    assert message.endswith("2 old backup(s) removed")


@pytest.mark.django_db
def test_old_runs_are_forgotten(only):
    only(heartbeat="every 1m")
    periodic_runs_enqueue(now=NOW - dt.timedelta(days=40))
    periodic_runs_enqueue(now=NOW)
    assert periodic_runs_prune(keep_days=30, now=NOW) == 1
    assert PeriodicRun.objects.get().slot == dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
