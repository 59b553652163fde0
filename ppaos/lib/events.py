"""Facts one app announces and apps above it act on, without the lower app importing them.

The dependency order (README, "Architecture") lets an app import only those below it, yet a
saved survey (assessment) or a review decision (targeting) must refresh the dashboards, which
sit above both. So the lower app announces what happened, and the upper app listens from its
`AppConfig.ready()`:

    events.listen(events.COMMUNITY_FIGURES_CHANGED, refresh_schedule_community)

Listeners run after the surrounding transaction commits (at once outside one), so they never
act on a change that is later rolled back. A business rule stays in the listener's services:
this module only carries the fact.
"""

from collections import defaultdict
from collections.abc import Callable
from functools import partial

from django.db import transaction

# A community's households were visited, assessed, reviewed or referred: its figures are out
# of date.
# Facts: community_id.
COMMUNITY_FIGURES_CHANGED = "community_figures_changed"

_listeners: dict[str, list[Callable[..., None]]] = defaultdict(list)


def listen(event: str, func: Callable[..., None]) -> None:
    """Call `func(**facts)` whenever `event` is announced (once per function)."""
    if func not in _listeners[event]:
        _listeners[event].append(func)


def announce(event: str, **facts) -> None:
    """Tell every listener of `event`, once the current transaction has committed."""
    for func in list(_listeners[event]):
        transaction.on_commit(partial(func, **facts))
