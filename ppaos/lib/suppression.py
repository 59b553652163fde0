"""Small-count suppression for aggregates shown to users who may not see people.

A count of 1 to threshold-1 can identify a household in a small area (a researcher who sees
"2 households fell back in community X" can often tell which), so it is replaced by None and
shown as "< threshold". Zero and counts at or above the threshold are shown as they are.
The threshold is the setting SMALL_COUNT_THRESHOLD (`PPAOS_SMALL_COUNT_THRESHOLD`, default 5).
"""

from collections.abc import Mapping

from django.conf import settings


def small_count_threshold() -> int:
    """The configured threshold below which a non-zero count is suppressed."""
    return int(getattr(settings, "SMALL_COUNT_THRESHOLD", 5))


def suppressed_label() -> str:
    """How a suppressed count is shown: "< threshold"."""
    return f"< {small_count_threshold()}"


class _Withheld:
    """A count hidden only so that a small count next to it cannot be worked out: it is at
    least the threshold. Falsy, like a suppressed None, so `value or 0` treats it as unknown."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "WITHHELD"

    def __str__(self) -> str:
        return withheld_label()

    def __reduce__(self):
        return (_Withheld, ())


WITHHELD = _Withheld()


def withheld_label() -> str:
    """How a complementary-suppressed figure is shown (it is not small: never "< 5")."""
    return "*"


def is_hidden(value) -> bool:
    """True for a suppressed (None) or withheld figure."""
    return value is None or value is WITHHELD


def shown(count) -> int | str:
    """A possibly suppressed count for a table or export: the count, `suppressed_label()`
    (small) or `withheld_label()` (hidden to protect a small count, ppaos.lib.disclosure)."""
    if count is WITHHELD:
        return withheld_label()
    return suppressed_label() if count is None else count


def suppress(count: int | None, threshold: int | None = None) -> int | None:
    """`count`, or None when it is small enough to identify someone (0 < count < threshold).

    `threshold` defaults to the setting; None stays None."""
    if count is None or count is WITHHELD:
        return None if count is None else WITHHELD
    limit = small_count_threshold() if threshold is None else threshold
    if 0 < count < limit:
        return None
    return count


def is_suppressed(count: int | None, threshold: int | None = None) -> bool:
    """True when `suppress` would hide this count."""
    return count is not None and suppress(count, threshold) is None


def suppress_mapping(counts: Mapping[str, int | None], threshold: int | None = None) -> dict:
    """A copy of `counts` with every small value suppressed."""
    return {key: suppress(value, threshold) for key, value in counts.items()}
