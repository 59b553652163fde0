"""Thai national ID (เลขประจำตัวประชาชน): 13 digits, the last a mod-11 check digit.

check = (11 - sum(d_i * (14 - i) for i in 1..12) mod 11) mod 10. IDs that start with 0
("บุคคลเลข 0", people without registration status) are accepted when the checksum holds,
unlike python-stdnum; the registry flags them as undocumented.
"""

from ppaos.lib.redact import masked_id
from ppaos.lib.thaidigits import normalise_id


def gettext_noop(message: str) -> str:
    """Marks a message for translation without importing Django into this pure module."""
    return message


NOT_DIGITS = gettext_noop("must contain digits only")
WRONG_LENGTH = gettext_noop("must have exactly 13 digits")
BAD_CHECKSUM = gettext_noop("has a check digit that does not match: a digit is mistyped")


def normalize(text: str) -> str:
    """Drop spaces and dashes, Thai digits become 0–9: `1-2345-45678-78-1` and
    `๑-๒๓๔๕-...` → `1234545678781` (ppaos.lib.thaidigits)."""
    return normalise_id(text)


def check_digit(first12: str) -> int:
    """The 13th digit for the first 12."""
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise ValueError("check_digit needs exactly 12 digits")
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def is_valid(text: str) -> bool:
    """13 digits after normalising, with a correct check digit."""
    digits = normalize(text)
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        return False
    return check_digit(digits[:12]) == int(digits[12])


def problem(text: str) -> str | None:
    """Why the ID is not valid, in words a volunteer can act on; None when it is valid."""
    digits = normalize(text)
    if not digits.isascii() or not digits.isdigit():
        return NOT_DIGITS
    if len(digits) != 13:
        return WRONG_LENGTH
    if not is_valid(digits):
        return BAD_CHECKSUM
    return None


def is_without_status(text: str) -> bool:
    """IDs starting with 0 belong to people without Thai registration status."""
    return normalize(text).startswith("0")


# Person categories by first digit (Interior Ministry): 1-5 Thai nationals; 0 people without
# registration status, 6 aliens staying temporarily or entered illegally, 7 their children born
# in Thailand: not Thai; 8 aliens granted residence and naturalised Thais: not settled by the
# digit, so nationality must be recorded.
THAI_DIGITS = frozenset("12345")
NOT_THAI_DIGITS = frozenset("067")


def nationality(text: str) -> str | None:
    """ "thai" or "other" as the ID's first digit says; None when it does not settle it (8, 9,
    no ID)."""
    digits = normalize(text)
    if not digits:
        return None
    if digits[0] in THAI_DIGITS:
        return "thai"
    if digits[0] in NOT_THAI_DIGITS:
        return "other"
    return None


def formatted(text: str) -> str:
    """`1234545678781` → `1-2345-45678-78-1`."""
    d = normalize(text)
    if len(d) != 13:
        return d
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def masked(text: str) -> str:
    """Show only the last four digits, for lists and logs: `x-xxxx-xxxxx-78-1`."""
    d = normalize(text)
    return masked_id(d) if len(d) == 13 else ""


def make(first12: str) -> str:
    """Complete 12 digits into a valid ID (for synthetic data and tests)."""
    return first12 + str(check_digit(first12))
