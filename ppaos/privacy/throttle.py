"""Password guessing from one address across many usernames.

django-axes locks one (username, address) pair after PPAOS_LOGIN_FAILURE_LIMIT failures. This
counts every failed login from an address, whatever the username, by the web form and the
API token endpoint alike, and refuses that address for PPAOS_LOGIN_LOCKOUT_MINUTES once it
reaches PPAOS_LOGIN_ADDRESS_LIMIT. The count lives in the shared cache (settings.CACHES: the
database, or Redis), so every web worker sees the same one."""

from django.conf import settings
from django.core.cache import cache

_PREFIX = "ppaos:login-failures:"


def _key(request) -> str:
    return _PREFIX + (request.META.get("REMOTE_ADDR") or "unknown")


def login_address_blocked(request) -> bool:
    """Whether the request's address has used up its failed logins for now."""
    return (cache.get(_key(request)) or 0) >= settings.LOGIN_ADDRESS_LIMIT


def login_address_failure_record(request) -> int:
    """Count one failed login from the request's address; returns the count in the window
    (which starts at the first failure and lasts the lockout time)."""
    key = _key(request)
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
