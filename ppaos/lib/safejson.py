"""JSON parsing with limits, for anything a user uploads or types.

`json.loads` on its own turns a `[` nested 100,000 times into a RecursionError and a
5,000-digit number into a ValueError deep inside the parser: both became 500s. `loads` checks
the size, the nesting depth and the length of every number first, and raises `JSONLimitError`
(a ValueError) with a message fit to show the user.
"""

import json
import re

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JSONLimitError(ValueError):
    """The text is not JSON, or is JSON beyond the limits; `str()` is the user's message."""


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, counted without parsing it."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _number(limit: int, convert):
    def parse(text: str):
        if len(text) > limit:
            raise JSONLimitError(
                _("A number in the file is too long (more than %(limit)s characters).")
                % {"limit": limit}
            )
        return convert(text)

    return parse


def loads(
    text: str | bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_number_chars: int = MAX_NUMBER_CHARS,
):
    """Parse `text` as JSON within the limits, or raise `JSONLimitError`."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise JSONLimitError(_too_big(max_bytes))
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JSONLimitError(_("The file is not UTF-8 text.")) from error
    if len(text.encode("utf-8")) > max_bytes:
        raise JSONLimitError(_too_big(max_bytes))
    if nesting_depth(text) > max_depth:
        raise JSONLimitError(
            _("The JSON is nested too deeply (more than %(limit)s levels).") % {"limit": max_depth}
        )
    try:
        return json.loads(
            text,
            parse_int=_number(max_number_chars, int),
            parse_float=_number(max_number_chars, float),
        )
    except JSONLimitError:
        raise
    except (ValueError, RecursionError) as error:
        raise JSONLimitError(
            _("The text is not valid JSON: %(error)s") % {"error": error}
        ) from error


def _too_big(max_bytes: int) -> str:
    return _("The JSON is too large (more than %(limit)s MB).") % {
        "limit": max_bytes // (1024 * 1024)
    }
