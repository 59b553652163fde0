"""Thai or English, by the page's language (issue 16).

The pilot's data carries Thai names (`name_th`) and, where someone wrote one, an English name
(`name_en`). Thai is the default: English is shown only when the page is in English, and
(with `localized`) only when there is English text to show.
"""

from typing import Any

from django.utils import translation


def is_english() -> bool:
    """True when the page is in English."""
    return translation.get_language() == "en"


def is_thai() -> bool:
    """True when the page is in Thai."""
    return translation.get_language() == "th"


def localized(thai: Any, english: Any) -> Any:
    """`english` when the page is in English and it is not empty, otherwise `thai`."""
    return english if is_english() and english else thai


def localized_name(obj: Any, field: str = "name") -> Any:
    """`obj.<field>_en` or `obj.<field>_th` (a model or a dataclass), as `localized`."""
    return localized(getattr(obj, f"{field}_th"), getattr(obj, f"{field}_en"))


class LocalizedName:
    """A model with `name_th` and `name_en`: its `name` in the page's language."""

    @property
    def name(self) -> str:
        return localized_name(self)
