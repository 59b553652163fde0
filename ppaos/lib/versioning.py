"""Optimistic locking for every row with a `version` column, and the three-way merge that
follows a lost race.

An editor loads a row at some version and saves "if it is still at that version": one
conditional UPDATE (`... WHERE version = expected SET version = version + 1`). When someone
else saved first, nothing is written and StaleEditError carries the row as it is now.

A form that lost the race is then merged, never reverted (`three_way_merge`): compared with
the values the editor started from (the base), a field only the editor changed keeps the
editor's value, a field only the other person changed takes the stored value, and a field both
changed to different values is a conflict the editor settles (`ppaos.lib.forms.MergeFormMixin`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Model, QuerySet
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _("Someone else saved this record after you opened it. Reload the page.")


class StaleEditError(ValidationError):
    """Someone else saved this row after the editor loaded it; `current` is the row now.

    A ValidationError, so a page that only shows a service's errors shows this one too; a page
    that can merge catches it first (`except StaleEditError` before `except ValidationError`)."""

    def __init__(self, current: Model, message=None):
        self.current = current
        super().__init__(message or STALE_MESSAGE, code="stale")


def save_versioned(
    model: type[Model] | QuerySet,
    *,
    pk: Any,
    expected_version: int,
    changes: Mapping[str, Any],
    where: Mapping[str, Any] | None = None,
    message=None,
) -> int:
    """Write `changes` to row `pk` only if it is still at `expected_version` (and matches
    `where`, e.g. the status the step starts from); return the new version.

    Raises StaleEditError (with `message`, or a generic one) carrying the stored row when
    nothing was written. The one optimistic-locking write of the project."""
    rows = model if isinstance(model, QuerySet) else model._meta.default_manager.all()
    updated = rows.filter(pk=pk, version=expected_version, **(where or {})).update(
        **changes, version=F("version") + 1
    )
    if updated != 1:
        raise StaleEditError(rows.model._meta.default_manager.get(pk=pk), message)
    return expected_version + 1


# The merge ------------------------------------------------------------------------------------

MISSING = object()


@dataclass
class Merge:
    """What a three-way merge decided, per field name."""

    mine: list[str] = field(default_factory=list)  # only the editor changed it: editor's value
    theirs: list[str] = field(default_factory=list)  # only the other person: the stored value
    conflicts: list[str] = field(default_factory=list)  # both, differently: the editor chooses


def three_way_merge(
    names: Iterable[str],
    *,
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    same: Callable[[str, Any, Any], bool] | None = None,
) -> Merge:
    """Compare the values the editor started from (`base`), the editor's (`mine`) and the
    stored ones (`theirs`). A name missing from `base` (the form did not send it) counts as
    changed by both sides, so a differing value is a conflict rather than a guess.

    `same(name, a, b)` compares two values of a field (default: ==)."""
    equal = same or (lambda _name, a, b: a == b)
    merge = Merge()
    for name in names:
        start = base.get(name, MISSING)
        mine_value, theirs_value = mine.get(name), theirs.get(name)
        if equal(name, mine_value, theirs_value):
            continue
        if start is not MISSING and equal(name, start, mine_value):
            merge.theirs.append(name)
        elif start is not MISSING and equal(name, start, theirs_value):
            merge.mine.append(name)
        else:
            merge.conflicts.append(name)
    return merge
