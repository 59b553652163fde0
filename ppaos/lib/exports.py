"""One way to export any list as CSV or Excel, identified or pseudonymised.

A list declares itself once as an `ExportSpec`: its columns (header msgid, value getter and
*kind*) and a `rows` function that returns the rows the user may see, built from the SAME
scoped selector the list's page uses (and raising Http404 outside the user's scope). The
framework then writes the table:

- `plain` columns always;
- `identifier` columns as they are, or, pseudonymised, as a keyed hash (`pseudonym()`);
- `name` and `personal` columns only in the identified form (pseudonymised: dropped).
- pseudonymised, the `quasi_identifiers` a list declares are generalised until every
  combination has at least EXPORT_K rows (`ppaos.lib.kanon`, via `ppaos.exports`).

Every cell that a spreadsheet would run as a formula is kept as text (CSV injection). CSV
carries a UTF-8 byte-order mark so that Excel reads Thai. Excel files are written row by row
(`ppaos.lib.xlsx`, read back with openpyxl in the tests). Jobs, audit and the pages are in
`ppaos.exports`.

Everything streams: querysets are read in chunks (`iterate`), the cell getters of a list are
resolved once per export (`ExportSpec.row_cells`), CSV is written a chunk of lines at a time,
and the pseudonymised, k-anonymous form keeps only the counts of quasi-identifier
combinations in memory (`ppaos.lib.kanon.export_table`).
"""

import contextlib
import csv
import functools
import hashlib
import hmac
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.http import Http404
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ppaos.lib.i18n import Deferred

IDENTIFIER = "identifier"
NAME = "name"
PERSONAL = "personal"
PLAIN = "plain"
KINDS = (IDENTIFIER, NAME, PERSONAL, PLAIN)

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The salt of the first (household) exports, kept so that pseudonyms already handed to
# researchers stay valid; the namespace inside the message separates kinds of record.
PSEUDONYM_SALT = "ppaos.registry.exports.household-pseudonym"
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def pseudonym(namespace: str, key: object) -> str:
    """A stable keyed hash (HMAC-SHA256 under `PSEUDONYM_KEY`) of one record: the same in
    every export made with this key, neither reversible nor recomputable without it, even by
    someone who knows every public id (they are sequential). The key is its own, never the
    secret key; unset, it falls back to the secret key (development only: ppaos.E007).

    Django's `salted_hmac(PSEUDONYM_SALT, message, secret, algorithm="sha256")`, with the
    keyed state computed once per key rather than once per row."""
    secret = settings.PSEUDONYM_KEY or settings.SECRET_KEY
    mac = _pseudonym_mac(secret).copy()
    mac.update(f"{namespace}:{key}".encode())
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _pseudonym_mac(secret: str):
    derived = hashlib.sha256((PSEUDONYM_SALT + secret).encode()).digest()
    return hmac.new(derived, digestmod=hashlib.sha256)


