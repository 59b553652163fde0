"""Reading and checking target-list files (CSV or XLSX) row by row.

Headers may be English or Thai (เลขประจำตัวประชาชน, ชื่อ, นามสกุล, …), as the column file
says (`columns.py`, data/tpmap-columns.json); a mapping can name any other header. TPMAP / จปฐ.
columns (house code, welfare card, survey year, dimensions, indicators) are read too, and every
column of the row is kept with the record. Each row is checked on its own; a bad row is
reported with its line number and reason and never stops the good ones. The file as a whole
is read within the upload limits (ppaos/lib/uploads.py: an XLSX is checked before it is opened,
rows are streamed and counted); past one, FileFormatError says which.

The import streams: `check_file` reads and checks the rows one by one and hands the good ones
on in chunks (`CheckedFile.chunks`); `records_store` saves them. On PostgreSQL the chunks are
COPYed into a temporary staging table (ppaos/lib/bulk.py), and three statements do the rest in
the caller's transaction: repeats of an earlier line are rejected, new and changed rows are
counted (and which national IDs the registry already holds), then one INSERT ... ON CONFLICT
DO UPDATE ... WHERE writes the new rows and the changed ones; unchanged rows are left alone.
Memory stays flat in the file size (only rejected rows are kept). Elsewhere (SQLite, the
embedded demo) the same chunks go through the ORM, slower."""

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.lib import bulk, uploads
from ppaos.lib.thaidate import DateInputError, parse_date
from ppaos.registry import id_crypto, national_id
from ppaos.targeting import columns

FIELDS = columns.IDENTITY_FIELDS
# The shipped aliases (data/tpmap-columns.json); a province's own column file may differ.
HEADER_ALIASES: dict[str, tuple[str, ...]] = columns.load().identity
SEX_VALUES = {
    "m": "M",
    "male": "M",
    "ชาย": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "หญิง": "F",
    "2": "F",
}
PREFIX_VALUES = {
    "นาย": "nai",
    "นาง": "nang",
    "นางสาว": "nangsao",
    "น.ส.": "nangsao",
    "เด็กชาย": "dekchai",
    "ด.ช.": "dekchai",
    "เด็กหญิง": "dekying",
    "ด.ญ.": "dekying",
    "mr": "nai",
    "mrs": "nang",
    "miss": "nangsao",
}


class FileFormatError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


# Good rows handed on at a time; the memory an import needs is about this many rows.
CHUNK = 5000


