"""Extension points other apps use without the privacy app importing them.

An app registers its functions in its `AppConfig.ready()`:

    from ppaos.privacy import hooks

    @hooks.erasure_blocker
    def open_referrals(person):
        if Referral.objects.filter(person=person, status__in=OPEN).exists():
            yield _("An active referral exists.")

- `erasure_blocker(person) -> iterable of reasons`: any reason refuses the erasure (a legal
  hold, an active referral, a benefit under appeal ...). Blockers run for a request and for the
  retention job alike.
- `eraser(person, actor)`: called inside the erasure transaction, after the person's own row
  was anonymised: blank this app's copies of the person's identifying data.
- `export_section(person) -> (title, data) or None`: adds a section to the person's access
  export (JSON and PDF); `data` is a list of flat dicts (one table) or a dict (one record).
"""

from collections.abc import Callable, Iterable
from typing import Any

Blocker = Callable[[Any], Iterable[str]]
Eraser = Callable[[Any, Any], None]
ExportSection = Callable[[Any], tuple[str, Any] | None]

_blockers: list[Blocker] = []
_erasers: list[Eraser] = []
_export_sections: list[ExportSection] = []


def _register(registry: list, func):
    if func not in registry:
        registry.append(func)
    return func


def erasure_blocker(func: Blocker) -> Blocker:
    return _register(_blockers, func)


def eraser(func: Eraser) -> Eraser:
    return _register(_erasers, func)


def export_section(func: ExportSection) -> ExportSection:
    return _register(_export_sections, func)


def unregister(func) -> None:
    """Remove a registered function (tests)."""
    for registry in (_blockers, _erasers, _export_sections):
        if func in registry:
            registry.remove(func)


def erasure_blocked_by(person) -> list[str]:
    """Every reason, from every app, why this person's data must be kept for now."""
    reasons: list[str] = []
    for blocker in list(_blockers):
        reasons.extend(str(reason) for reason in blocker(person) or ())
    return reasons


def run_erasers(person, actor) -> None:
    for func in list(_erasers):
        func(person, actor)


def export_sections(person) -> list[tuple[str, Any]]:
    sections = []
    for func in list(_export_sections):
        section = func(person)
        if section:
            sections.append(section)
    return sections