def pseudonym_reference(namespace: str, key: object) -> str:
    """`pseudonym` as Django's salted_hmac computes it (tests compare the two)."""
    message = f"{namespace}:{key}"
    secret = settings.PSEUDONYM_KEY or None
    return salted_hmac(PSEUDONYM_SALT, message, secret=secret, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Column:
    """One column: `header` is a lazily translated English msgid (`gettext_lazy`), written in
    the requester's language; `value` reads the cell from a row; an identifier's `key` is what
    gets hashed (default: the value)."""

    header: object  # str or a lazy translation
    value: Callable[[Any], Any]
    kind: str = PLAIN
    namespace: str = ""
    key: Callable[[Any], Any] | None = None
    pseudonym_header: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == IDENTIFIER and not self.namespace:
            raise ValueError(f"identifier column {self.header!r} needs a namespace")


@dataclass(frozen=True)
class ExportSpec:
    """A list that can be exported.

    `rows(user, params, pseudonymised)` returns the rows (a queryset or a list) the user may
    export, from the list page's own scoped selector; it raises Http404 for anything outside
    the user's scope, including the identified form for a role that may only count.
    `describe(params)` names the list for the audit log and `filename(params)` the file
    (without extension). `keys` and `filters` are the query parameters the list accepts."""

    name: str
    title: object
    columns: tuple[Column, ...]
    rows: Callable[..., Iterable]
    describe: Callable[[dict], str]
    filename: Callable[[dict], str]
    filters: tuple[str, ...] = ()
    # Query parameters naming the object the list belongs to (a community, a campaign): the
    # `describe` text names it, so the audit label does not repeat them.
    keys: tuple[str, ...] = ()
    # Whether the user may have the identified form (names, IDs); the rows are still scoped
    # by `rows`. Default: a role that sees people. Lists without personal columns ignore it.
    # Who may download the identified form; None: whoever sees people somewhere (the rule
    # `ppaos.exports.access.sees_people` applies, since lib knows nothing of roles).
    identified_allowed: Callable[..., bool] | None = None
    # A list that keeps its own download URLs: (fmt, params) -> path (keys in the path; the
    # filters follow as a query), or None for the generic /exports/<name>/<fmt>/.
    url: Callable[[str, dict], str | None] | None = None
    # The facts an outsider may know about a row (place, household size...), each with its
    # hierarchy of coarser values (`ppaos.lib.kanon.QuasiIdentifier`): the pseudonymised
    # form is generalised on them until every combination has at least EXPORT_K rows.
    quasi_identifiers: tuple = ()
    # A faster reading of the same rows for large exports: given the queryset `rows` returned
    # (already scoped), an iterable of light rows that every column's `value` and `key` read
    # exactly as they read the model instances (`values()` instead of six model instances per
    # row). Called as `light_rows(rows, pseudonymised=...)`: the pseudonymised form may skip
    # what only the identified columns read. None: the queryset is read as it is.
    light_rows: Callable[..., Iterable] | None = None

    @property
    def has_personal(self) -> bool:
        """False for lists of aggregates: both forms are then the same table."""
        return any(c.kind != PLAIN for c in self.columns)

    def may_identify(self, user, params: dict, default: Callable[..., bool]) -> bool:
        """Whether `user` may download the identified form; `default(user, params)` decides
        when the list declares no rule of its own."""
        allowed = self.identified_allowed or default
        return not self.has_personal or allowed(user, params)

    def columns_for(self, pseudonymised: bool) -> list[Column]:
        if not pseudonymised:
            return list(self.columns)
        return [c for c in self.columns if c.kind in (IDENTIFIER, PLAIN)]

    def header(self, pseudonymised: bool) -> list[str]:
        headers = []
        for c in self.columns_for(pseudonymised):
            if pseudonymised and c.kind == IDENTIFIER:
                headers.append(
                    str(c.pseudonym_header)
                    if c.pseudonym_header
                    else _("%(column)s (pseudonym)") % {"column": c.header}
                )
            else:
                headers.append(str(c.header))
        return headers

    def cells(self, row, pseudonymised: bool) -> list:
        return self.row_cells(pseudonymised)(row)

    def row_cells(self, pseudonymised: bool) -> Callable[[Any], list]:
        """row → its cells (`cells`), with the columns of the form resolved once: the function
        an export calls for each of its rows."""
        getters = []
        for c in self.columns_for(pseudonymised):
            if pseudonymised and c.kind == IDENTIFIER:
                getters.append(functools.partial(_pseudonymised_cell, c))
            else:
                getters.append(c.value)
        return lambda row: [get(row) for get in getters]


def _pseudonymised_cell(column: Column, row) -> str:
    key = column.key(row) if column.key else column.value(row)
    return pseudonym(column.namespace, key) if key not in (None, "") else ""


_SPECS: dict[str, ExportSpec] = {}


def describe_by(message: str, param: str = "") -> Callable[[dict], Deferred]:
    """A spec's `describe` that names the list by one of its parameters:
    `describe_by(gettext_noop("visits of campaign %(campaign)s"), "campaign")`."""
    if not param:
        return lambda params: Deferred(message)
    return lambda params: Deferred(message, **{param: params.get(param, "")})


def register(spec: ExportSpec) -> ExportSpec:
    """Make a list exportable under `spec.name` (each app registers its lists when ready)."""
    _SPECS[spec.name] = spec
    return spec


def get_spec(name: str) -> ExportSpec:
    try:
        return _SPECS[name]
    except KeyError:
        raise Http404("No such export") from None


def all_specs() -> dict[str, ExportSpec]:
    return dict(_SPECS)


def clean_params(spec: ExportSpec, query) -> dict[str, str]:
    """The list's own keys and filters from a query (GET) dict; anything else is ignored."""
    names = (*spec.keys, *spec.filters)
    return {k: query.get(k, "").strip()[:100] for k in names if query.get(k, "").strip()}


def count_rows(rows: Iterable) -> int:
    if isinstance(rows, QuerySet):
        return rows.count()
    return len(rows)  # type: ignore[arg-type]


def iterate(rows: Iterable) -> Iterator:
    """Rows one by one; querysets are read in chunks so that a large export stays small in
    memory (prefetches are applied per chunk)."""
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK)
    return iter(rows)


