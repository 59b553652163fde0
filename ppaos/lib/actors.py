"""Who to store as having done something (issue 16).

A service's `actor` is a user, or a system actor (a management command, a periodic job, the
anonymous public) that has no user row to point to."""

from typing import Any


def acting_user(actor: Any) -> Any:
    """The user to store in a `*_by` column: `actor` when it is a signed-in user, else None."""
    return actor if getattr(actor, "is_authenticated", False) else None
