"""Identifiers never reach the audit trail or a log line in clear.

`redact_ids` masks every 13-digit national ID in a text, written plain (`3700100543217`),
grouped (`3-7001-00543-21-7`) or URL-encoded (`3%207001…`), to `x-xxxx-xxxxx-21-7`: the last
three digits, as lists show them. Any 13-digit run is masked, checksum or not: a mistyped ID
identifies a person as well as a correct one."""

import re
from urllib.parse import unquote_plus

_SEP = r"[-\s.]?"
_ID = re.compile(rf"(?<!\d)\d{_SEP}\d{{4}}{_SEP}\d{{5}}{_SEP}\d{{2}}{_SEP}\d(?!\d)")


def masked_id(digits: str) -> str:
    """The shown form of a 13-digit ID: only the last three digits, `x-xxxx-xxxxx-78-1`.
    The one format for lists, audit rows and logs (registry.national_id.masked uses it)."""
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}"


def redact_ids(text: str) -> str:
    """`text` with every national ID masked (see the module docstring)."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return _ID.sub(lambda m: masked_id(re.sub(r"\D", "", m[0])), text)


def redact_url(path: str) -> str:
    """A request path with its query string, decoded then masked: `?national_id=3%2D7001…`
    cannot slip through as escapes."""
    return redact_ids(unquote_plus(path))
