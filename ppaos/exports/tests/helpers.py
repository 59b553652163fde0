"""Reading exports back in tests."""

import csv
import io
from urllib.parse import urlencode

import openpyxl


def url(name: str, fmt: str = "csv", pseudonymised: bool = False, **params) -> str:
    query = dict(params)
    if pseudonymised:
        query["pseudonymised"] = "1"
    return f"/exports/{name}/{fmt}/" + (f"?{urlencode(query)}" if query else "")


def read(response) -> list[list[str]]:
    """The table of a CSV or Excel export response (all cells as text)."""
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("text/csv"):
        assert response.content.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "spreadsheetml" in response["Content-Type"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [
        ["" if v is None else str(v) for v in row]
        for row in book.active.iter_rows(values_only=True)
    ]


def column(table: list[list[str]], header: str) -> list[str]:
    index = table[0].index(header)
    return [row[index] for row in table[1:]]
