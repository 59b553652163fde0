"""Load benchmark: `ppaos demo-data` against a plain COPY of the same rows.

(a) the full path: `ppaos demo-data --seed S --households N --no-users`, generation included,
    into the real tables with all their indexes and constraints;
(b) the floor: the same rows, written to COPY text files by `demo_dump`, copied into unindexed
    tables (`CREATE TABLE bench_x (LIKE registry_x)`: NOT NULL only). Only the COPY is timed.

Runs against a dedicated local database (PPAOS_BENCH_DATABASE_URL), empties its registry tables
first, prints a table and writes bench/out/load.json. See bench/README.md.
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ppaos_bench"
LOOPBACK = {"127.0.0.1", "::1"}
# demo_dump's file kinds -> (registry table, unindexed copy)
TABLES = {
    "household": ("registry_household", "bench_household"),
    "person": ("registry_person", "bench_person"),
    "membership": ("registry_membership", "bench_membership"),
}
CHUNK = 1 << 20
VERDICT = {True: "yes", False: "NO", None: "not checked (--no-verify)"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--households",
        type=int,
        default=int(os.environ.get("PPAOS_BENCH_HOUSEHOLDS", "1000000")),
        help="households to generate (env PPAOS_BENCH_HOUSEHOLDS; default 1,000,000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--timeout", type=int, default=3 * 3600, help="seconds allowed for each ppaos command"
    )
    parser.add_argument("--no-verify", action="store_true", help="skip the same-rows check")
    parser.add_argument("--keep", action="store_true", help="keep the bench_* tables afterwards")
    return parser.parse_args()


def database_url() -> tuple[str, dict]:
    url = os.environ.get("PPAOS_BENCH_DATABASE_URL", DEFAULT_URL)
    params = conninfo_to_dict(url)
    if params.get("host") not in LOOPBACK:
        sys.exit(f"bench: refusing {params.get('host')!r}: only 127.0.0.1 or ::1 (a local server)")
    if "bench" not in params.get("dbname", ""):
        sys.exit(
            f"bench: refusing database {params.get('dbname')!r}: its name must contain 'bench'"
        )
    return url, params


def ensure_database(params: dict) -> None:
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(exists, [params["dbname"]]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
        print(f"created database {params['dbname']}")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a bench server (bench/latency.py, bench/load.py)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(server: subprocess.Popen, port: int, seconds: float) -> bool:
    """Wait until something accepts connections on 127.0.0.1:`port`: True then, False if
    `server` exited first or `seconds` passed (bench/latency.py and bench/load.py start
    gunicorn and wait for it so)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def ppaos(*args: str, url: str, timeout: int) -> str:
    """Run a ppaos command against the bench database; its output, or exit on failure."""
    exe = Path(sys.executable).parent / "ppaos"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "ppaos.manage"]
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        sys.exit(f"bench: ppaos {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def reset(conn: psycopg.Connection) -> None:
    """Empty the registry and drop the unindexed copies left by earlier runs."""
    registry = [sql.Identifier(real) for real, _ in TABLES.values()]
    conn.execute(
        sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(sql.SQL(", ").join(registry))
    )
    conn.execute("DELETE FROM areas_community WHERE is_demo")
    for _, copy in TABLES.values():
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(copy)))
    conn.commit()


def counts(conn: psycopg.Connection, which: int) -> dict[str, int]:
    return {
        kind: conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t[which]))
        ).fetchone()[0]
        for kind, t in TABLES.items()
    }


def sizes(conn: psycopg.Connection, which: int) -> int:
    """Bytes on disk of the tables with their indexes and TOAST."""
    return sum(
        conn.execute("SELECT pg_total_relation_size(%s::regclass)", [t[which]]).fetchone()[0]
        for t in TABLES.values()
    )


