"""Filter types shared by the endpoints (django-filter), each with a precise OpenAPI type."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

AREA_CODE = RegexValidator(r"^\d{1,6}$", _("Give a DOPA area code: 2, 4 or 6 digits."))
# Earlier instants are not real data and some overflow when moved to UTC.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


class IntegerField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    """A whole number (an id, an age), never a decimal."""

    field_class = IntegerField


class AreaCodeField(forms.CharField):
    default_validators = [AREA_CODE]


@extend_schema_field({"type": "string", "pattern": r"^\d{1,6}$"})
class AreaCodeFilter(filters.CharFilter):
    """Rows inside a DOPA area: province (2 digits), district (4) or subdistrict (6)."""

    field_class = AreaCodeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "startswith")
        kwargs.setdefault(
            "help_text", "DOPA code prefix: province (2 digits), district (4), subdistrict (6)."
        )
        super().__init__(*args, **kwargs)


class SinceField(forms.DateTimeField):
    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                inside = EARLIEST <= result <= LATEST
            except (OverflowError, TypeError):
                inside = False
            if not inside:
                raise ValidationError(_("Give a time between 1900 and 9000."), code="range")
            # In UTC: PostgreSQL refuses offsets beyond ±15:59 (e.g. "+20:55"), Python not.
            result = result.astimezone(dt.UTC)
        return result


@extend_schema_field(OpenApiTypes.DATETIME)
class SinceFilter(filters.DateTimeFilter):
    """Rows changed at or after this ISO 8601 time (e.g. `2026-01-31T00:00:00+07:00`)."""

    field_class = SinceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "gte")
        super().__init__(*args, **kwargs)
