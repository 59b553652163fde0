"""Latency benchmark: p50/p95 and throughput of the dashboard, the household list page and the
API household list under 50 concurrent clients, against a minimal Django view returning the
same page of rows from raw SQL, measured in the same run.

    python bench/latency.py [--quick] [--clients 50] [--seconds 30] [--workers 4]

1. The database. Full run: PPAOS_BENCH_DATABASE_URL (default ppaos_bench), which must already
   hold the 1M-household registry of `bench/run.py` (it is only read, plus a bench user, its
   sessions and token). `--quick`: a small throwaway database (`ppaos_bench_latency_quick`,
   3,000 households), recreated each time.
2. Migrates, vacuums the registry tables, runs ANALYZE, refreshes the dashboards (`ppaos
   refresh-dashboards`), creates the user
   `bench_latency` (coordinator of the home province), one signed-in session per client (made
   directly, like `force_login`, so the run measures pages, not password hashing) and an API
   token; picks the community with the most households.
3. Starts gunicorn (`--workers` sync workers) on 127.0.0.1 with PPAOS_DEBUG=false and
   DJANGO_SETTINGS_MODULE=bench.latency_settings (PPAOS's settings plus the baseline URL,
   which the production URL configuration never holds).
4. For each endpoint in turn, after a short warm-up, locust (headless, `--clients` users, no
   think time) for `--seconds`: the city dashboard (`/dashboards/`), the community's household
   list page (first page), `GET /api/households/?community=<id>` (token) and the baseline
   `/bench/baseline/households/<id>/`. Prints requests, failures, p50, p95, requests/s and the
   ratio of each to the baseline, the baseline's p95 and PASS/FAIL against the goal (p95 at most
   2× the baseline's p95, same run); writes bench/out/latency.json. A full run exits 1 when an
   endpoint fails the goal.

Loopback only, bounded in time; the server is stopped at the end.
"""

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as load_bench  # noqa: E402 (bench/run.py: shared bench helpers)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ppaos_bench"
QUICK_URL = "postgres://postgres@127.0.0.1:5432/ppaos_bench_latency_quick"
# Latency goal (issue #17): each endpoint's p95 at most this many times the baseline's p95.
GOAL_RATIO = 2.0
LOOPBACK = {"127.0.0.1", "::1"}
QUICK_HOUSEHOLDS = 3000
FULL_MINIMUM = 900_000
USERNAME = "bench_latency"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small database, a few seconds")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--seconds", type=int, default=0, help="per endpoint (30; quick: 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument("--skip-refresh", action="store_true", help="keep the dashboard figures")
    parser.add_argument(
        "--min-households",
        type=int,
        default=FULL_MINIMUM,
        help=f"smallest registry a full run accepts ({FULL_MINIMUM:,}; a development run on a "
        "200k-300k registry of bench/run.py passes less)",
    )
    args = parser.parse_args()
    args.seconds = args.seconds or (4 if args.quick else 30)
    if not 1 <= args.clients <= 500 or not 1 <= args.seconds <= 600:
        parser.error("--clients must be 1-500 and --seconds 1-600")
    if not 1 <= args.workers <= 32:
        parser.error("--workers must be 1-32")
    return args


def checked_url(url: str) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    if params.get("host") not in LOOPBACK:
        sys.exit(f"latency: refusing host {params.get('host')!r}: only 127.0.0.1 or ::1")
    name = params.get("dbname", "")
    if "bench" not in name or not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"latency: refusing database {name!r}: a plain name containing 'bench'")
    return params


