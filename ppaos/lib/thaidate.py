"""Buddhist-era (BE) dates: accept BE or CE input, store CE, show BE in Thai.

BE = CE + 543. A four-digit year of 2400 or more is read as BE (no living person was born
before CE 1857, and no CE date in this registry reaches 2400).
"""

import datetime as dt
import re

BE_OFFSET = 543
BE_THRESHOLD = 2400

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def gettext_noop(message: str) -> str:
    """Marks a message for translation without importing Django into this pure module."""
    return message


NOT_A_DATE = gettext_noop("%(text)s is not a date: write day/month/year, e.g. 15/3/2510")
NOT_A_DAY = gettext_noop("%(text)s is not a day of the calendar")


class DateInputError(ValueError):
    """The text is not a date in a form we accept, or names a day that does not exist.

    `message` is one of the marked messages above and `params` fills it: a page translates
    `message` before filling it (`gettext(e.message) % e.params`); str(e) is the English."""

    def __init__(self, message: str, text: str):
        self.message, self.params = message, {"text": repr(text)}
        super().__init__(message % self.params)


def to_ce_year(year: int) -> int:
    """Return the CE year for a year written in BE or CE."""
    return year - BE_OFFSET if year >= BE_THRESHOLD else year


def parse_date(text: str) -> dt.date:
    """Parse `YYYY-MM-DD` or `D/M/YYYY` (also with `.` or `-`), the year in BE or CE."""
    text = (text or "").strip()
    if m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise DateInputError(NOT_A_DATE, text)
    try:
        return dt.date(to_ce_year(year), month, day)
    except ValueError:
        raise DateInputError(NOT_A_DAY, text) from None


def format_be(value: dt.date | None, *, short: bool = False) -> str:
    """`2024-03-26` → `26 มีนาคม 2567` (or `26 มี.ค. 2567` when `short`)."""
    if value is None:
        return ""
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    return f"{value.day} {months[value.month - 1]} {value.year + BE_OFFSET}"


def format_be_numeric(value: dt.date | None) -> str:
    """`2024-03-26` → `26/03/2567`, the form volunteers type back into date fields."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year + BE_OFFSET}"


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on a given day."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday
