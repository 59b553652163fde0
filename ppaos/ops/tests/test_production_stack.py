"""The production stack, for real: `ppaos serve` (gunicorn, the task worker and the scheduler)
on PostgreSQL with DEBUG off, spoken to over HTTP. CI runs it (.ci/run); on SQLite it skips,
since the test database lives in memory where another process cannot reach it."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.lib.jobs import JobStatus
from ppaos.ops.models import PeriodicRun
from ppaos.registry.models import Household

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "stack-test-password-7f3a"  # noqa: S105


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _secrets(folder: Path) -> dict[str, str]:
    subprocess.run(  # noqa: S603
        [str(ROOT / "scripts/make-secrets"), str(folder)], check=True, capture_output=True
    )
    return {
        "PPAOS_SECRET_KEY_FILE": str(folder / "secret_key"),
        "PPAOS_ID_KEYS_FILE": str(folder / "id_keys"),
        "PPAOS_ID_HASH_KEY_FILE": str(folder / "id_hash_key"),
        "PPAOS_PSEUDONYM_KEY_FILE": str(folder / "pseudonym_key"),
    }


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PPAOS_")}
    return base | {
        "DJANGO_SETTINGS_MODULE": "ppaos.settings",
        "PPAOS_DEBUG": "false",
        "PPAOS_SECURE_COOKIES": "false",  # plain HTTP on loopback
        "PPAOS_MEDIA_ROOT": str(tmp_path / "media"),
        "PPAOS_BACKUP_DIR": str(tmp_path / "backups"),
        "PPAOS_HEALTH_MIN_FREE_MB": "1",
        **extra,
    }


def test_startup_refuses_the_default_secret_key_and_missing_id_keys(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import ppaos.wsgi"],
        env=_production_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "PPAOS refuses to start" in result.stderr
    for check in ("ppaos.E004", "ppaos.E001", "ppaos.E007"):
        assert check in result.stderr


def test_the_entry_point_loads_the_views_before_the_workers_fork(tmp_path):
    """gunicorn preloads ppaos.wsgi, then forks: what the entry point loads, no worker loads
    again on its first request (`ppaos.ops.warmup`)."""
    views = ("ppaos.urls", "ppaos.assessment.views", "ppaos.api.urls", "pandas")
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import sys, ppaos.wsgi; print([m for m in {views!r} if m not in sys.modules])",
        ],
        env=_production_env(tmp_path, **_secrets(tmp_path / "secrets")),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.fixture
def stack(tmp_path, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the production stack test needs PostgreSQL (CI: .ci/run)")
    port = _free_port()
    env = _production_env(
        tmp_path,
        DATABASE_URL=_database_url(),
        PPAOS_SCHEDULE_HEARTBEAT="every 2s",
        PPAOS_SCHEDULE_EXPORTS_CLEANUP="every 3s",
        PPAOS_SCHEDULE_REFRESH_DASHBOARDS="off",
        PPAOS_SCHEDULE_REFERRALS_OVERDUE="off",
        PPAOS_SCHEDULE_PRIVACY_RETENTION="off",
        PPAOS_SCHEDULE_BACKUP="off",
        PPAOS_SCHEDULE_HISTORY_PRUNE="off",
        **_secrets(tmp_path / "secrets"),
    )
    log = (tmp_path / "serve.log").open("w+")
    command = [sys.executable, "-m", "ppaos.manage", "serve", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(  # noqa: S603
        [*command, "--web-workers", "2", "--scheduler-interval", "0.5"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}", server, tmp_path / "serve.log"
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()
        connection.close()


def _wait_healthy(base: str, server, log: Path, *, seconds: float = 240) -> dict:
    """Poll /health/ until it answers 200 (a loaded CI machine may take minutes to start)."""
    deadline = time.monotonic() + seconds
    body = None
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the stack stopped:\n{log.read_text()[-3000:]}"
        try:
            response = requests.get(f"{base}/health/", timeout=5)
            body = response.json()
            if response.status_code == 200:
                return body
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass  # not up yet, or too busy starting to answer within 5 s: ask again
        time.sleep(0.5)
    raise AssertionError(f"never healthy: {body}\n{log.read_text()[-3000:]}")


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def test_the_stack_serves_saves_and_runs_its_periodic_jobs(stack, communities, settings):
    base, server, log = stack
    # A password the server can check (the suite's fast test hasher is not one of its own).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    volunteer = user_create(username="stack_volunteer", password=PASSWORD, first_name="Stack")
    role_assign(user=volunteer, role=Role.VOLUNTEER, community=communities["A"])

    health = _wait_healthy(base, server, log)
    assert health["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert health["checks"]["worker"]["ok"] and health["checks"]["scheduler"]["ok"]

    session = requests.Session()
    token = _csrf(session, f"{base}/accounts/login/")
    login = session.post(
        f"{base}/accounts/login/",
        data={"username": "stack_volunteer", "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert login.status_code == 302, login.text[:500]

    form = f"{base}/communities/{communities['A'].pk}/households/new/"
    saved = session.post(
        form,
        data={"house_no": "12/34", "tenure": "rented", "csrfmiddlewaretoken": _csrf(session, form)},
        allow_redirects=False,
        timeout=10,
    )
    assert saved.status_code == 302, saved.text[:500]
    assert Household.objects.filter(community=communities["A"], house_no="12/34").exists()

    # DEBUG is off: a missing page is the Thai 404, with no list of URL patterns.
    missing = session.get(f"{base}/no-such-page/", timeout=10)
    assert missing.status_code == 404 and "ไม่พบหน้านี้" in missing.text
    assert "URLconf" not in missing.text and "Traceback" not in missing.text
    # Static files come from WhiteNoise.
    assert session.get(f"{base}/static/ppaos/app.css", timeout=10).status_code == 200

    deadline = time.monotonic() + 30
    while not PeriodicRun.objects.filter(job="exports_cleanup", status=JobStatus.DONE).exists():
        assert time.monotonic() < deadline, "the short-schedule job never ran"
        time.sleep(0.5)
    assert PeriodicRun.objects.filter(job="heartbeat", status=JobStatus.DONE).count() >= 1

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=40) == 0
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith('{"time"')]
    requests_logged = [x for x in lines if x["logger"] == "ppaos.request"]
    [saved_line] = [
        x for x in requests_logged if x["path"].endswith("/new/") and x["method"] == "POST"
    ]
    assert saved_line["status"] == 302
    assert saved_line["user_id"] == volunteer.pk and saved_line["request_id"]
