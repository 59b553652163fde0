"""Concurrency benchmark: many volunteer sessions saving households, members and survey visits
at once against a loopback PPAOS server, then a check that no acknowledged save was lost or
duplicated.

    python bench/load.py [--sessions 200] [--seconds 300] [--restart-postgres]
                         [--killed-import] [--import-rows 200000] [--skip-load]

1. Drops and recreates a dedicated local database (its name must contain "bench"; the host must
   be 127.0.0.1 or ::1), migrates it, loads the geography and the indicator set, and creates
   20 communities, one volunteer per session (signed in directly, like `force_login`, so the
   run measures saves rather than password hashing) and a campaign assigning them.
2. Starts the server as production runs it (`--server gunicorn`, the default): gunicorn with
   `ppaos.ops.gunicorn_conf` (sync workers, the application loaded and warmed up before the
   fork) and `--processes` workers (3, as `PPAOS_WEB_WORKERS` in a district office), with the
   production settings (PPAOS_DEBUG=false, persistent connections with health checks).
   `--server threads` runs instead Django's WSGI application under wsgiref in `--processes`
   processes sharing one listening socket, each behind a bounded thread pool (`--threads`),
   stopping itself after its own deadline: the server this benchmark used before 2026-12-07.
3. Each session, for `--seconds`: adds a household (GET the form for its CSRF token, POST),
   adds members, records visits with consent and notes, edits the address. Every save carries
   a unique tag; a save is *acknowledged* when the server answers with its redirect.
4. With `--restart-postgres`, halfway through: `pg_ctlcluster --skip-systemctl-redirect VERSION
   CLUSTER restart` (`--cluster`, default main: the server the database URL points at).
   Requests during the restart may fail (counted apart); none acknowledged may be lost.
5. Checks in the database: every acknowledged tag exists exactly once, no unacknowledged tag
   more than once, each household holds its last acknowledged edit; prints latencies (p50, p95,
   max) per kind of request, 5xx counts, the p95 of a save against the goal (2 s: PASS/FAIL),
   and writes bench/out/concurrency.json. Exits 1 on a lost or duplicated save or a 5xx
   outside the restart window (the latency goal is reported, not an exit status).

6. With `--killed-import` (after the load run, or alone with `--skip-load`): writes a target
   list of `--import-rows` people (valid IDs, Thai names, khet 1008/1009 codes), starts
   `ppaos import-targets` on it, waits until PostgreSQL shows its INSERT into the target
   records running, SIGKILLs it, and checks that nothing of it was committed (no list, no
   record); then imports the file to the end (every row new) and once more (every row
   unchanged: idempotent), and checks the count. Exits 1 if any check fails.

`make bench` runs `--seconds 300 --restart-postgres --killed-import`: 200 sessions for 5
minutes with PostgreSQL restarted halfway, then the killed import.

Loopback only; bounded in sessions and time; stops by itself.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as load_bench  # noqa: E402 (bench/run.py: shared bench helpers)

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("gunicorn", "threads")
OUT = ROOT / "bench" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ppaos_bench_load"
LOOPBACK = {"127.0.0.1", "::1"}
COMMUNITIES = 20
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
BASE_VERSION = re.compile(r'name="base_version"[^>]*value="(\d+)"')
LOCATION_HOUSEHOLD = re.compile(r"/households/(\d+)/")
# Latency goal (issue #17): the p95 of one save (a POST) at most this many seconds.
GOAL_P95_SECONDS = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200, help="volunteer sessions (200)")
    parser.add_argument("--seconds", type=int, default=300, help="length of the run (300)")
    parser.add_argument(
        "--processes", type=int, default=3, help="server processes (3, as PPAOS_WEB_WORKERS)"
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="gunicorn",
        help="gunicorn: the production server (ppaos.ops.gunicorn_conf, sync workers); "
        "threads: wsgiref processes with --threads threads each",
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per process with --server threads (8)"
    )
    parser.add_argument("--database-url", default=DEFAULT_URL, help="dedicated bench database")
    parser.add_argument("--restart-postgres", action="store_true", help="restart it halfway")
    parser.add_argument("--cluster", default="main", help="pg_ctlcluster cluster to restart (main)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--killed-import", action="store_true", help="SIGKILL an import mid-way, then check"
    )
    parser.add_argument("--import-rows", type=int, default=200_000, help="rows (200000)")
    parser.add_argument("--skip-load", action="store_true", help="only the killed import")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--stop-after", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.sessions <= 1000 or not 1 <= args.seconds <= 3600:
        parser.error("--sessions must be 1-1000 and --seconds 1-3600")
    if not 1 <= args.processes <= 16 or not 1 <= args.threads <= 64:
        parser.error("--processes must be 1-16 and --threads 1-64")
    if not 100 <= args.import_rows <= 2_000_000:
        parser.error("--import-rows must be 100-2000000")
    return args


def checked_url(url: str) -> dict:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    if params.get("host") not in LOOPBACK:
        sys.exit(f"load: refusing host {params.get('host')!r}: only 127.0.0.1 or ::1")
    name = params.get("dbname", "")
    if "bench" not in name or not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"load: refusing database {name!r}: a plain name containing 'bench'")
    return params


def django_setup(url: str, **env: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppaos.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The server ---------------------------------------------------------------------------------


def serve(port: int, threads: int, stop_after: int, processes: int = 1) -> None:
    """Django's WSGI app on 127.0.0.1:port in `processes` processes sharing the listening
    socket (forked after it is bound, before any thread or database connection exists); in
    each, at most `threads` requests run at once."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    pools: list[ThreadPoolExecutor] = []

    class PooledServer(WSGIServer):
        request_queue_size = 1024

        def process_request(self, request, client_address):
            pools[0].submit(self._work, request, client_address)

        def _work(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - one broken connection must not stop the server
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", port, application, PooledServer, QuietHandler)
    children: list[int] = []
    for _ in range(processes - 1):
        pid = os.fork()
        if pid == 0:
            children = []
            break
        children.append(pid)
    pools.append(ThreadPoolExecutor(max_workers=threads))
    timer = threading.Timer(stop_after, server.shutdown)
    timer.daemon = True
    timer.start()

    def stop(*_):
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    if len(children) == processes - 1 and (children or processes == 1):
        print("serving", flush=True)
    server.serve_forever(poll_interval=0.2)
    pools[0].shutdown(wait=True, cancel_futures=True)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    if not children and processes > 1:
        os._exit(0)  # a forked child: no atexit handlers of the parent's


# Preparing the database ----------------------------------------------------------------------


def recreate_database(params: dict) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    admin = make_conninfo(**{**params, "dbname": "postgres"})
    name = sql.Identifier(params["dbname"])
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def prepare(sessions: int) -> dict:
    """Communities, volunteers with open sessions, and a campaign; returns what clients need."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from ppaos.accounts.models import Role, RoleAssignment, User
    from ppaos.areas.models import Community, Subdistrict
    from ppaos.areas.services import geography_load
    from ppaos.targeting.models import Campaign, CampaignAssignment

    call_command("migrate", verbosity=0, interactive=False)
    geography_load()
    call_command("load-indicators", verbosity=0)
    subdistricts = list(
        Subdistrict.objects.filter(district_id__in=["1008", "1009"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    communities = [
        Community.objects.create(
            code=f"{subdistricts[i % len(subdistricts)]}-{50 + i}",
            name_th=f"ชุมชนทดสอบโหลด {i + 1}",
            subdistrict_id=subdistricts[i % len(subdistricts)],
        )
        for i in range(COMMUNITIES)
    ]
    password = make_password(os.urandom(16).hex())  # nobody logs in with it
    users = User.objects.bulk_create(
        User(username=f"loadvol{n:04d}", first_name=f"อาสา {n}", password=password)
        for n in range(sessions)
    )
    admin = User.objects.create(username="loadadmin", password=password, is_superuser=True)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.VOLUNTEER, community=communities[n % COMMUNITIES])
        for n, u in enumerate(users)
    )
    campaign = Campaign.objects.create(
        name="load", opened_by=admin, opened_on=dt.date.today(), is_open=True
    )
    CampaignAssignment.objects.bulk_create(
        CampaignAssignment(campaign=campaign, community=communities[n % COMMUNITIES], volunteer=u)
        for n, u in enumerate(users)
    )
    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    return {
        "campaign": campaign.pk,
        "sessions": [
            {"sessionid": cookies[n], "community": communities[n % COMMUNITIES].pk}
            for n in range(sessions)
        ],
    }


# Clients ------------------------------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: dict = field(default_factory=lambda: defaultdict(list))
    status: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    five_xx: list = field(default_factory=list)
    # kind -> tag -> acknowledged?
    attempts: dict = field(default_factory=lambda: defaultdict(dict))
    last_edit: dict = field(default_factory=dict)

    def record(self, kind: str, seconds: float, status: int, at: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            self.status[status] += 1
            if status >= 500:
                self.five_xx.append((at, kind, status))


class Browser:
    """One volunteer's cookies, speaking HTTP/1.0 to the loopback server."""

    def __init__(self, port: int, sessionid: str, stats: Stats):
        self.port, self.stats = port, stats
        self.cookies = {"sessionid": sessionid}

    def request(self, kind: str, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True) if data else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
        except (OSError, http.client.HTTPException) as e:
            with self.stats.lock:
                self.stats.errors[type(e).__name__] += 1
            return None, "", ""
        finally:
            connection.close()
        self.stats.record(kind, time.perf_counter() - started, status, time.monotonic())
        return status, text, location

    def form(self, kind: str, path: str):
        status, text, _ = self.request(f"{kind} (form)", "GET", path)
        if status != 200:
            return None, ""
        token = TOKEN.search(text)
        return (token.group(1) if token else None), text


def volunteer(n: int, port: int, info: dict, campaign: int, deadline: float, stats: Stats):
    rng = random.Random(n)
    browser = Browser(port, info["sessionid"], stats)
    households: list[list] = []  # [pk, has_head, house_no]
    count = 0
    while time.monotonic() < deadline:
        count += 1
        tag = f"{n}-{count}"
        choice = rng.random()
        if not households or choice < 0.25:
            path = f"/communities/{info['community']}/households/new/"
            token, _ = browser.form("household", path)
            if not token:
                time.sleep(0.2)  # the server failed the page: back off a little
                continue
            stats.attempts["household"][tag] = False
            status, _, location = browser.request(
                "household", "POST", path, {"csrfmiddlewaretoken": token, "house_no": tag}
            )
            found = LOCATION_HOUSEHOLD.search(location or "")
            if status == 302 and found:
                stats.attempts["household"][tag] = True
                households.append([int(found.group(1)), False, tag])
        elif choice < 0.55:
            household = rng.choice(households)
            path = f"/households/{household[0]}/members/new/"
            token, _ = browser.form("member", path)
            if not token:
                time.sleep(0.2)  # the server failed the page: back off a little
                continue
            name = f"m{tag}"
            stats.attempts["member"][name] = False
            relation = "child" if household[1] else "head"
            data = {"csrfmiddlewaretoken": token, "first_name": name, "sex": "F"}
            status, _, _ = browser.request("member", "POST", path, data | {"relation": relation})
            if status == 302:
                stats.attempts["member"][name] = True
                household[1] = True
        elif choice < 0.85:
            household = rng.choice(households)
            path = f"/targeting/campaigns/{campaign}/households/{household[0]}/visit/"
            token, text = browser.form("visit", path)
            base = BASE_VERSION.search(text)
            if not token or not base:
                time.sleep(0.2)  # the server failed the page: back off a little
                continue
            note = f"v{tag}"
            stats.attempts["visit"][note] = False
            data = {
                "csrfmiddlewaretoken": token,
                "consent_given": "on",
                "consent_by": "ผู้ให้ข้อมูล",
                "consent_purpose": "ตรวจสอบข้อมูลครัวเรือน",
                "visited_on": dt.date.today().isoformat(),
                "outcome": "confirmed_poor",
                "base_version": base.group(1),
                "notes": note,
            }
            status, _, _ = browser.request("visit", "POST", path, data)
            if status == 302:
                stats.attempts["visit"][note] = True
        else:
            household = rng.choice(households)
            path = f"/households/{household[0]}/edit/"
            token, text = browser.form("edit", path)
            version = VERSION.search(text)
            if not token or not version:
                time.sleep(0.2)  # the server failed the page: back off a little
                continue
            soi = f"s{tag}"
            data = {
                "csrfmiddlewaretoken": token,
                "house_no": household[2],
                "soi": soi,
                "version": version.group(1) or version.group(2),
            }
            status, _, _ = browser.request("edit", "POST", path, data)
            if status == 302:
                with stats.lock:
                    stats.last_edit[household[0]] = soi


# The killed import ---------------------------------------------------------------------------

KILL_SOURCE = "benchkill"
KILL_YEAR = 2566


def write_target_file(path: Path, rows: int, seed: int) -> None:
    """A target list of `rows` distinct people with valid national IDs."""
    import csv

    from ppaos.areas.models import Subdistrict
    from ppaos.registry import national_id

    rng = random.Random(seed)
    codes = list(
        Subdistrict.objects.filter(district_id__in=["1008", "1009"]).values_list("code", flat=True)
    )
    first = ["สมชาย", "สมหญิง", "ประเสริฐ", "มาลี", "วิชัย", "สุดา", "อนันต์", "บุญมี"]
    last = ["ใจดี", "ศรีสุข", "แก้วมณี", "ทองคำ", "บุญเรือง", "มีสุข"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["national_id", "prefix", "first_name", "last_name", "sex", "birth_date",
             "subdistrict_code", "house_no"]
        )  # fmt: skip
        for n in range(rows):
            nid = national_id.make(f"3{1008 + n % 2}{(n * 7_919_773 + 17) % 10**7:07d}")
            male = rng.random() < 0.5
            writer.writerow(
                [
                    nid,
                    "นาย" if male else "นาง",
                    rng.choice(first),
                    rng.choice(last),
                    "ชาย" if male else "หญิง",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2480, 2560)}",
                    rng.choice(codes),
                    f"{rng.randint(1, 999)}/{rng.randint(1, 99)}",
                ]
            )


