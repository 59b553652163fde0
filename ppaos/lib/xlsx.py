"""A streaming Excel (XLSX) writer for exports: one sheet, rows written as they come.

openpyxl's write-only mode builds an element per cell (about 20 µs a cell here), which caps a
large export at a few thousand rows a second. This writes the same workbook openpyxl's
write-only mode writes, as far as a reader sees it: strings inline (`inlineStr`, whitespace
kept), numbers and booleans as values, dates and times as serial numbers with a date format
(openpyxl's conversion, `to_excel`), None left out and "" as an empty inline-string cell;
the same checks too (illegal control characters raise openpyxl's IllegalCharacterError,
text is cut at 32,767 characters, other types raise ValueError). The sheet part is deflated
into the zip while it is written, so memory stays flat. Files are read back with openpyxl in
the tests.
"""

import datetime as dt
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError

MAX_TEXT = 32767
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
# Cell styles: 0 plain, then the date, datetime and time formats openpyxl gives such values.
_STYLE = {dt.datetime: 2, dt.date: 1, dt.time: 3}
_FORMATS = ("yyyy-mm-dd", "yyyy-mm-dd h:mm:ss", "h:mm:ss")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>'
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="3">'
    + "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{f}"/>' for i, f in enumerate(_FORMATS))
    + '</numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    + "".join(
        f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for i in range(len(_FORMATS))
    )
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def _workbook(title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
        f'xmlns:r="{_REL}"><sheets><sheet name="{escape(title, {chr(34): "&quot;"})}" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _text(ref: str, value: str) -> str:
    if not value:  # as openpyxl writes it: the cell is there (a reader sees the row's width)
        return f'<c r="{ref}" t="inlineStr"/>'
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    value = value[:MAX_TEXT]
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _cell(ref: str, value) -> str:
    if value.__class__ is str:  # most cells: the fast way first
        return _text(ref, value)
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(ref, str.__str__(value))
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    for kind, style in _STYLE.items():  # datetime before date: it is one
        if isinstance(value, kind):
            if getattr(value, "tzinfo", None) is not None:
                raise TypeError("Excel does not support timezones in datetimes.")
            return f'<c r="{ref}" t="n" s="{style}"><v>{to_excel(value)}</v></c>'
    raise ValueError(f"Cannot convert {value!r} to Excel")


def write(lines: Iterable[list], out: IO[bytes], title: str) -> None:
    """The lines as the one sheet `title` of a workbook written to `out`."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(title))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                f'xmlns="{_MAIN}"><sheetData>'.encode()
            )
            block: list[str] = []
            letters: list[str] = []
            for n, line in enumerate(lines, start=1):
                while len(letters) < len(line):
                    letters.append(get_column_letter(len(letters) + 1))
                cells = "".join([_cell(f"{c}{n}", v) for c, v in zip(letters, line, strict=False)])
                block.append(f'<row r="{n}">{cells}</row>')
                if len(block) >= 1000:
                    sheet.write("".join(block).encode())
                    block = []
            block.append("</sheetData></worksheet>")
            sheet.write("".join(block).encode())
