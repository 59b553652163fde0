"""Typed readers for environment settings. Each fails loudly on a malformed value.

Every reader follows the `_FILE` convention for secrets kept in files (systemd credentials,
container secrets): when `NAME_FILE` is set, the value is that file's content, and it wins
over `NAME`."""

import os

from django.core.exceptions import ImproperlyConfigured


def _raw(name: str) -> str | None:
    path = os.getenv(f"{name}_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE={path!r}: {e.strerror}") from None
    return os.getenv(name)


def env_str(name: str, default: str) -> str:
    """Return the variable (or its `NAME_FILE`), or `default` when unset."""
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]
