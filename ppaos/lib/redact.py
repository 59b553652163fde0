"""Identifiers never reach the audit trail or a log line in clear.

`redact_ids` masks every 13-digit national ID in a text, written plain (`3700100543217`),
grouped (`3-7001-00543-21-7`) or URL-encoded (`3%207001…`), to `x-xxxx-xxxxx-21-7`: the last
three digits, as lists show them. Any 13-digit run is masked, checksum or not: a mistyped ID
identifies a person as well as a correct one.

`redact_phones` masks Thai phone numbers (`081-234-5678`, `+66 81 234 5678`, `021234567`) to
`xxxxxxx678`; `redact_url` masks both, and `redact_query` (a search as the audit trail keeps
it) also masks any other run of nine or more digits: part of an ID or a phone typed alone."""

import re
from urllib.parse import unquote_plus

_SEP = r"[-\s.]?"
_ID = re.compile(rf"(?<!\d)\d{_SEP}\d{{4}}{_SEP}\d{{5}}{_SEP}\d{{2}}{_SEP}\d(?!\d)")
_PHONE = re.compile(r"(?<![\d+])(?:\+?\s?66[-\s]?|0)(?:\d[-\s]?){7,8}\d(?!\d)")
_LONG_DIGITS = re.compile(r"\d{9,}")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def masked_id(digits: str) -> str:
    """The shown form of a 13-digit ID: only the last three digits, `x-xxxx-xxxxx-78-1`.
    The one format for lists, audit rows and logs (registry.national_id.masked uses it)."""
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}"


def redact_ids(text: str) -> str:
    """`text` with every national ID masked (see the module docstring)."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _ID.sub(lambda m: masked_id(re.sub(r"\D", "", m[0])), text)


def keep_last_three(text: str) -> str:
    """A phone number as x's and its last three digits (`xxxxxxx678`)."""
    digits = re.sub(r"\D", "", text)
    return "x" * (len(digits) - 3) + digits[-3:]


def redact_phones(text: str) -> str:
    """`text` with every Thai phone number masked to its last three digits."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _PHONE.sub(lambda m: keep_last_three(m[0]), text)


def redact_url(path: str) -> str:
    """A request path with its query string, decoded then masked (IDs and phone numbers):
    `?national_id=3%2D7001…` cannot slip through as escapes, nor Thai digits (`๐๘๑…`)."""
    return redact_phones(redact_ids(unquote_plus(path).translate(_THAI_DIGITS)))


def redact_query(text: str) -> str:
    """A search query as the audit trail keeps it: IDs, phones and any other run of nine or
    more digits masked (a household code such as `100801-01-00001` stays readable)."""
    text = (text or "").translate(_THAI_DIGITS)
    text = redact_phones(redact_ids(text))
    return _LONG_DIGITS.sub(lambda m: keep_last_three(m[0]), text)
