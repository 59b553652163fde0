"""Reading and checking target-list files (CSV or XLSX) row by row.

Headers may be English or Thai (เลขประจำตัวประชาชน, ชื่อ, นามสกุล, …), as the column file
says (`columns.py`, data/tpmap-columns.json); a mapping can name any other header. TPMAP / จปฐ.
columns (house code, welfare card, survey year, dimensions, indicators) are read too, and every
column of the row is kept with the record. Each row is checked on its own; a bad row is
reported with its line number and reason and never stops the good ones. The file as a whole
is read within the upload limits (ppaos/lib/uploads.py: an XLSX is checked before it is opened,
rows are streamed and counted); past one, FileFormatError says which."""

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.lib import uploads
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


@dataclass
class CheckedRows:
    good: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # ColumnPlan.report(): recognised and unknown


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


def check_row(
    row: dict[str, str],
    mapping: dict[str, str],
    areas: "AreaCodes",
    plan: columns.ColumnPlan | None = None,
) -> dict:
    """Validated, normalised values of one row; ValueError with the reason otherwise."""
    plan = plan or columns.plan(list(row), mapping, columns.load())
    extra = {**columns.row_attributes(row, plan), "source_row": columns.source_row(row, plan)}
    get = lambda name: row.get(mapping.get(name, ""), "").strip()  # noqa: E731
    values: dict = {"first_name": get("first_name"), "last_name": get("last_name")}
    if not values["first_name"]:
        raise ValueError(_("first name is empty"))
    raw_id = national_id.normalize(get("national_id"))
    if raw_id and (problem := national_id.problem(raw_id)):
        raise ValueError(
            _("national ID ending %(last4)s %(problem)s")
            % {"last4": repr(raw_id[-4:]), "problem": _(problem)}
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
        try:
            values["birth_date"] = parse_date(birth)
        except DateInputError as e:
            raise ValueError(_("birth date: %(error)s") % {"error": e}) from None
        if values["birth_date"] > timezone.localdate():
            raise ValueError(_("birth date %(date)s is in the future") % {"date": repr(birth)})
    sub, district = get("subdistrict_code"), get("district_code")
    if sub and sub not in areas.subdistricts:
        raise ValueError(_("subdistrict code %(code)s is not a DOPA code") % {"code": repr(sub)})
    if district and district not in areas.districts:
        raise ValueError(_("district code %(code)s is not a DOPA code") % {"code": repr(district)})
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


def check_file(
    path: Path,
    *,
    name: str = "",
    mapping: dict | None = None,
    progress=None,
    config: columns.ColumnConfig | None = None,
) -> CheckedRows:
    """Check every row; duplicates of an earlier row (same key) are rejected too."""
    config = config or columns.load()
    result = CheckedRows()
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
    areas = AreaCodes.load()
    seen: dict[str, int] = {}
    for count, (line, row) in enumerate(itertools.chain([first], rows), 1):
        try:
            values = check_row(row, resolved, areas, plan)
        except ValueError as e:
            result.rejected.append((line, str(e)))
        else:
            key = record_key(values)
            if key in seen:
                result.rejected.append(
                    (line, _("repeats line %(line)s (same person)") % {"line": seen[key]})
                )
            else:
                seen[key] = line
                result.good.append({"line_no": line, "record_key": key, **values})
        if progress and count % 1000 == 0:
            progress(count)
    return result
