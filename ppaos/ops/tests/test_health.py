import datetime as dt

import pytest
from django.utils import timezone

from ppaos.lib.jobs import JobStatus
from ppaos.ops.models import PeriodicRun


@pytest.fixture
def schedule(settings, tmp_path):
    settings.PERIODIC_JOBS = {"heartbeat": "every 1m", "backup": "daily 02:30"}
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.HEALTH_MIN_FREE_MB = 1


def _run(job: str, *, ago: dt.timedelta, status=JobStatus.DONE, message="ok"):
    moment = timezone.now() - ago
    run = PeriodicRun.objects.create(job=job, slot=moment, status=status, message=message)
    PeriodicRun.objects.filter(pk=run.pk).update(
        enqueued_at=moment, finished_at=moment if status != JobStatus.QUEUED else None
    )


@pytest.mark.django_db
def test_healthy_when_the_worker_beat_recently(client, schedule):
    _run("heartbeat", ago=dt.timedelta(seconds=30))
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True
    assert body["checks"]["database"]["ok"] and body["checks"]["worker"]["ok"]
    assert body["checks"]["jobs"]["backup"]["last_status"] == "never"
    assert body["checks"]["disk"]["media"]["free_mb"] > 0


@pytest.mark.django_db
def test_a_silent_worker_fails_the_check(client, schedule):
    _run("heartbeat", ago=dt.timedelta(minutes=10))
    _run("heartbeat", ago=dt.timedelta(seconds=5), status=JobStatus.QUEUED)
    body = client.get("/health/").json()
    assert body["ok"] is False
    assert body["checks"]["scheduler"]["ok"] is True  # it still claims slots
    assert body["checks"]["worker"] == {
        "ok": False,
        "last_heartbeat": body["checks"]["worker"]["last_heartbeat"],
        "heartbeats_waiting": 1,
    }


@pytest.mark.django_db
def test_a_failed_job_fails_the_check_without_telling_why(client, schedule):
    _run("heartbeat", ago=dt.timedelta(seconds=30))
    _run("backup", ago=dt.timedelta(hours=1), status=JobStatus.FAILED, message="pg_dump: secret")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["jobs"]["backup"]["last_status"] == "failed"
    assert "secret" not in response.text


@pytest.mark.django_db
def test_low_disk_fails_the_check(client, schedule, settings):
    _run("heartbeat", ago=dt.timedelta(seconds=30))
    settings.HEALTH_MIN_FREE_MB = 10**12
    body = client.get("/health/").json()
    assert body["ok"] is False and body["checks"]["disk"]["backups"]["ok"] is False