def ppaos(*args: str, url: str, timeout: int = 3600) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [str(BIN / "ppaos"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        sys.exit(f"latency: ppaos {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def recreate(params: dict) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    admin = make_conninfo(**{**params, "dbname": "postgres"})
    name = sql.Identifier(params["dbname"])
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def household_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM registry_household").fetchone()[0]
    except psycopg.Error:
        return 0


def prepare_database(args, url: str, params: dict) -> dict:
    timings = {}
    if args.quick:
        recreate(params)
        ppaos("migrate", "--no-input", url=url)
        ppaos("load-geography", url=url)
        ppaos(
            "demo-data", "--seed", "1", "--households", str(QUICK_HOUSEHOLDS), "--no-users",
            "--no-surveys", url=url,
        )  # fmt: skip
    else:
        n = household_count(url)
        if n < args.min_households:
            sys.exit(
                f"latency: {params['dbname']} holds {n:,} households; load the registry first: "
                f"{BIN / 'python'} bench/run.py --households 1000000"
            )
        ppaos("migrate", "--no-input", url=url)
    # Fresh statistics and visibility maps: right after a bulk load autovacuum may not have
    # analysed the tables (the planner would then scan 3M memberships for one page of
    # households) nor vacuumed them (index-only scans, such as counting a community's
    # households or a household's members, would still read every heap page).
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("VACUUM (ANALYZE) registry_household, registry_membership")
        conn.execute("ANALYZE")
    if not args.skip_refresh:
        started = time.perf_counter()
        ppaos("refresh-dashboards", url=url, timeout=3 * 3600)
        timings["refresh_dashboards_seconds"] = round(time.perf_counter() - started, 1)
    return timings


def prepare_clients(url: str, clients: int) -> dict:
    """The bench user, its sessions and token, and the community to list (in this process)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppaos.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from ppaos.accounts.models import Role, RoleAssignment, User
    from ppaos.areas.models import Province
    from ppaos.registry.models import Household

    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"first_name": "bench"})
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.COORDINATOR, province=Province.objects.get(code=settings.HOME_PROVINCE)
    )
    sessions = []
    for _n in range(clients):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    biggest = (
        Household.objects.values("community_id")
        .annotate(n=Count("id"))
        .order_by("-n", "community_id")
        .first()
    )
    return {
        "sessions": sessions,
        "token": token.key,
        "community": biggest["community_id"],
        "community_households": biggest["n"],
    }


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.latency_settings",
        "PYTHONPATH": str(ROOT),
        "PPAOS_DEBUG": "false",
        "PPAOS_LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"), "ppaos.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "sync", "--backlog", "2048", "--timeout", "120",
            "--log-level", "warning",
        ],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    if load_bench.listening(server, port, 60):
        return server
    if server.poll() is not None:
        sys.exit("latency: gunicorn exited at start")
    stop_server(server)
    sys.exit("latency: gunicorn did not start within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def warm_up(port: int, endpoint: dict, info: dict, times: int = 3) -> float:
    """A few sequential requests: checks the answer and fills the caches. Returns the last
    request's seconds."""
    headers = {"Accept-Language": "th"}
    if endpoint.get("session"):
        headers["Cookie"] = f"sessionid={info['sessions'][0]}"
    if endpoint.get("token"):
        headers["Authorization"] = f"Token {info['token']}"
    seconds = 0.0
    for _ in range(times):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{endpoint['path']}", headers=headers
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 (loopback)
            body = response.read().decode("utf-8", "replace")
            if response.status != 200 or endpoint["expect"] not in body:
                sys.exit(
                    f"latency: {endpoint['path']} answered {response.status} without "
                    f"{endpoint['expect']!r}"
                )
        seconds = time.perf_counter() - started
    return seconds


def run_locust(port: int, endpoint: dict, info: dict, clients: int, seconds: int) -> dict:
    run = {
        "path": endpoint["path"],
        "sessions": info["sessions"] if endpoint.get("session") else [],
        "token": info["token"] if endpoint.get("token") else "",
        "expect": endpoint["expect"],
    }
    env = {**os.environ, "LATENCY_RUN": json.dumps(run)}
    with tempfile.TemporaryDirectory(prefix="ppaos-latency-") as tmp:
        prefix = Path(tmp) / "run"
        subprocess.run(
            [
                str(BIN / "locust"), "-f", str(ROOT / "bench" / "latency_locustfile.py"),
                "--headless", "--users", str(clients), "--spawn-rate", str(clients),
                "--run-time", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
                "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
                "--stop-timeout", "30", "--exit-code-on-error", "0",
            ],
            env=env, cwd=ROOT, check=True, timeout=seconds + 180,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
            row = next(r for r in csv.DictReader(f) if r["Name"] == "page")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "mean_ms": round(float(row["Average Response Time"]), 1),
        "requests_per_second": round(float(row["Requests/s"]), 1),
    }


def endpoints(info: dict) -> list[dict]:
    community = info["community"]
    return [
        {"name": "dashboard", "path": "/dashboards/", "session": True, "expect": "<h1"},
        {
            "name": "household list page",
            "path": f"/communities/{community}/",
            "session": True,
            "expect": 'id="household-table"',
        },
        {
            "name": "API household list",
            "path": f"/api/households/?community={community}&page_size=50",
            "token": True,
            "expect": '"results"',
        },
        {
            "name": "baseline (raw SQL)",
            "path": f"/bench/baseline/households/{community}/",
            "expect": '"results"',
        },
    ]


def verdict(r: dict, base: dict) -> str:
    """PASS when the endpoint's p95 is at most GOAL_RATIO × the baseline's p95 of the same run
    and no request failed; the baseline itself is the reference."""
    if r is base:
        return "reference"
    ok = r["p95_ratio"] is not None and r["p95_ratio"] <= GOAL_RATIO and not r["failures"]
    return "PASS" if ok else "FAIL"


def report(result: dict) -> str:
    base = result["results"][-1]
    lines = [
        f"{result['clients']} clients, {result['seconds']} s per endpoint, "
        f"{result['households']:,} households, gunicorn {result['workers']} workers",
        f"{'endpoint':<22} {'requests':>9} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'base p95':>9} {'req/s':>7} {'p50 ×':>7} {'p95 ×':>7} {'req/s ×':>8}  goal p95 ≤ "
        f"{GOAL_RATIO:g}×",
    ]
    for r in result["results"]:
        lines.append(
            f"{r['name']:<22} {r['requests']:>9,} {r['failures']:>5} {r['p50_ms']:>8.0f} "
            f"{r['p95_ms']:>8.0f} {base['p95_ms']:>9.0f} {r['requests_per_second']:>7.1f} "
            f"{r['p50_ratio']:>7.2f} {r['p95_ratio']:>7.2f} {r['throughput_ratio']:>8.2f}  "
            f"{r['verdict']}"
        )
    lines.append(
        f"ratios against {base['name']} in the same run: latency ×, throughput as a fraction "
        f"of it; measured on {result['cpus']} cores shared with locust and PostgreSQL"
    )
    return "\n".join(lines)


def production_secrets() -> None:
    """The keys a server with PPAOS_DEBUG=false refuses to start without, fresh for this run
    unless given (as bench/load.py does): the pages measured read no national ID."""
    import secrets

    from cryptography.fernet import Fernet

    os.environ.setdefault("PPAOS_SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("PPAOS_ID_KEYS", Fernet.generate_key().decode())
    os.environ.setdefault("PPAOS_ID_HASH_KEY", secrets.token_hex(32))
    os.environ.setdefault("PPAOS_PSEUDONYM_KEY", secrets.token_hex(32))


def main() -> int:
    args = parse_args()
    production_secrets()
    if args.quick:  # a throwaway database of its own, recreated (never the full registry's)
        url = os.environ.get("PPAOS_BENCH_QUICK_DATABASE_URL", QUICK_URL)
    else:
        url = os.environ.get("PPAOS_BENCH_DATABASE_URL", DEFAULT_URL)
    params = checked_url(url)
    timings = prepare_database(args, url, params)
    info = prepare_clients(url, args.clients)
    households = household_count(url)
    port = load_bench.free_port()
    server = start_server(url, port, args.workers)
    results = []
    try:
        for endpoint in endpoints(info):
            first = warm_up(port, endpoint, info)
            print(
                f"  {endpoint['name']}: warm request {first * 1000:.0f} ms; "
                f"{args.clients} clients for {args.seconds} s",
                flush=True,
            )
            measured = run_locust(port, endpoint, info, args.clients, args.seconds)
            results.append(
                {
                    "name": endpoint["name"],
                    "path": endpoint["path"],
                    **measured,
                    "single_request_ms": round(first * 1000, 1),
                }
            )
    finally:
        stop_server(server)
    base = results[-1]
    for r in results:
        r["p50_ratio"] = round(r["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None
        r["p95_ratio"] = round(r["p95_ms"] / base["p95_ms"], 2) if base["p95_ms"] else None
        r["throughput_ratio"] = (
            round(r["requests_per_second"] / base["requests_per_second"], 3)
            if base["requests_per_second"]
            else None
        )
    for r in results:
        r["verdict"] = verdict(r, base)
    result = {
        "benchmark": "latency",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "database": f"{params['dbname']} on {params['host']}",
        "households": households,
        "community": info["community"],
        "community_households": info["community_households"],
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "goal_p95_ratio": GOAL_RATIO,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        **timings,
        "results": results,
    }
    print(report(result))
    OUT.mkdir(parents=True, exist_ok=True)
    name = "latency-quick.json" if args.quick else "latency.json"
    (OUT / name).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {OUT / name}")
    failures = sum(r["failures"] for r in results)
    # The goal is judged on a full run; --quick is a smoke test (its ratios are not a measure).
    missed = not args.quick and any(r["verdict"] == "FAIL" for r in results)
    return 1 if failures or missed else 0


if __name__ == "__main__":
    sys.exit(main())
