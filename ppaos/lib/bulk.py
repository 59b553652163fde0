"""Bulk writes: many rows into one table at once, with PostgreSQL's COPY where it runs.

Used by the batch assessment (`ppaos assess`), the demo generators and the target-list import.
Rows are dicts of column name → value already in database form (ids, dates as ISO text or date
objects, JSON as text); every row of one call has the same columns. On SQLite (the embedded
demo) the same rows go through one `executemany`. Nothing here knows a model's rules: callers
validate.

`copy_rows` streams rows of any length (tuples in column order, from a generator) into any
table, a temporary staging table included, in blocks: the caller never holds the whole input.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value) -> str:
    """One value in COPY's text format: NULL as \\N, booleans as t/f, and the characters
    COPY gives a meaning to (backslash, tab, newline, carriage return) escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def copy_text(rows: list[dict], columns: list[str]) -> str:
    """Rows as COPY text, one line per row."""
    return "".join("\t".join(copy_value(r[c]) for c in columns) + "\n" for r in rows)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY `rows` (sequences of values in `columns` order) into `table`, streamed, so that a
    generator of any length is never held whole (PostgreSQL only). `table` and `columns` are
    our own identifiers, never user input. Returns the number of rows.

    Values are None, str, int, bool, date or datetime; psycopg formats and escapes them in C
    (`Copy.write_row`), and buffers the stream itself: 0.2 s of CPU per 100,000 import rows,
    where building each line with `copy_value` took 1.3 s."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_rows needs PostgreSQL; use rows_write elsewhere")
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"  # noqa: S608 (our identifiers)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


def rows_write(model, rows: list[dict]) -> None:
    """Insert `rows` into `model`'s table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    columns = list(rows[0])
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        copy_rows(table, columns, (tuple(r[c] for c in columns) for r in rows))
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


UPDATE_BATCH = 10_000


def rows_update(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Set `fields` (field names) of existing rows of `model`: each row is (primary key,
    *values in `fields` order), values in database form (a foreign key as its id). Returns the
    number of rows given.

    PostgreSQL: one `UPDATE ... FROM unnest(arrays)` per UPDATE_BATCH rows. Django's
    `bulk_update` writes a CASE per field listing every row, and building it in Python took
    nine tenths of a 20,000-record linkage result (cProfile). Elsewhere one `executemany`."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    rows = list(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            every = [meta.pk, *columns]
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in every)
            names = ", ".join(quote(f.column) for f in every)
            sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
            sql = (
                f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) "  # noqa: S608 (our identifiers)
                f"WHERE t.{key} = v.{key}"
            )
            for start in range(0, len(rows), UPDATE_BATCH):
                batch = rows[start : start + UPDATE_BATCH]
                cursor.execute(sql, [list(values) for values in zip(*batch, strict=True)])
        else:
            sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
            sql = f"UPDATE {table} SET {sets} WHERE {key} = %s"  # noqa: S608 (our identifiers)
            cursor.executemany(sql, [(*values, pk) for pk, *values in rows])
    return len(rows)


def sequences_reset(*models) -> None:
    """After rows were written with explicit ids: move each table's id sequence past them
    (PostgreSQL; SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


# Bytes per write when streaming a file into COPY.
FILE_BLOCK = 1 << 20


def csv_file_write(model, columns: Sequence[str], path) -> None:
    """PostgreSQL: COPY the CSV file at `path` (no header; an unquoted empty field is NULL)
    into `model`'s table, streamed in blocks. Made by a tool that writes CSV itself (DuckDB
    for `ppaos assess`), so no row passes through Python."""
    if connection.vendor != "postgresql":
        raise ValueError("csv_file_write needs PostgreSQL; use rows_write elsewhere")
    table = model._meta.db_table
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv)"  # noqa: S608
    with connection.cursor() as cursor, open(path, "rb") as source, cursor.cursor.copy(sql) as copy:
        while block := source.read(FILE_BLOCK):
            copy.write(block)