def dump(url: str, seed: int, households: int, directory: Path, start_ids: dict) -> float:
    """demo_dump in this process (Django on the bench database); seconds taken."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppaos.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    from ppaos.demo.registry import demo_dump

    started = time.perf_counter()
    demo_dump(seed=seed, households=households, directory=directory, start_ids=start_ids)
    elapsed = time.perf_counter() - started
    connections.close_all()
    return elapsed


def plain_copy(conn: psycopg.Connection, directory: Path) -> float:
    """COPY the dumped files into fresh unindexed tables, in one transaction; seconds taken."""
    from ppaos.demo.registry import DUMP_FILES

    for real, copy in TABLES.values():
        conn.execute(
            sql.SQL("CREATE TABLE {} (LIKE {})").format(sql.Identifier(copy), sql.Identifier(real))
        )
    conn.commit()
    conn.execute("CHECKPOINT")
    conn.commit()
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cursor:
        for kind, (_, table) in TABLES.items():
            with open(directory / DUMP_FILES[kind], "rb") as source:
                columns = source.readline().decode().rstrip("\n").split("\t")
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.copy(statement) as copy:
                    while block := source.read(CHUNK):
                        copy.write(block)
    return time.perf_counter() - started


def compared_columns(conn: psycopg.Connection, table: str) -> list[str]:
    """The columns both loads must agree on: all but the ciphertexts (Fernet draws a new IV each
    time, so two encryptions of one ID never match; the ID and the phone are still compared
    through their keyed hashes) and the time each load ran."""
    from ppaos.registry.fields import EncryptedTextField
    from ppaos.registry.models import Household, Membership, Person

    model = {m._meta.db_table: m for m in (Household, Membership, Person)}[table]
    skipped = {"created_at", "updated_at", "national_id_encrypted"} | {
        f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
    }
    columns = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [name for (name,) in columns if name not in skipped]


def same_rows(conn: psycopg.Connection) -> bool:
    """Both tables hold the same multiset of rows, on `compared_columns` (counts already
    compared). Needs Django set up (`dump` does)."""
    for real, copy in TABLES.values():
        columns = sql.SQL(", ").join(map(sql.Identifier, compared_columns(conn, real)))
        query = sql.SQL(
            "SELECT EXISTS (SELECT {cols} FROM {real} EXCEPT ALL SELECT {cols} FROM {copy})"
        ).format(cols=columns, real=sql.Identifier(real), copy=sql.Identifier(copy))
        if conn.execute(query).fetchone()[0]:
            return False
    return True


def report(result: dict) -> str:
    rows, total = result["rows"], result["rows_total"]
    full, plain = result["full"], result["plain_copy"]
    lines = [
        f"PPAOS load benchmark: seed {result['seed']}, database {result['database']}",
        "",
        f"{'rows loaded':<44}{'households':>12}{'people':>12}{'memberships':>13}{'total':>12}",
        f"{'':<44}{rows['household']:>12,}{rows['person']:>12,}{rows['membership']:>13,}"
        f"{total:>12,}",
        "",
        f"{'path':<44}{'seconds':>12}{'rows/s':>12}",
        f"{'ppaos demo-data (generate + indexed COPY)':<44}{full['seconds']:>12.1f}"
        f"{full['rows_per_second']:>12,.0f}",
        f"{'plain COPY into unindexed tables':<44}{plain['seconds']:>12.1f}"
        f"{plain['rows_per_second']:>12,.0f}",
        f"{'ratio full / plain COPY':<44}{result['ratio']:>11.1f}x",
        "",
        f"not in the ratio: demo-data's own timer {full['seconds_in_command'] or 0:.1f} s; "
        f"generating the TSV files {result['dump_seconds']:.1f} s",
        f"on disk: registry tables {result['registry_bytes'] / 2**20:,.0f} MiB with indexes, "
        f"unindexed copies {result['plain_bytes'] / 2**20:,.0f} MiB",
        f"same rows in both: {VERDICT[result['same_rows']]}",
    ]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    url, params = database_url()
    ensure_database(params)
    ppaos("migrate", "--no-input", url=url, timeout=args.timeout)
    ppaos("load-geography", url=url, timeout=args.timeout)
    with psycopg.connect(url, connect_timeout=10) as conn:
        reset(conn)
        conn.execute("CHECKPOINT")
        conn.commit()

    print(
        f"(a) ppaos demo-data --seed {args.seed} --households {args.households:,} "
        "--no-users --no-surveys"
    )
    started = time.perf_counter()
    output = ppaos(
        "demo-data", "--seed", str(args.seed), "--households", str(args.households), "--no-users",
        "--no-surveys",
        url=url, timeout=args.timeout,
    )  # fmt: skip
    full_seconds = time.perf_counter() - started
    own = re.search(r"people in ([\d.]+) s", output)

    with psycopg.connect(url, connect_timeout=10) as conn:
        rows = counts(conn, 0)
        start_ids = {
            kind: conn.execute(
                sql.SQL("SELECT min(id) FROM {}").format(sql.Identifier(t[0]))
            ).fetchone()[0]
            for kind, t in TABLES.items()
        }
        conn.commit()
        with tempfile.TemporaryDirectory(prefix="ppaos-bench-") as tmp:
            print("(b) demo_dump to TSV (not timed in the ratio), then plain COPY")
            dump_seconds = dump(url, args.seed, args.households, Path(tmp), start_ids)
            copy_seconds = plain_copy(conn, Path(tmp))
        copied = counts(conn, 1)
        if copied != rows:
            sys.exit(f"bench: row counts differ: demo-data {rows}, plain COPY {copied}")
        verified = None if args.no_verify else same_rows(conn)
        registry_bytes, plain_bytes = sizes(conn, 0), sizes(conn, 1)
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not args.keep:
            for _, copy in TABLES.values():
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(copy)))
        conn.commit()

    total = sum(rows.values())
    result = {
        "benchmark": "load",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "households_requested": args.households,
        "database": f"{params['dbname']} on {params['host']}:{params.get('port', 5432)}",
        "postgresql": version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rows": rows,
        "rows_total": total,
        "full": {
            "command": f"ppaos demo-data --seed {args.seed} --households {args.households} "
            "--no-users --no-surveys",
            "seconds": round(full_seconds, 3),
            "seconds_in_command": float(own.group(1)) if own else None,
            "rows_per_second": round(total / full_seconds),
        },
        "plain_copy": {
            "seconds": round(copy_seconds, 3),
            "rows_per_second": round(total / copy_seconds),
        },
        "ratio": round(full_seconds / copy_seconds, 2),
        "dump_seconds": round(dump_seconds, 3),
        "registry_bytes": registry_bytes,
        "plain_bytes": plain_bytes,
        "same_rows": verified,
    }
    print()
    print(report(result))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten {(OUT / 'load.json').relative_to(ROOT)}")
    if verified is False:
        sys.exit("bench: the two paths loaded different rows")


if __name__ == "__main__":
    main()