def spec_rows(spec: ExportSpec, rows: Iterable, pseudonymised: bool) -> Iterator:
    """The rows of an export one by one: the spec's light rows when it has them (`light_rows`),
    else `iterate`; a queryset is read with PostgreSQL's JIT off (`without_jit`)."""
    if not isinstance(rows, QuerySet):
        return iter(rows)
    if spec.light_rows is not None:
        return _without_jit(spec.light_rows(rows, pseudonymised=pseudonymised))
    return _without_jit(iterate(rows))


def _without_jit(rows: Iterable) -> Iterator:
    with without_jit():
        yield from rows


@contextlib.contextmanager
def without_jit():
    """PostgreSQL's JIT off on this connection for the duration (a no-op elsewhere).

    A large export's query costs enough for PostgreSQL to compile it (JIT), which it then
    runs once, streaming: at 100,000 households the compiling took 0.6 to 0.9 s of a 4.4 s
    CSV export (bench/importexport.py)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET jit")


def safe(value):
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table(spec: ExportSpec, rows: Iterable, pseudonymised: bool, progress=None) -> Iterator[list]:
    """The header, then one guarded list of cells per row; `progress(n)` every CHUNK rows."""
    yield [safe(h) for h in spec.header(pseudonymised)]
    cells = spec.row_cells(pseudonymised)
    n = 0
    for row in spec_rows(spec, rows, pseudonymised):
        yield [safe(v) for v in cells(row)]
        n += 1
        if progress and n % CHUNK == 0:
            progress(n)
    if progress:
        progress(n)


def csv_chunks(lines: Iterable[list]) -> Iterator[bytes]:
    """CSV bytes for a streaming response, the byte-order mark first (Excel reads Thai),
    then CHUNK lines at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    lines = iter(lines)
    while block := list(itertools.islice(lines, CHUNK)):
        writer.writerows(block)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def write_csv(lines: Iterable[list], out: IO[bytes]) -> None:
    for chunk in csv_chunks(lines):
        out.write(chunk)


def write_xlsx(lines: Iterable[list], out: IO[bytes], title: str) -> None:
    """An Excel workbook written row by row (`ppaos.lib.xlsx`: what openpyxl's write-only mode
    writes, as a reader sees it, about ten times faster)."""
    from ppaos.lib import xlsx

    xlsx.write(lines, out, _sheet_title(title))


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "export")[:31]


def render_bytes(fmt: str, lines: Iterable[list], title: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == CSV:
        write_csv(lines, buffer)
    else:
        write_xlsx(lines, buffer, title)
    return buffer.getvalue()


def int_param(params: dict, key: str) -> int:
    """An id from the export's parameters; anything else is 404, like an unknown id."""
    try:
        return int(params[key])
    except (KeyError, TypeError, ValueError):
        raise Http404(f"Bad {key}") from None