def _import_command(path: Path, database_url: str) -> list[str]:
    return [
        sys.executable, "-m", "ppaos.manage", "import-targets", str(path),
        "--year", str(KILL_YEAR), "--source", KILL_SOURCE,
    ]  # fmt: skip


def _insert_running(dbname: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
            "AND query LIKE 'INSERT INTO \"targeting_targetrecord\"%%'",
            [dbname],
        )
        return cursor.fetchone()[0] > 0


def _import_backends(dbname: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
            "pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'",
            [dbname],
        )
        return cursor.fetchone()[0]


def killed_import(args, params: dict) -> dict:
    """SIGKILL `ppaos import-targets` while it inserts; nothing may stay; a re-run completes."""
    from django.db import connections

    from ppaos.targeting.models import TargetList, TargetRecord

    OUT.mkdir(exist_ok=True)
    path = OUT / "killed-import.csv"
    started = time.perf_counter()
    write_target_file(path, args.import_rows, args.seed)
    print(f"\nkilled import: {args.import_rows:,} rows written in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    TargetList.objects.filter(source=KILL_SOURCE).delete()
    env = {**os.environ, "DATABASE_URL": args.database_url, "PPAOS_LOG_LEVEL": "ERROR"}
    result: dict = {"rows": args.import_rows}
    process = subprocess.Popen(
        _import_command(path, args.database_url),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    launched = time.monotonic()
    seen = False
    while process.poll() is None and time.monotonic() - launched < 1800:
        if _insert_running(params["dbname"]):
            seen = True
            time.sleep(0.3)  # well inside the inserts, not at their first statement
            break
        time.sleep(0.05)
    if process.poll() is not None:
        result["error"] = "the import finished before it could be killed: use more --import-rows"
        print(f"  {result['error']}")
        result["ok"] = False
        return result
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    result["killed_after_s"] = round(time.monotonic() - launched, 1)
    result["killed_while_inserting"] = seen
    # PostgreSQL rolls the transaction back once it sees the client gone.
    for _ in range(600):
        if _import_backends(params["dbname"]) == 0:
            break
        time.sleep(0.1)
    connections.close_all()
    result["lists_after_kill"] = TargetList.objects.filter(source=KILL_SOURCE).count()
    result["records_after_kill"] = TargetRecord.objects.filter(
        target_list__source=KILL_SOURCE
    ).count()
    print(
        f"  SIGKILL after {result['killed_after_s']} s (inserting: {seen}): "
        f"{result['lists_after_kill']} lists, {result['records_after_kill']} records left"
    )
    runs = []
    for attempt in ("complete", "again"):
        started = time.perf_counter()
        done = subprocess.run(
            _import_command(path, args.database_url),
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        runs.append(
            {
                "run": attempt,
                "exit": done.returncode,
                "seconds": round(time.perf_counter() - started, 1),
                "output": done.stdout.strip(),
            }
        )
        print(f"  {attempt}: exit {done.returncode} in {runs[-1]['seconds']} s: "
              f"{runs[-1]['output']}")  # fmt: skip
    result["runs"] = runs
    result["records_at_end"] = TargetRecord.objects.filter(target_list__source=KILL_SOURCE).count()
    expected = [f"{args.import_rows} new, 0 updated, 0 unchanged", "0 new, 0 updated, "
                f"{args.import_rows} unchanged"]  # fmt: skip
    result["ok"] = (
        seen
        and result["lists_after_kill"] == 0
        and result["records_after_kill"] == 0
        and all(r["exit"] == 0 for r in runs)
        and all(e in r["output"] for e, r in zip(expected, runs, strict=True))
        and result["records_at_end"] == args.import_rows
    )
    print(f"  records at the end {result['records_at_end']:,}: "
          f"{'OK' if result['ok'] else 'FAILED'}")  # fmt: skip
    (OUT / "killed-import.json").write_text(json.dumps(result, indent=2))
    path.unlink(missing_ok=True)
    return result


# The run ------------------------------------------------------------------------------------


def restart_postgres(cluster: str, window: list) -> None:
    version = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: p.name)[-1].name
    window.append(time.monotonic())
    result = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    window.append(time.monotonic())
    print(
        f"  postgres {version} restarted (exit {result.returncode}) in "
        f"{window[1] - window[0]:.1f} s",
        flush=True,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def verify(stats: Stats) -> dict:
    from django.db import connections
    from django.db.models import Count

    from ppaos.registry.models import Household, Person
    from ppaos.targeting.models import Visit

    connections.close_all()
    found = {
        "household": Counter(
            dict(Household.objects.values_list("house_no").annotate(n=Count("id")))
        ),
        "member": Counter(dict(Person.objects.values_list("first_name").annotate(n=Count("id")))),
        "visit": Counter(dict(Visit.objects.values_list("notes").annotate(n=Count("id")))),
    }
    result = {}
    for kind, tags in stats.attempts.items():
        acked = [t for t, ok in tags.items() if ok]
        result[kind] = {
            "attempted": len(tags),
            "acknowledged": len(acked),
            "lost": sum(1 for t in acked if found[kind][t] == 0),
            "duplicated": sum(1 for t in tags if found[kind][t] > 1),
            "saved_without_acknowledgement": sum(
                1 for t, ok in tags.items() if not ok and found[kind][t] == 1
            ),
        }
    stored = dict(Household.objects.filter(pk__in=stats.last_edit).values_list("pk", "soi"))
    result["edit"] = {
        "households_edited": len(stats.last_edit),
        "last_edit_lost": sum(1 for pk, soi in stats.last_edit.items() if stored.get(pk) != soi),
    }
    return result


def main() -> int:
    args = parse_args()
    if args.serve:
        django_setup(os.environ["DATABASE_URL"])
        serve(args.port, args.threads, args.stop_after, args.processes)
        return 0
    params = checked_url(args.database_url)
    print(f"load: {args.sessions} sessions for {args.seconds} s against {params['dbname']}")
    recreate_database(params)
    # Production-like: the server runs with DEBUG off, so it gets real national-ID keys (fresh
    # for this throwaway database), shared with the import subprocesses through the env.
    from cryptography.fernet import Fernet

    django_setup(
        args.database_url,
        PPAOS_ID_KEYS=Fernet.generate_key().decode(),
        PPAOS_ID_HASH_KEY=os.urandom(32).hex(),
    )
    started = time.perf_counter()
    setup = prepare(args.sessions)
    print(f"  prepared in {time.perf_counter() - started:.1f} s")
    load_ok = True if args.skip_load else run_load(args, setup)
    import_ok = killed_import(args, params)["ok"] if args.killed_import else True
    return 0 if load_ok and import_ok else 1


def start_gunicorn(port: int, workers: int, env: dict, log) -> subprocess.Popen:
    """The production server as `ppaos serve` runs it (ppaos.ops.gunicorn_conf: sync workers,
    the application loaded and warmed up before the fork), on 127.0.0.1:port."""
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:ppaos.ops.gunicorn_conf",
            "ppaos.wsgi:application",
        ],
        env={**env, "PPAOS_BIND": f"127.0.0.1:{port}", "PPAOS_WEB_WORKERS": str(workers)},
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    if load_bench.listening(server, port, 90):
        return server
    if server.poll() is not None:
        sys.exit("load: gunicorn exited at start (bench/out/concurrency-server.log)")
    server.terminate()
    sys.exit("load: gunicorn did not start within 90 s")


def run_load(args, setup: dict) -> bool:
    """The concurrent sessions against the server; True when no save was lost or duplicated."""
    from django.db import connections

    connections.close_all()
    port = load_bench.free_port()
    server_env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "PPAOS_DEBUG": "false",
        "PPAOS_SECURE_COOKIES": "false",
        "PPAOS_LOG_LEVEL": "ERROR",
    }
    stop_after = args.seconds + 120
    OUT.mkdir(exist_ok=True)
    server_log = (OUT / "concurrency-server.log").open("w", encoding="utf-8")
    if args.server == "gunicorn":
        server = start_gunicorn(port, args.processes, server_env, server_log)
    else:
        server = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                "--port",
                str(port),
                "--processes",
                str(args.processes),
                "--threads",
                str(args.threads),
                "--stop-after",
                str(stop_after),
            ],
            env=server_env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=server_log,
            text=True,
        )
    stats = Stats()
    window: list[float] = []
    try:
        if args.server == "threads" and server.stdout.readline().strip() != "serving":
            sys.exit("load: the server did not start")
        deadline = time.monotonic() + args.seconds
        restarter = None
        if args.restart_postgres:
            restarter = threading.Timer(args.seconds / 2, restart_postgres, (args.cluster, window))
            restarter.start()
        clients = [
            threading.Thread(
                target=volunteer,
                args=(n, port, info, setup["campaign"], deadline, stats),
                daemon=True,
            )
            for n, info in enumerate(setup["sessions"])
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=max(1.0, deadline - time.monotonic() + 90))
        if restarter:
            restarter.join(timeout=150)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()

    checks = verify(stats)
    grace = 5.0
    in_window = [e for e in stats.five_xx if window and window[0] <= e[0] <= window[-1] + grace]
    outside = len(stats.five_xx) - len(in_window)
    print(f"\n{'request':<18}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind in sorted(stats.latency):
        values = stats.latency[kind]
        print(
            f"{kind:<18}{len(values):>8}{percentile(values, 0.5) * 1000:>10.0f}"
            f"{percentile(values, 0.95) * 1000:>10.0f}{max(values) * 1000:>10.0f}"
        )
    saves = [v for k, vs in stats.latency.items() if "(form)" not in k for v in vs]
    save_p95 = percentile(saves, 0.95)
    print(
        f"\nsaves: {len(saves)}, p95 {save_p95 * 1000:.0f} ms; "
        f"statuses {dict(sorted(stats.status.items()))}; connection errors "
        f"{dict(stats.errors)}"
    )
    print(
        f"5xx: {len(stats.five_xx)} ({len(in_window)} during the PostgreSQL restart; server "
        f"errors in {OUT / 'concurrency-server.log'})"
    )
    for kind, result in checks.items():
        print(f"  {kind}: {result}")
    lost = sum(r.get("lost", 0) + r.get("last_edit_lost", 0) for r in checks.values())
    duplicated = sum(r.get("duplicated", 0) for r in checks.values())
    ok = lost == 0 and duplicated == 0 and outside == 0
    print(
        f"\nlost {lost}, duplicated {duplicated}, 5xx outside a restart {outside}: "
        f"{'OK' if ok else 'FAILED'}"
    )
    print(
        f"save p95 {save_p95 * 1000:.0f} ms vs goal {GOAL_P95_SECONDS * 1000:.0f} ms: "
        f"{'PASS' if save_p95 <= GOAL_P95_SECONDS else 'FAIL'} ({args.sessions} sessions, no "
        f"think time: a save waits behind the others, p95 ≈ sessions ÷ requests/s; "
        f"{len(saves) / args.seconds:.1f} saves/s on {os.cpu_count()} shared cores)"
    )
    (OUT / "concurrency.json").write_text(
        json.dumps(
            {
                "sessions": args.sessions,
                "seconds": args.seconds,
                "server": args.server,
                "server_processes": args.processes,
                "server_threads": args.threads if args.server == "threads" else 1,
                "goal_p95_seconds": GOAL_P95_SECONDS,
                "saves_p95_ms": round(save_p95 * 1000, 1),
                "saves_per_second": round(len(saves) / args.seconds, 1),
                "goal_met": save_p95 <= GOAL_P95_SECONDS,
                "restart_postgres": args.restart_postgres,
                "latency_ms": {
                    kind: {
                        "count": len(values),
                        "p50": round(percentile(values, 0.5) * 1000, 1),
                        "p95": round(percentile(values, 0.95) * 1000, 1),
                        "max": round(max(values) * 1000, 1),
                    }
                    for kind, values in stats.latency.items()
                },
                "statuses": dict(stats.status),
                "five_xx": len(stats.five_xx),
                "five_xx_during_restart": len(in_window),
                "checks": checks,
                "ok": ok,
            },
            indent=2,
        )
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
