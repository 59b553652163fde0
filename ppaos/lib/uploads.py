"""Bounded reading of uploaded files, and keeping them private while they exist.

An XLSX is a zip: a 2 MB upload can hold a `sharedStrings.xml` of gigabytes, which openpyxl
reads whole into memory before the first row. `check_xlsx` reads only the zip's directory and
the first bytes of each worksheet, and refuses a file whose entries, uncompressed size,
compression ratio, shared strings or declared dimension are past the limits in settings
(UPLOAD_*). `csv_rows` reads a CSV line by line with a bounded line, field and row count.
Each refusal is an `UploadLimitError`, a ValueError whose `str()` is the user's message.

Uploaded source files are written by `save_private` (mode 0600, in a 0700 folder under
MEDIA_ROOT) and removed by their importer when it finishes; `remove_stale` deletes any left
behind (a crashed worker) once older than their keep window.
"""

import csv
import datetime as dt
import os
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

MB = 1024 * 1024
SHARED_STRINGS = "xl/sharedStrings.xml"
# A small entry may compress very well and still be harmless; the ratio counts above this.
RATIO_FLOOR_BYTES = 1 * MB
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")
_SHEET_HEAD_BYTES = 64 * 1024


class UploadLimitError(ValueError):
    """The upload is past a limit or cannot be read; `str()` is the user's message."""


def max_rows() -> int:
    return settings.UPLOAD_MAX_ROWS


def max_columns() -> int:
    return settings.UPLOAD_MAX_COLUMNS


# XLSX -----------------------------------------------------------------------------------------


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX past the limits, reading only its zip directory and sheet headers."""
    try:
        with zipfile.ZipFile(path) as book:
            entries = book.infolist()
            _check_entries(entries)
            for entry in entries:
                if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                    _check_dimension(book, entry)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise UploadLimitError(_("The Excel file cannot be opened: it is damaged.")) from None


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > settings.UPLOAD_XLSX_MAX_ENTRIES:
        raise UploadLimitError(
            _("The Excel file has more than %(n)s parts: save it again as a plain workbook.")
            % {"n": settings.UPLOAD_XLSX_MAX_ENTRIES}
        )
    total = sum(e.file_size for e in entries)
    if total > settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_MB * MB:
        raise UploadLimitError(
            _("The Excel file unpacks to more than %(n)s MB: split it.")
            % {"n": settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_MB}
        )
    for entry in entries:
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Excel writes deflate only; bzip2 and lzma are unpacked without a size bound.
            raise UploadLimitError(_("The Excel file cannot be opened: it is damaged."))
        if entry.filename == SHARED_STRINGS and (
            entry.file_size > settings.UPLOAD_XLSX_MAX_SHARED_STRINGS_MB * MB
        ):
            raise UploadLimitError(
                _("The Excel file's text table is larger than %(n)s MB: split the file.")
                % {"n": settings.UPLOAD_XLSX_MAX_SHARED_STRINGS_MB}
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR_BYTES and ratio > settings.UPLOAD_XLSX_MAX_RATIO:
            raise UploadLimitError(
                _(
                    "The Excel file is compressed more than %(n)s times: it is not a normal "
                    "workbook. Save it again from Excel, or as CSV."
                )
                % {"n": settings.UPLOAD_XLSX_MAX_RATIO}
            )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_dimension(book: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    """The sheet's declared size (`<dimension ref="A1:Z100">`), from its first bytes."""
    with book.open(entry) as sheet:
        head = sheet.read(_SHEET_HEAD_BYTES)
    match = _DIMENSION.search(head)
    if not match:
        return  # no declared size: the rows are counted as they are read
    first_col, first_row, last_col, last_row = match.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    rows = int(last_row) - int(first_row) + 1
    columns = _column_number(last_col.decode()) - _column_number(first_col.decode()) + 1
    check_size(rows=rows - 1, columns=columns)  # the first row is the header


def check_size(*, rows: int, columns: int) -> None:
    """Refuse a table of more rows, columns or cells than the limits."""
    if rows > max_rows():
        raise UploadLimitError(
            _("The file has more than %(n)s rows: split it.") % {"n": f"{max_rows():,}"}
        )
    if columns > max_columns():
        raise UploadLimitError(
            _("The file has more than %(n)s columns: remove the ones not needed.")
            % {"n": max_columns()}
        )
    if rows * columns > settings.UPLOAD_MAX_CELLS:
        raise UploadLimitError(
            _("The file has more than %(n)s cells: split it.")
            % {"n": f"{settings.UPLOAD_MAX_CELLS:,}"}
        )


# CSV ------------------------------------------------------------------------------------------


def text_lines(file, *, max_chars: int | None = None) -> Iterator[str]:
    """The lines of a text file, refusing one longer than the limit without reading it all."""
    limit = max_chars or settings.UPLOAD_CSV_MAX_LINE_CHARS
    number = 0
    while line := file.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            raise UploadLimitError(
                _("Line %(line)s is longer than %(n)s characters.")
                % {"line": number, "n": f"{limit:,}"}
            )
        yield line


def csv_rows(lines: Iterable[str], **reader_options) -> Iterator[tuple[int, list[str]]]:
    """(line number, values) of each CSV record, within the field, column and row limits;
    the header is the first record."""
    csv.field_size_limit(settings.UPLOAD_CSV_MAX_FIELD_CHARS)
    reader = csv.reader(lines, **reader_options)
    count = 0
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise UploadLimitError(
                    _("Line %(line)s has a value longer than %(n)s characters.")
                    % {"line": reader.line_num, "n": f"{settings.UPLOAD_CSV_MAX_FIELD_CHARS:,}"}
                ) from None
            raise UploadLimitError(
                _("Line %(line)s cannot be read as CSV: %(error)s")
                % {"line": reader.line_num, "error": error}
            ) from None
        count += 1
        if count > max_rows() + 1:
            check_size(rows=count - 1, columns=0)
        if len(values) > max_columns():
            check_size(rows=0, columns=len(values))
        yield start, values


# Files on disk --------------------------------------------------------------------------------


def save_private(upload, *, folder: str, suffix: str = "") -> str:
    """Write an uploaded file under MEDIA_ROOT/<folder>/YYYY/MM/ with mode 0600 from its
    creation, under a random name; returns its name relative to MEDIA_ROOT."""
    today = timezone.localdate()
    relative = Path(folder, f"{today:%Y}", f"{today:%m}", secrets.token_hex(16) + suffix)
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative.as_posix()


def remove_stale(folder: str, *, older_than: dt.timedelta, keep: Iterable[str] = ()) -> list[str]:
    """Delete files under MEDIA_ROOT/<folder> last changed before `older_than` ago, except
    those named in `keep` (relative to MEDIA_ROOT); returns the names removed."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = (timezone.now() - older_than).timestamp()
    kept = set(keep)
    removed = []
    for path in sorted((root / folder).rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        if name in kept or path.stat().st_mtime >= cutoff:
            continue
        path.unlink(missing_ok=True)
        removed.append(name)
    return removed
