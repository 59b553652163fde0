"""Which registry fields a community may propose corrections to, and how their values are
shown and stored. National IDs and health or disability data are left out: they are corrected
by a volunteer or officer with the documents in hand, not proposed from a list."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.formats import number_format

from ppaos.lib.forms import ThaiDateField
from ppaos.lib.thaidate import format_be_numeric
from ppaos.registry.models import Household, Person

HOUSEHOLD_FIELDS = (
    "house_no",
    "moo",
    "village",
    "soi",
    "road",
    "postal_code",
    "house_registration_no",
    "tenure",
)
PERSON_FIELDS = (
    "prefix",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "education",
    "occupation",
    "monthly_income",
    "phone",
)


def fields_for(target: Household | Person) -> tuple[str, ...]:
    return PERSON_FIELDS if isinstance(target, Person) else HOUSEHOLD_FIELDS


def model_field(target: Household | Person | type, name: str) -> models.Field:
    model = target if isinstance(target, type) else type(target)
    return model._meta.get_field(name)


def label(target: Household | Person | type, name: str) -> str:
    return str(model_field(target, name).verbose_name)


def form_field(target: Household | Person, name: str) -> forms.Field:
    """The form field to type a proposed value in (a Buddhist-era date box for dates)."""
    field = model_field(target, name)
    if isinstance(field, models.DateField):
        return ThaiDateField(label=field.verbose_name, required=False)
    made = field.formfield()
    made.required = not field.blank
    return made


def to_json(value: Any) -> Any:
    """A value as stored on the correction (JSON): dates ISO, decimals as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def from_json(target: Household | Person, name: str, value: Any) -> Any:
    """The stored value back as the model field's Python value."""
    if value in (None, ""):
        field = model_field(target, name)
        return None if field.null else ""
    return model_field(target, name).to_python(value)


def display(target: Household | Person | type, name: str, value: Any) -> str:
    """A value as people read it: choice labels, Buddhist-era dates, grouped numbers."""
    if value in (None, ""):
        return "—"
    field = model_field(target, name)
    choices = dict(field.flatchoices)
    if value in choices:
        return str(choices[value])
    if isinstance(value, dt.date):
        return format_be_numeric(value)
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, force_grouping=True)
    return str(value)
