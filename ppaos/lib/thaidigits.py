"""Thai digits (๐–๙) typed where a number or an ID is asked for (issue 15).

A Thai keyboard types ๑๒๓; the ID check, the keyed hash and the browser's number boxes expect
123. Pure Python, no Django: ppaos.registry.national_id uses it for every national ID (forms,
API, imports, search), and static/ppaos/digits.js does the same in the browser's number boxes.
"""

import re

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ID_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]")


def to_ascii_digits(text: str) -> str:
    """`๑๒/๓` → `12/3`; everything else is left as typed."""
    if not text:
        return ""
    if text.isascii():  # no Thai digit to translate (an import checks IDs by the million)
        return text
    return text.translate(THAI_DIGITS)


def normalise_id(text: str) -> str:
    """An ID as typed → its digits and letters only: `๑-๒๓๔๕ ๖` → `123456`."""
    text = to_ascii_digits(text)
    if text.isdigit():  # nothing to remove
        return text
    return _ID_SEPARATORS.sub("", text)
