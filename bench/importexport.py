"""Import and export benchmark (issue 17, goals 1 and 5), each against PostgreSQL's COPY.

Goal 1, import: a TPMAP-style CSV (Thai headers, identity, house code, welfare card, survey year,
failed dimensions, five dimension columns, an unknown column; ~70% of the people taken from the
registry, ~1% bad rows, ~0.5% repeated rows) imported with `ppaos import-targets` (every row
checked, matched against the registry by keyed ID hash, bad rows reported with their line
numbers), then imported again (every row unchanged). Reference in the same run: a plain
`COPY ... FROM` of the same file into an unindexed table of text columns. Peak RSS of the
import process at two file sizes (the import streams: flat in the file size).

Goal 5, exports: the `households` export of the whole home province, as a background export
job writes it (`ppaos.exports.services.export_job_run`: the same scoped selector, audit rows,
pseudonyms, k-anonymity), as CSV and Excel, identified and pseudonymised. Reference in the same
run: `COPY (SELECT the same columns of the same households) TO STDOUT (FORMAT csv)`.

Prints ours, the reference, the ratio, the target and PASS/FAIL; writes
bench/out/importexport.json. Runs against its own database (--database-url, default
ppaos_bench_importexport on 127.0.0.1), loading a registry of --households with
`ppaos demo-data` when the one there differs. See bench/README.md.
"""

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import re
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ppaos_bench_importexport"
LOOPBACK = {"127.0.0.1", "::1"}
SECRETS = ROOT / "var" / "bench" / "secrets"
SOURCE = "benchimport"
YEAR = 2566
USERNAME = "bench-exports"
TARGETS = {
    "import_rows_per_s": 20_000,
    "import_ratio": 5.0,
    "csv_rows_per_s": 20_000,
    "xlsx_rows_per_s": 10_000,
}
HEADER = [
    "เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "เพศ", "วันเกิด", "รหัสเขต",
    "รหัสแขวง", "บ้านเลขที่", "รหัสประจำบ้าน", "บัตรสวัสดิการแห่งรัฐ", "ปีสำรวจ",
    "มิติที่ไม่ผ่าน", "มิติสุขภาพ", "มิติความเป็นอยู่", "มิติการศึกษา", "มิติรายได้",
    "มิติการเข้าถึงบริการรัฐ", "ผู้ให้ข้อมูล",
]  # fmt: skip
PREFIX_TH = {"nai": "นาย", "nang": "นาง", "nangsao": "นางสาว", "dekchai": "ด.ช.", "dekying": "ด.ญ."}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--households",
        type=int,
        default=int(os.environ.get("PPAOS_BENCH_HOUSEHOLDS", "200000")),
        help="registry households (env PPAOS_BENCH_HOUSEHOLDS; default 200,000)",
    )
    parser.add_argument("--rows", type=int, default=200_000, help="import file rows (200,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--no-xlsx", action="store_true", help="CSV exports only")
    parser.add_argument("--timeout", type=int, default=3 * 3600)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="its own bench database")
    parser.add_argument("--import-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1000 <= args.rows <= 2_000_000:
        parser.error("--rows must be 1000-2000000")
    return args


def database_url(url: str) -> tuple[str, dict]:
    params = conninfo_to_dict(url)
    if params.get("host") not in LOOPBACK:
        sys.exit(f"bench: refusing {params.get('host')!r}: only 127.0.0.1 or ::1")
    name = params.get("dbname", "")
    if "bench" not in name or not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"bench: refusing database {name!r}: a plain name containing 'bench'")
    return url, params


def ensure_database(params: dict) -> None:
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        if conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]]
        ).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
        print(f"created database {params['dbname']}")


def secrets_env() -> None:
    """The bench keys of `make bench` (var/bench/secrets), made if missing: the registry's IDs
    must be read back with the keys they were written with."""
    if "PPAOS_SECRET_KEY_FILE" in os.environ or os.environ.get("PPAOS_DEBUG") == "true":
        return  # `make bench`'s keys, or a development run with the derived ones
    subprocess.run([str(ROOT / "scripts" / "make-secrets"), str(SECRETS)], check=True)
    for name in ("secret_key", "id_keys", "id_hash_key", "pseudonym_key"):
        os.environ[f"PPAOS_{name.upper()}_FILE"] = str(SECRETS / name)


