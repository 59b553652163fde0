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


class Deferred:
    """A message translated when it is read, not when it is written: what the audit trail
    stores for a label, so that each reader sees it in their own language.

    `text` is the English message (marked with `gettext_noop`, `%(name)s` placeholders);
    a parameter may itself be a Deferred (a status label, a list's name), or a list of them
    (shown joined by commas). `str()` gives the English text (what is kept for search and
    the English export), `translated()` the reader's language, and `as_json()` /
    `from_json()` store it."""

    def __init__(self, text: str, **params: Any):
        self.text = str(text)
        self.params = params

    @classmethod
    def of_label(cls, label: Any) -> "Deferred":
        """A lazily translated label (a model's verbose name, a choice's label) kept as its
        English message id, to translate again when read."""
        with translation.override("en"):
            return cls(str(label))

    def render(self, translate) -> str:
        """The message with `translate` applied to it and to its parameters."""
        text = translate(self.text)
        values = {k: _rendered(v, translate) for k, v in self.params.items()}
        for candidate in (text, self.text):  # a broken translation falls back to English
            try:
                return candidate % values if values else candidate
            except (KeyError, ValueError, TypeError):
                continue
        return self.text

    def __str__(self) -> str:
        return self.render(lambda text: text)

    def translated(self) -> str:
        """The message in the current language."""
        return self.render(translation.gettext)

    def as_json(self) -> dict:
        return {"text": self.text, "params": {k: _stored(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Deferred":
        params = {k: _loaded(v) for k, v in (data.get("params") or {}).items()}
        return cls(data.get("text", ""), **params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Deferred) and self.as_json() == other.as_json()

    def __repr__(self) -> str:
        return f"Deferred({self.text!r}, **{self.params!r})"


def labelled_counts(counts: dict, labels: dict) -> list[Deferred]:
    """Counts as messages, each after its key's label (a lazily translated text):
    "Linked automatically 3, Waiting for review 1" in an audit label."""
    return [
        Deferred(
            translation.gettext_noop("%(label)s %(count)s"),
            label=Deferred.of_label(labels[key]),
            count=n,
        )
        for key, n in counts.items()
    ]


def _rendered(value: Any, translate) -> Any:
    if isinstance(value, Deferred):
        return value.render(translate)
    if isinstance(value, list):
        return ", ".join(str(_rendered(v, translate)) for v in value)
    return value


def _stored(value: Any) -> Any:
    if isinstance(value, Deferred):
        return value.as_json()
    if isinstance(value, list):
        return [_stored(v) for v in value]
    return value


def _loaded(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return Deferred.from_json(value)
    if isinstance(value, list):
        return [_loaded(v) for v in value]
    return value
