"""Capability checks for views. A missing capability is answered with 404, like a missing row,
so the existence of pages and records outside a user's role does not leak."""

from django.http import Http404

from ppaos.accounts.scope import scope_for


def require_capability(user, capability: str) -> None:
    if not scope_for(user).can(capability):
        raise Http404("Not available for this role")