def ppaos_command(*args: str) -> list[str]:
    exe = Path(sys.executable).parent / "ppaos"
    return [*([str(exe)] if exe.exists() else [sys.executable, "-m", "ppaos.manage"]), *args]


def ppaos(*args: str, url: str, timeout: int) -> str:
    env = {**os.environ, "DATABASE_URL": url, "PPAOS_LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        ppaos_command(*args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        sys.exit(f"bench: ppaos {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def measured(command: list[str], url: str) -> dict:
    """Run a command; its wall seconds, peak RSS (MiB), exit code and output."""
    env = {**os.environ, "DATABASE_URL": url, "PPAOS_LOG_LEVEL": "ERROR"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return {
            "seconds": seconds,
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "exit": process.returncode,
            "stdout": out.read().decode(),
            "stderr_lines": err.read().decode().count("\n"),
        }


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppaos.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The registry -------------------------------------------------------------------------------


def registry_ready(households: int) -> bool:
    """The registry holds `households` demo households whose IDs these keys can read."""
    from ppaos.registry.id_crypto import IDKeyError
    from ppaos.registry.models import Household, Person

    if Household.objects.filter(is_demo=True).count() != households:
        return False
    person = Person.objects.exclude(national_id_encrypted="").first()
    try:
        return person is not None and bool(person.national_id)
    except IDKeyError:
        return False


def load_registry(url: str, args) -> None:
    from django.db import connection, connections

    print(f"loading a registry of {args.households:,} households (ppaos demo-data)")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_household, registry_person, registry_membership "
            "RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM areas_community WHERE is_demo")
    connections.close_all()
    started = time.perf_counter()
    ppaos(
        "demo-data", "--seed", str(args.seed), "--households", str(args.households),
        "--no-users", "--no-surveys", url=url, timeout=args.timeout,
    )  # fmt: skip
    print(f"  loaded in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Goal 1: import -----------------------------------------------------------------------------


def write_target_file(path: Path, rows: int, seed: int) -> dict:
    """A TPMAP-style list: ~70% registry people (their real IDs, so the import finds them in
    the registry), the rest outsiders; ~1% bad rows and ~0.5% repeats of an earlier row."""
    from ppaos.areas.models import Subdistrict
    from ppaos.registry import national_id
    from ppaos.registry.models import Membership

    rng = random.Random(seed)
    subdistricts = list(
        Subdistrict.objects.filter(code__startswith="10").values_list("code", flat=True)
    )
    members = (
        Membership.objects.filter(end_date__isnull=True)
        .select_related("person", "household")
        .order_by("pk")
    )
    wanted = int(rows * 0.7)
    people = []
    for m in members[: wanted * 2].iterator(chunk_size=5000):
        if rng.random() < 0.5 or len(people) >= wanted:
            continue
        p = m.person
        people.append(
            [
                p.national_id or "", PREFIX_TH.get(p.prefix, ""), p.first_name, p.last_name,
                "ชาย" if p.sex == "M" else "หญิง", _be(p.birth_date), m.household.subdistrict_id[:4],
                m.household.subdistrict_id, m.household.house_no,
            ]
        )  # fmt: skip
    first = ["สมชาย", "สมหญิง", "ประเสริฐ", "มาลี", "วิชัย", "สุดา", "อนันต์", "บุญมี"]
    last = ["ใจดี", "ศรีสุข", "แก้วมณี", "ทองคำ", "บุญเรือง", "มีสุข"]
    bad = repeats = 0
    written: list[list[str]] = []
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for n in range(rows):
            if written and rng.random() < 0.005:
                writer.writerow(rng.choice(written[-1000:]))
                repeats += 1
                continue
            if people and rng.random() < 0.7:
                identity = people.pop()
            else:
                male = rng.random() < 0.5
                sub = rng.choice(subdistricts)
                identity = [
                    national_id.make(f"5{n:011d}"), "นาย" if male else "นาง", rng.choice(first),
                    rng.choice(last), "ชาย" if male else "หญิง",
                    f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2480, 2560)}",
                    sub[:4], sub, f"{rng.randint(1, 999)}/{rng.randint(1, 99)}",
                ]  # fmt: skip
            dims = [d for d in ("สุขภาพ", "รายได้", "การศึกษา") if rng.random() < 0.3]
            row = identity + [
                f"{identity[7] or '1008'}{rng.randint(0, 99999):05d}", rng.choice(["มี", "ไม่มี"]),
                "2566", ", ".join(dims), *(rng.choice(["ผ่าน", "ไม่ผ่าน"]) for _ in range(5)),
                rng.choice(["ลูกสาว", "ตนเอง", "ภรรยา"]),
            ]  # fmt: skip
            if rng.random() < 0.01:
                bad += 1
                row[rng.choice([0, 5, 7])] = rng.choice(["1234567890123", "31/02/2530", "999999"])
            writer.writerow(row)
            written.append(row)
    return {"rows": rows, "bad_rows": bad, "repeated_rows": repeats}


def _be(date) -> str:
    return f"{date.day:02d}/{date.month:02d}/{date.year + 543}" if date else ""


def plain_copy_in(url: str, path: Path) -> float:
    """COPY the file into a fresh unindexed table of text columns, in one transaction."""
    with psycopg.connect(url, connect_timeout=10) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_import_copy")
        conn.execute(
            "CREATE TABLE bench_import_copy ("
            + ", ".join(f"c{i} text" for i in range(len(HEADER)))
            + ")"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cursor:
            statement = "COPY bench_import_copy FROM STDIN (FORMAT csv, HEADER true)"
            with cursor.copy(statement) as copy, path.open("rb") as source:
                while block := source.read(1 << 20):
                    copy.write(block)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_import_copy")
        conn.commit()
    return seconds


def import_run(path: Path, url: str) -> dict:
    """`target_list_import` of the file (what `ppaos import-targets` runs) in a child process:
    the seconds of the import itself (Django's start-up left out), its CPU seconds, and the
    peak RSS of the process."""
    run = measured([sys.executable, __file__, "--import-one", str(path)], url)
    if run["exit"]:
        sys.exit(f"bench: import failed ({run['exit']}):\n{run['stdout']}")
    wall = run.pop("seconds")
    run |= json.loads(run.pop("stdout").strip().splitlines()[-1])
    run["process_seconds"] = round(wall, 2)
    return run


def import_one(path: Path) -> None:
    """The child of `import_run`: one import, its figures as a JSON line."""
    from ppaos.targeting.services import target_list_import

    cpu, started = time.process_time(), time.perf_counter()
    result = target_list_import(path=path, name=path.name, source=SOURCE, year_be=YEAR)
    seconds = time.perf_counter() - started
    figures = {k: result[k] for k in ("created", "updated", "unchanged", "in_registry")}
    figures |= {"rejected": len(result["rejected"]), "first_rejected": result["rejected"][:3]}
    figures |= {"seconds": seconds, "cpu_seconds": round(time.process_time() - cpu, 2)}
    print(json.dumps(figures))


def goal_import(url: str, args) -> dict:
    from ppaos.audit.models import AuditEvent
    from ppaos.targeting.models import TargetList, TargetRecord

    OUT.mkdir(parents=True, exist_ok=True)
    big, small = OUT / "importexport-big.csv", OUT / "importexport-small.csv"
    try:
        started = time.perf_counter()
        made = write_target_file(big, args.rows, args.seed)
        write_target_file(small, args.rows // 4, args.seed + 1)
        print(f"import: wrote {args.rows:,} + {args.rows // 4:,} rows in "
              f"{time.perf_counter() - started:.0f} s ({made['bad_rows']} bad, "
              f"{made['repeated_rows']} repeated)")  # fmt: skip
        TargetList.objects.filter(source=SOURCE).delete()
        audits = AuditEvent.objects.filter(object_type="targeting.targetlist").count()
        copy_seconds = plain_copy_in(url, big)
        first = import_run(big, url)
        again = import_run(big, url)
        records = TargetRecord.objects.filter(target_list__source=SOURCE).count()
        TargetList.objects.filter(source=SOURCE).delete()
        small_run = import_run(small, url)
        TargetList.objects.filter(source=SOURCE).delete()
        audit_rows = AuditEvent.objects.filter(object_type="targeting.targetlist").count() - audits
    finally:
        big.unlink(missing_ok=True)
        small.unlink(missing_ok=True)
    rate = args.rows / first["seconds"]
    ratio = first["seconds"] / copy_seconds
    rss_growth = first["peak_rss_mib"] - small_run["peak_rss_mib"]
    result = {
        "file": made,
        "first": first,
        "again": again,
        "small_file": {"rows": args.rows // 4, **small_run},
        "plain_copy_seconds": round(copy_seconds, 3),
        "plain_copy_rows_per_s": round(args.rows / copy_seconds),
        "rows_per_s": round(rate),
        "ratio_to_copy": round(ratio, 2),
        "idempotent": again["created"] == 0
        and again["updated"] == 0
        and again["unchanged"] == first["created"]
        and records == first["created"],
        "rows_accounted": first["created"] + first["rejected"] == args.rows,
        "audit_rows": audit_rows,
        "rss_growth_mib": round(rss_growth, 1),
    }
    result["pass"] = {
        "rows_per_s": rate >= TARGETS["import_rows_per_s"],
        "ratio": ratio <= TARGETS["import_ratio"],
        "memory_flat": rss_growth <= 0.25 * small_run["peak_rss_mib"],
        "correct": result["idempotent"] and result["rows_accounted"] and audit_rows == 3,
    }
    return result


# Goal 5: exports ----------------------------------------------------------------------------


def bench_user():
    from django.conf import settings

    from ppaos.accounts.models import Role, RoleAssignment, User
    from ppaos.areas.models import Province

    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"first_name": "bench"})
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.COORDINATOR, province=Province.objects.get(code=settings.HOME_PROVINCE)
    )
    return user


REFERENCE_SQL = """
COPY (
  SELECT h.code, c.code, h.subdistrict_id,
         concat_ws(' ', nullif(h.house_no, ''), 'หมู่ ' || nullif(h.moo, ''), nullif(h.village, ''),
                   'ซ.' || nullif(h.soi, ''), 'ถ.' || nullif(h.road, '')),
         h.postal_code, h.tenure,
         (SELECT count(*) FROM registry_membership m
           WHERE m.household_id = h.id AND m.end_date IS NULL),
         p.first_name || ' ' || p.last_name, p.phone
  FROM registry_household h
  JOIN areas_community c ON c.id = h.community_id
  LEFT JOIN registry_membership hm
         ON hm.household_id = h.id AND hm.relation = 'head' AND hm.end_date IS NULL
  LEFT JOIN registry_person p ON p.id = hm.person_id
  WHERE h.subdistrict_id LIKE %s
  ORDER BY h.code
) TO STDOUT (FORMAT csv, HEADER true)
"""


def copy_out(url: str, area: str, target: Path) -> tuple[float, int]:
    """COPY TO of the same households and columns (the phone as stored: encrypted)."""
    with psycopg.connect(url, connect_timeout=10) as conn, conn.cursor() as cursor:
        started = time.perf_counter()
        lines = 0
        with target.open("wb") as out, cursor.copy(REFERENCE_SQL, [area + "%"]) as copy:
            for block in copy:
                out.write(block)
                lines += bytes(block).count(b"\n")
        return time.perf_counter() - started, lines - 1


def export_once(user, fmt: str, pseudonymised: bool, area: str) -> dict:
    from django.conf import settings

    from ppaos.audit.models import AuditEvent
    from ppaos.exports import services
    from ppaos.lib import exports as lib

    spec = lib.get_spec("households")
    audits = AuditEvent.objects.filter(object_type="export").count()
    prepared = services.export_prepare(
        user=user, spec=spec, params={"area": area}, fmt=fmt, pseudonymised=pseudonymised
    )
    job = services.export_job_create(actor=user, prepared=prepared)
    started = time.perf_counter()
    job = services.export_job_run(job=job)
    seconds = time.perf_counter() - started
    path = Path(settings.MEDIA_ROOT) / job.file_path
    size = path.stat().st_size if job.file_path else 0
    path.unlink(missing_ok=True)
    return {
        "format": fmt,
        "pseudonymised": pseudonymised,
        "status": job.status,
        "rows": job.rows_done,
        "seconds": round(seconds, 2),
        "rows_per_s": round(job.rows_done / seconds) if seconds else 0,
        "bytes": size,
        "audit_rows": AuditEvent.objects.filter(object_type="export").count() - audits,
    }


def goal_export(url: str, args) -> dict:
    from django.conf import settings

    user = bench_user()
    area = settings.HOME_PROVINCE
    with tempfile.TemporaryDirectory(prefix="ppaos-bench-") as tmp:
        copy_seconds, copy_rows = copy_out(url, area, Path(tmp) / "copy.csv")
    print(f"export: COPY TO of {copy_rows:,} households in {copy_seconds:.1f} s")
    runs = []
    forms = [("csv", False), ("csv", True)]
    if not args.no_xlsx:
        forms += [("xlsx", False), ("xlsx", True)]
    for fmt, pseudonymised in forms:
        run = export_once(user, fmt, pseudonymised, area)
        run["ratio_to_copy"] = round(run["seconds"] / copy_seconds, 1)
        target = TARGETS[f"{fmt}_rows_per_s"]
        run["target_rows_per_s"] = target
        run["pass"] = run["status"] == "done" and run["rows_per_s"] >= target
        print(f"  {fmt}{' pseudonymised' if pseudonymised else ''}: {run['rows']:,} rows in "
              f"{run['seconds']} s")  # fmt: skip
        runs.append(run)
    return {
        "households": copy_rows,
        "copy_to_seconds": round(copy_seconds, 3),
        "copy_to_rows_per_s": round(copy_rows / copy_seconds),
        "runs": runs,
        "identified_rows_match_copy": all(
            r["rows"] == copy_rows for r in runs if not r["pseudonymised"]
        ),
    }


# Report -------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(result: dict) -> str:
    lines = [f"PPAOS import/export benchmark, {result['database']}, {result['households']:,} "
             "households (2 shared cores: figures under contention)", ""]  # fmt: skip
    row = "{:<36}{:>14}{:>16}{:>9}{:>16}{:>7}"
    lines.append(row.format("", "ours", "reference", "ratio", "target", ""))
    if imp := result.get("import"):
        lines.append(
            row.format(
                f"import {imp['file']['rows']:,} rows",
                f"{imp['rows_per_s']:,}/s",
                f"COPY {imp['plain_copy_rows_per_s']:,}/s",
                f"{imp['ratio_to_copy']}x",
                "≥20,000/s ≤5x",
                verdict(imp["pass"]["rows_per_s"] and imp["pass"]["ratio"]),
            )
        )
        lines.append(
            f"  first {imp['first']['seconds']:.1f} s ({imp['first']['created']:,} new, "
            f"{imp['first']['rejected']:,} rejected, {imp['first']['in_registry']:,} in the "
            f"registry; CPU {imp['first']['cpu_seconds']} s), again "
            f"{imp['again']['seconds']:.1f} s "
            f"({imp['again']['unchanged']:,} unchanged): idempotent "
            f"{verdict(imp['idempotent'])}; audit rows {imp['audit_rows']} (one per run)"
        )
        lines.append(
            f"  peak RSS {imp['small_file']['peak_rss_mib']} MiB at {imp['small_file']['rows']:,} "
            f"rows, {imp['first']['peak_rss_mib']} MiB at {imp['file']['rows']:,}: flat "
            f"{verdict(imp['pass']['memory_flat'])}"
        )
    if exp := result.get("export"):
        for run in exp["runs"]:
            name = f"export {run['format']}{' pseudonymised' if run['pseudonymised'] else ''}"
            lines.append(
                row.format(
                    name,
                    f"{run['rows_per_s']:,}/s",
                    f"COPY TO {exp['copy_to_rows_per_s']:,}/s",
                    f"{run['ratio_to_copy']}x",
                    f"≥{run['target_rows_per_s']:,}/s",
                    verdict(run["pass"]),
                )
            )
        lines.append(
            f"  {exp['households']:,} households; identified rows = COPY TO rows: "
            f"{exp['identified_rows_match_copy']}; audit rows per job "
            f"{[r['audit_rows'] for r in exp['runs']]}"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if args.import_one:
        django_setup(os.environ["DATABASE_URL"])
        import_one(args.import_one)
        return
    url, params = database_url(args.database_url)
    ensure_database(params)
    secrets_env()
    ppaos("migrate", "--no-input", "--skip-checks", url=url, timeout=args.timeout)
    ppaos("load-geography", "--skip-checks", url=url, timeout=args.timeout)
    django_setup(url)
    if not registry_ready(args.households):
        load_registry(url, args)
    result: dict = {
        "benchmark": "importexport",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": f"{params['dbname']} on {params['host']}:{params.get('port', 5432)}",
        "households": args.households,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "targets": TARGETS,
    }
    if not args.skip_import:
        result["import"] = goal_import(url, args)
    if not args.skip_export:
        result["export"] = goal_export(url, args)
    result["load_average_after"] = os.getloadavg()
    print()
    print(report(result))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "importexport.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\nwritten {(OUT / 'importexport.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
