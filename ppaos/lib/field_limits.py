"""Field limits checked on every database, so SQLite refuses what PostgreSQL refuses.

PostgreSQL rejects a 300-character value for a `varchar(50)` column and a number too large
for its `numeric(10, 2)` column; SQLite stores both. `install()` (called once from an
AppConfig.ready) wraps `get_db_prep_save` of every CharField (and every field that opts in
with `checks_max_length = True`, such as the registry's encrypted text) and every
DecimalField of the PPAOS models. That is the one method Django calls on every write path:
`Model.save()`, `QuerySet.update()`, `bulk_create()` and `bulk_update()`. A value over the
limit raises a plain (non-field) Django `ValidationError` naming the field, which forms, the
API (`api.base.validation_error`) and commands already show as an error, not a 500.
"""

import decimal
import functools

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

_INSTALLED = "_ppaos_limits_checked"


def _label(field: models.Field) -> str:
    return f"{field.model._meta.verbose_name}: {field.verbose_name}"


def _too_long(field: models.Field, value) -> ValidationError | None:
    if isinstance(value, str) and field.max_length and len(value) > field.max_length:
        return ValidationError(
            _("%(field)s has at most %(max)d characters (this one has %(length)d)."),
            code="max_length",
            params={"field": _label(field), "max": field.max_length, "length": len(value)},
        )
    return None


def _too_large(field: models.DecimalField, value) -> ValidationError | None:
    if value is None or isinstance(value, models.expressions.Combinable):
        return None
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None
    if not number.is_finite():
        return None
    whole_digits = field.max_digits - field.decimal_places
    if abs(number) >= decimal.Decimal(10) ** whole_digits:
        return ValidationError(
            _("%(field)s is too large: at most %(digits)d digits before the decimal point."),
            code="max_digits",
            params={"field": _label(field), "digits": whole_digits},
        )
    return None


def check_value(field: models.Field, value) -> None:
    """Raise ValidationError when `value` does not fit `field`'s column on PostgreSQL."""
    if isinstance(field, models.DecimalField):
        error = _too_large(field, value)
    else:
        error = _too_long(field, value)
    if error is not None:
        raise error


def _checked(field: models.Field) -> bool:
    if isinstance(field, models.DecimalField):
        return field.max_digits is not None and field.decimal_places is not None
    return bool(field.max_length) and (
        isinstance(field, models.CharField) or getattr(field, "checks_max_length", False)
    )


def _wrap(field: models.Field) -> None:
    if getattr(field, _INSTALLED, False):
        return
    prepare = field.get_db_prep_save

    @functools.wraps(prepare)
    def get_db_prep_save(value, connection):
        check_value(field, value)
        return prepare(value, connection)

    field.get_db_prep_save = get_db_prep_save
    setattr(field, _INSTALLED, True)


def install(prefix: str = "ppaos.") -> int:
    """Check the limits of every field of every model in apps named `prefix`*; returns how
    many fields are checked. Idempotent."""
    count = 0
    for config in apps.get_app_configs():
        if not config.name.startswith(prefix):
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if _checked(field):
                    _wrap(field)
                    count += 1
    return count