def read_rows(path: Path, *, name: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {header: text}) from a CSV (UTF-8, optional BOM) or XLSX file, within
    the upload limits (ppaos/lib/uploads.py): past one, FileFormatError says which."""
    suffix = Path(name or path.name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        reader = _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        reader = _read_csv(path)
    else:
        raise FileFormatError(f"{name or path.name}: use a .csv or .xlsx file")
    try:
        yield from reader
    except uploads.UploadLimitError as e:
        raise FileFormatError(str(e)) from None


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        try:
            rows = uploads.csv_rows(uploads.text_lines(file))
            header = next(rows, None)
            if not header or not any(h.strip() for h in header[1]):
                raise FileFormatError("the file has no header row")
            names = [h.strip() for h in header[1]]
            for line, values in rows:
                if not values:
                    continue
                padded = itertools.chain(values, itertools.repeat(""))
                yield line, {n: v.strip() for n, v in zip(names, padded, strict=False) if n}
        except UnicodeDecodeError:
            raise FileFormatError("the CSV file is not UTF-8: save it as 'CSV UTF-8'") from None


def _read_xlsx(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of the first sheet, streamed; the zip is checked before openpyxl opens it."""
    import openpyxl

    uploads.check_xlsx(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise FileFormatError(f"the Excel file cannot be opened: {e}") from None
    try:
        sheet = book.worksheets[0]
        limit = uploads.max_rows() + 1  # and the header
        rows = sheet.iter_rows(max_row=limit + 1, values_only=True)
        header = next(rows, None)
        if not header:
            raise FileFormatError("the first sheet has no header row")
        uploads.check_size(rows=0, columns=_width(header))
        names = [str(h).strip() if h is not None else "" for h in header]
        for line, values in enumerate(rows, start=2):
            if line > limit:
                uploads.check_size(rows=line - 1, columns=0)
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            uploads.check_size(rows=0, columns=_width(values))
            yield line, {n: _cell_text(v) for n, v in zip(names, values, strict=False) if n}
    finally:
        book.close()


def _width(values: tuple) -> int:
    """The number of columns up to the last one holding a value."""
    width = len(values)
    while width and (values[width - 1] is None or str(values[width - 1]).strip() == ""):
        width -= 1
    return width


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def resolve_mapping(
    headers: list[str],
    mapping: dict[str, str] | None = None,
    config: columns.ColumnConfig | None = None,
) -> dict[str, str]:
    """field → header in the file, from the explicit mapping first, then known aliases."""
    config = config or columns.load()
    mapping = dict(mapping or {})
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise FileFormatError(f"unknown field(s) in mapping: {', '.join(sorted(unknown))}")
    normalised = {}
    for h in headers:
        normalised.setdefault(columns.normalise(h), h)
    resolved = {}
    for name in FIELDS:
        if name in mapping:
            if mapping[name] not in headers:
                raise FileFormatError(f"mapped column {mapping[name]!r} is not in the header")
            resolved[name] = mapping[name]
            continue
        for alias in config.identity[name]:
            if columns.normalise(alias) in normalised:
                resolved[name] = normalised[columns.normalise(alias)]
                break
    if "first_name" not in resolved:
        raise FileFormatError("no first-name column (ชื่อ / first_name); map one explicitly")
    if "national_id" not in resolved and "birth_date" not in resolved:
        raise FileFormatError("need a national ID or a birth-date column to identify people")
    return resolved


def record_key(values: dict) -> str:
    """The keyed hash of the valid national ID (never the ID itself), or a stable hash of the
    identifying fields."""
    if values["national_id"]:
        return id_crypto.lookup_hash(values["national_id"])
    parts = [
        values["first_name"],
        values["last_name"],
        str(values["birth_date"] or ""),
        values["subdistrict_code"],
        values["house_no"],
    ]
    return "h:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


# The longest text the record's columns hold (TargetRecord); prefix and house number are cut.
NAME_MAX = 100


class RowChecker:
    """Checks the rows of one file: `checker(row)` is the validated, normalised values of the
    row, or ValueError with the reason. What does not change from row to row (today, the area
    codes, the column plan) is worked out once, and birth dates, which repeat, are parsed once
    each."""

    def __init__(
        self,
        mapping: dict[str, str],
        areas: "AreaCodes",
        plan: columns.ColumnPlan,
        today: dt.date | None = None,
    ):
        self.mapping, self.areas, self.plan = mapping, areas, plan
        self.headers = {name: mapping.get(name, "") for name in FIELDS}
        self.today = today or timezone.localdate()
        self._dates: dict[str, dt.date | str] = {}

    def _birth_date(self, text: str) -> dt.date:
        known = self._dates.get(text)
        if known is None:
            try:
                known = parse_date(text)
            except DateInputError as e:
                known = _("birth date: %(error)s") % {"error": _(e.message) % e.params}
            if len(self._dates) > 100_000:
                self._dates.clear()
            self._dates[text] = known
        if isinstance(known, str):
            raise ValueError(known)
        return known

    def __call__(self, row: dict[str, str]) -> dict:
        plan, headers = self.plan, self.headers
        if any("\x00" in text for text in row.values()):
            # PostgreSQL text cannot hold it: one such cell failed the whole import.
            raise ValueError(_("a cell holds a NUL character, which cannot be stored"))
        extra = {**columns.row_attributes(row, plan), "source_row": columns.source_row(row, plan)}

        def get(name: str) -> str:
            return row.get(headers[name], "").strip()

        values: dict = {"first_name": get("first_name"), "last_name": get("last_name")}
        if not values["first_name"]:
            raise ValueError(_("first name is empty"))
        if len(values["first_name"]) > NAME_MAX or len(values["last_name"]) > NAME_MAX:
            raise ValueError(_("a name is longer than %(n)s characters") % {"n": NAME_MAX})
        raw_id = national_id.normalize(get("national_id"))
        if raw_id and not national_id.is_valid(raw_id):
            raise ValueError(
                _("national ID ending %(last4)s %(problem)s")
                % {"last4": repr(raw_id[-4:]), "problem": _(national_id.problem(raw_id))}
            )
        values["national_id"] = raw_id
        sex = get("sex")
        values["sex"] = SEX_VALUES.get(sex.lower(), "") if sex else ""
        if sex and not values["sex"]:
            raise ValueError(_("sex %(sex)s is not M/F/ชาย/หญิง") % {"sex": repr(sex)})
        prefix = get("prefix")
        values["prefix"] = PREFIX_VALUES.get(prefix.lower().rstrip("."), prefix[:20])
        birth = get("birth_date")
        values["birth_date"] = None
        if birth:
            values["birth_date"] = self._birth_date(birth)
            if values["birth_date"] > self.today:
                raise ValueError(_("birth date %(date)s is in the future") % {"date": repr(birth)})
        sub, district = get("subdistrict_code"), get("district_code")
        areas = self.areas
        if sub and sub not in areas.subdistricts:
            raise ValueError(
                _("subdistrict code %(code)s is not a DOPA code") % {"code": repr(sub)}
            )
        if district and district not in areas.districts:
            raise ValueError(
                _("district code %(code)s is not a DOPA code") % {"code": repr(district)}
            )
        if sub and district and not sub.startswith(district):
            raise ValueError(
                _("subdistrict %(sub)s is not in district %(district)s")
                % {"sub": sub, "district": district}
            )
        values["subdistrict_code"] = sub
        values["district_code"] = district or sub[:4]
        values["house_no"] = get("house_no")[:20]
        if not values["national_id"] and not values["birth_date"]:
            raise ValueError(
                _("neither a national ID nor a birth date: the person cannot be identified")
            )
        return values | extra


def check_row(
    row: dict[str, str],
    mapping: dict[str, str],
    areas: "AreaCodes",
    plan: columns.ColumnPlan | None = None,
) -> dict:
    """Validated, normalised values of one row; ValueError with the reason otherwise."""
    plan = plan or columns.plan(list(row), mapping, columns.load())
    return RowChecker(mapping, areas, plan)(row)


@dataclass(frozen=True)
class AreaCodes:
    districts: frozenset[str]
    subdistricts: frozenset[str]

    @classmethod
    def load(cls) -> "AreaCodes":
        from ppaos.areas.models import District, Subdistrict

        return cls(
            frozenset(District.objects.values_list("code", flat=True)),
            frozenset(Subdistrict.objects.values_list("code", flat=True)),
        )


@dataclass
class CheckedFile:
    """A file being checked: its column report at once, then the good rows as they are read
    (`chunks`), while `rejected` collects the bad ones (line, reason). Repeats of an earlier
    row are found when the rows are stored (`records_store`), which adds them to `rejected`."""

    columns: dict = field(default_factory=dict)  # ColumnPlan.report(): recognised and unknown
    rejected: list[tuple[int, str]] = field(default_factory=list)
    read: int = 0
    # The good rows as they are checked (a generator: read once).
    rows: Iterator[dict] = field(default_factory=lambda: iter(()), repr=False)

    def good(self) -> Iterator[dict]:
        """The good rows, each with its `line_no` and `record_key`, read once."""
        return self.rows

    def chunks(self, size: int = CHUNK) -> Iterator[list[dict]]:
        rows = self.rows
        while chunk := list(itertools.islice(rows, size)):
            yield chunk


def check_file(
    path: Path,
    *,
    name: str = "",
    mapping: dict | None = None,
    progress: Callable[[int], None] | None = None,
    config: columns.ColumnConfig | None = None,
) -> CheckedFile:
    """Open the file and check its header now (FileFormatError); the rows are checked as they
    are read from the result (`CheckedFile.chunks`), `progress(n)` every 1,000 rows."""
    config = config or columns.load()
    result = CheckedFile()
    rows = read_rows(path, name=name)
    first = next(rows, None)
    if first is None:
        return result
    resolved = resolve_mapping(list(first[1]), mapping, config)
    try:
        plan = columns.plan(list(first[1]), resolved, config)
    except columns.ColumnConfigError as e:
        raise FileFormatError(str(e)) from None
    result.columns = plan.report()
    check = RowChecker(resolved, AreaCodes.load(), plan)

    def good() -> Iterator[dict]:
        rejected = result.rejected
        for count, (line, row) in enumerate(itertools.chain([first], rows), 1):
            result.read = count
            try:
                values = check(row)
            except ValueError as e:
                rejected.append((line, str(e)))
            else:
                values["line_no"] = line
                values["record_key"] = record_key(values)
                yield values
            if progress and count % 1000 == 0:
                progress(count)

    result.rows = good()
    return result


# Storing ------------------------------------------------------------------------------------


def same(a, b) -> bool:
    """Equal values; an empty text and a missing one are the same."""
    if isinstance(a, str | None) and isinstance(b, str | None):
        return (a or "") == (b or "")
    return a == b


@dataclass
class Stored:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows whose national ID the registry already holds (compared by keyed hash).
    in_registry: int = 0


def records_store(*, target_list, checked: CheckedFile, column_mapping: str, extra: dict) -> Stored:
    """Save the good rows of `checked` to `target_list`, matched by record key: new rows are
    created, changed ones updated, the same ones left alone; a repeat of an earlier row of the
    file is added to `checked.rejected`. Call it inside a transaction (the caller's): nothing
    is committed until every row is in."""
    if connection.vendor == "postgresql":
        stored = _store_postgresql(target_list, checked, column_mapping, extra)
    else:
        stored = _store_orm(target_list, checked, column_mapping, extra)
    checked.rejected.sort()
    return stored


def _repeats(line: int, first: int) -> tuple[int, str]:
    return line, _("repeats line %(line)s (same person)") % {"line": first}


def _store_orm(target_list, checked: CheckedFile, column_mapping: str, extra: dict) -> Stored:
    """The portable path: each chunk through the ORM (SQLite, the embedded demo)."""
    from ppaos.registry.models import Person
    from ppaos.targeting.models import RECORD_FIELDS, TargetRecord

    fields = [f for f in RECORD_FIELDS if f != "national_id"]
    fields += ["national_id_encrypted", "national_id_hash"]
    stored = Stored()
    seen: dict[str, int] = {}
    for chunk in checked.chunks(2000):
        good = []
        for values in chunk:
            first = seen.setdefault(values["record_key"], values["line_no"])
            if first != values["line_no"]:
                checked.rejected.append(_repeats(values["line_no"], first))
                continue
            values["column_mapping"] = column_mapping
            values["extra"] = extra
            good.append(values)
        keys = [g["record_key"] for g in good]
        existing = {
            r.record_key: r
            for r in TargetRecord.objects.filter(target_list=target_list, record_key__in=keys)
        }
        hashes = [g["record_key"] for g in good if g["national_id"]]
        stored.in_registry += Person.objects.filter(national_id_hash__in=hashes).count()
        new, changed = [], []
        for values in good:
            values = {f: values[f] for f in RECORD_FIELDS} | {"record_key": values["record_key"]}
            current = existing.get(values["record_key"])
            if current is None:
                new.append(TargetRecord(target_list=target_list, **values))
                continue
            differs = [f for f in RECORD_FIELDS if not same(getattr(current, f), values[f])]
            if differs == ["line_no"] or not differs:
                stored.unchanged += 1
                continue
            for f in RECORD_FIELDS:
                setattr(current, f, values[f])
            changed.append(current)
        TargetRecord.objects.bulk_create(new, batch_size=2000)
        TargetRecord.objects.bulk_update(changed, fields, batch_size=2000)
        stored.created += len(new)
        stored.updated += len(changed)
    return stored


STAGE = "ppaos_import_stage"
# The staging table: the record's columns as the file gave them, as plain types.
STAGE_COLUMNS = (
    ("line_no", "integer"),
    ("record_key", "text"),
    ("national_id_encrypted", "text"),
    ("national_id_hash", "text"),
    ("prefix", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("sex", "text"),
    ("birth_date", "date"),
    ("district_code", "text"),
    ("subdistrict_code", "text"),
    ("house_no", "text"),
    ("house_code", "text"),
    ("welfare_card", "boolean"),
    ("survey_year_be", "integer"),
    ("failed_dimensions", "jsonb"),
    ("indicator_results", "jsonb"),
    ("source_row", "jsonb"),
)
# Compared to tell a changed row from the same one (line_no is not: a row that only moved in
# the file is the same row; the ID by its keyed hash, since encryption is salted).
COMPARED = tuple(
    c for c, _t in STAGE_COLUMNS if c not in ("line_no", "record_key", "national_id_encrypted")
) + ("column_mapping", "extra")


_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _stage_line(values: dict) -> tuple:
    """One good row as the staging table's columns; the ID encrypted, never in clear."""
    nid = values["national_id"]
    dumps = _dumps
    return (
        values["line_no"],
        values["record_key"],
        id_crypto.encrypt(nid) if nid else "",
        values["record_key"] if nid else None,  # the key of a row with an ID is its hash
        values["prefix"],
        values["first_name"],
        values["last_name"],
        values["sex"],
        values["birth_date"],
        values["district_code"],
        values["subdistrict_code"],
        values["house_no"],
        values["house_code"],
        values["welfare_card"],
        values["survey_year_be"],
        dumps(values["failed_dimensions"]),
        dumps(values["indicator_results"]),
        dumps(values["source_row"]),
    )


def _store_postgresql(
    target_list, checked: CheckedFile, column_mapping: str, extra: dict
) -> Stored:
    """COPY into a temporary staging table, then set-based statements (see the module's
    docstring). The INSERT names the record table first: bench/load.py waits for it."""
    from ppaos.registry.models import Person
    from ppaos.targeting.models import LinkStatus, TargetRecord

    record = TargetRecord._meta.db_table
    person = Person._meta.db_table
    names = [c for c, _t in STAGE_COLUMNS]
    stored = Stored()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} ("  # noqa: S608 (our identifiers)
            + ", ".join(f"{c} {t}" for c, t in STAGE_COLUMNS)
            + ") ON COMMIT DROP"
        )
        bulk.copy_rows(STAGE, names, (_stage_line(v) for v in checked.good()))
        # Repeats of an earlier line (the same person twice): rejected, the first one kept.
        cursor.execute(
            f"DELETE FROM {STAGE} s USING (SELECT record_key, min(line_no) AS first_line "  # noqa: S608
            f"FROM {STAGE} GROUP BY record_key HAVING count(*) > 1) d "
            "WHERE s.record_key = d.record_key AND s.line_no > d.first_line "
            "RETURNING s.line_no, d.first_line"
        )
        checked.rejected.extend(_repeats(line, first) for line, first in cursor.fetchall())
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE t.id IS NULL), count(p.id) "  # noqa: S608
            f"FROM {STAGE} s LEFT JOIN {record} t "
            "ON t.target_list_id = %s AND t.record_key = s.record_key "
            f"LEFT JOIN {person} p ON p.national_id_hash = s.national_id_hash",
            [target_list.pk],
        )
        staged, stored.created, stored.in_registry = cursor.fetchone()
        extra_json = json.dumps(extra, ensure_ascii=False)
        target = ", ".join(f"t.{c}" for c in COMPARED)
        incoming = ", ".join(f"EXCLUDED.{c}" for c in COMPARED)
        updates = ", ".join(
            f"{c} = EXCLUDED.{c}" for c in (*names[2:], "line_no", "column_mapping", "extra")
        )
        cursor.execute(
            f'INSERT INTO "{record}" AS t (target_list_id, {", ".join(names)}, '  # noqa: S608
            "column_mapping, extra, link_status, person_id, link_probability) "
            f"SELECT %s, {', '.join(names)}, %s, %s::jsonb, %s, NULL, NULL FROM {STAGE} "
            # In key order: the unique index (and the ID-hash one, the same value) grows at
            # its end instead of at random pages: fewer pages read and written.
            "ORDER BY record_key "
            "ON CONFLICT (target_list_id, record_key) DO UPDATE SET "
            f"{updates} WHERE ({target}) IS DISTINCT FROM ({incoming})",
            [target_list.pk, column_mapping, extra_json, LinkStatus.UNLINKED],
        )
        written = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}")
    stored.updated = written - stored.created
    stored.unchanged = staged - written
    return stored
