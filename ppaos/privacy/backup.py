"""Backups of the whole database: `pg_dump --format=custom` for PostgreSQL, the SQLite backup
API for SQLite. Restores overwrite the database in place.

Backups hold everyone's personal data: they are written readable by their owner only (0600);
keep them encrypted and off the server, and delete them on the same retention schedule."""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables whose rows the round-trip check compares (registry, privacy, audit).
CHECKED_TABLES = (
    "registry_household",
    "registry_person",
    "registry_membership",
    "privacy_consentrecord",
    "privacy_datasubjectrequest",
    "privacy_legalhold",
    "privacy_anonymisation",
    "audit_auditevent",
)


class BackupError(Exception):
    pass


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_args(alias: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection options from Django's settings (no URL, no shell, password in env)."""
    conn = connections[alias].settings_dict
    args = []
    if conn.get("HOST"):
        args += ["--host", str(conn["HOST"])]
    if conn.get("PORT"):
        args += ["--port", str(conn["PORT"])]
    if conn.get("USER"):
        args += ["--username", str(conn["USER"])]
    env = dict(os.environ)
    if conn.get("PASSWORD"):
        env["PGPASSWORD"] = str(conn["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return path


def _private(path: Path) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


def backup(out: Path, *, alias: str = "default") -> Path:
    """Write a consistent copy of the database to `out`."""
    out = Path(out)
    if out.exists() and out.is_dir():
        raise BackupError(f"{out} is a folder; give a file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(alias)
    if vendor == "postgresql":
        args, env = _pg_args(alias)
        name = connections[alias].settings_dict["NAME"]
        _private(out)
        command = [_tool("pg_dump"), "--format=custom", "--no-password", "--file", str(out)]
        _run([*command, *args, "--dbname", name], env)
    elif vendor == "sqlite":
        connection = connections[alias]
        connection.ensure_connection()
        if out.exists():
            out.unlink()
        _private(out)
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    return out


def restore(source: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with the backup in `source`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with source.open("rb") as f:
        head = f.read(16)
    vendor = _vendor(alias)
    if vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        args, env = _pg_args(alias)
        name = connections[alias].settings_dict["NAME"]
        connections[alias].close()
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
        ]
        _run([*command, *args, "--dbname", name, str(source)], env)
    elif vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite database")
        connection = connections[alias]
        connection.ensure_connection()
        backup_db = sqlite3.connect(source)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    else:
        raise BackupError(f"restores into {vendor} databases are not supported")


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def table_fingerprint(*, alias: str = "default", tables=CHECKED_TABLES) -> dict[str, tuple]:
    """Row count and a SHA-256 of every row (ordered by id) for each table: equal before a
    backup and after its restore, or something was lost."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table not in existing:
                continue
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode("utf-8"))
                count += 1
            result[table] = (count, digest.hexdigest())
    return result
