"""Startup safety: with DEBUG off, PPAOS refuses to run on settings that would expose the data
it holds. These are Django system checks (so `ppaos check`, `migrate`, the worker and the
scheduler refuse too), and the WSGI entry point runs them before it serves anything."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# The value settings.py falls back to; anyone can read it in the source.
DEFAULT_SECRET_KEY = "insecure-demo-key-change-me-in-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 50


@checks.register(checks.Tags.security)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """DEBUG off needs a SECRET_KEY of its own: it signs sessions and keys the pseudonyms."""
    key = settings.SECRET_KEY
    if settings.DEBUG:
        return []
    if key == DEFAULT_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return [
            checks.Error(
                "PPAOS_SECRET_KEY is the default or shorter than "
                f"{MIN_SECRET_KEY_LENGTH} characters while PPAOS_DEBUG is false.",
                hint="Generate one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(64))'` and keep it in a file named by "
                "PPAOS_SECRET_KEY_FILE (README: Running it for a district office).",
                id="ppaos.E004",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def check_pseudonym_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """DEBUG off needs a pseudonym key of its own, apart from the secret key."""
    key = settings.PSEUDONYM_KEY
    if settings.DEBUG or (len(key) >= 32 and key != settings.SECRET_KEY):
        return []
    return [
        checks.Error(
            "PPAOS_PSEUDONYM_KEY is missing, shorter than 32 characters or the secret key "
            "itself while PPAOS_DEBUG is false.",
            hint="scripts/make-secrets writes one (pseudonym_key); point "
            "PPAOS_PSEUDONYM_KEY_FILE at it.",
            id="ppaos.E007",
        )
    ]


@checks.register()
def check_schedules(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every periodic job's schedule parses, and names a job that exists."""
    from ppaos.ops import schedule
    from ppaos.ops.jobs import unknown_jobs

    errors = []
    for name, spec in settings.PERIODIC_JOBS.items():
        try:
            schedule.parse(spec)
        except ImproperlyConfigured as e:
            errors.append(checks.Error(f"{name}: {e}", id="ppaos.E005"))
    for name in sorted(unknown_jobs(settings.PERIODIC_JOBS)):
        errors.append(checks.Error(f"PERIODIC_JOBS names no such job: {name}", id="ppaos.E006"))
    return errors


def refuse_unsafe_settings() -> None:
    """Raise ImproperlyConfigured listing every failed security check of level ERROR or above
    (only those: the others may need the database, which a preloading server must not open)."""
    found = checks.run_checks(tags=[checks.Tags.security])
    errors = [m for m in found if m.level >= checks.ERROR and not m.is_silenced()]
    if errors:
        lines = "\n".join(f"- {m.id}: {m.msg}" + (f" ({m.hint})" if m.hint else "") for m in errors)
        raise ImproperlyConfigured(f"PPAOS refuses to start:\n{lines}")
