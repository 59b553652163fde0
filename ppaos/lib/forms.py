"""Form fields shared by every app."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ppaos.lib.thaidate import DateInputError, format_be_numeric, parse_date


class ThaiDateInput(forms.TextInput):
    """A text box showing the date as day/month/BE-year, the way volunteers write it."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": _("dd/mm/yyyy (B.E. or C.E.)"), "inputmode": "numeric"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_be_numeric(value)
        return value


class ThaiDateField(forms.Field):
    """Accepts 15/3/2510 (BE), 15/3/1967 (CE) or 1967-03-15; cleans to a CE `date`."""

    widget = ThaiDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except DateInputError:
            raise forms.ValidationError(
                _("Enter a real date as day/month/year, e.g. 15/3/2510 or 15/3/1967."),
                code="invalid",
            ) from None


class BlankChoiceLabelMixin:
    """Shows "— choose —" (translated) instead of Django's untranslated blank choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                # Its choices follow the queryset (often set after this runs): keep them live.
                if field.empty_label is not None:
                    field.empty_label = _("— choose —")
                continue
            choices = getattr(field, "choices", None)
            if choices and list(choices)[0][0] == "":
                field.choices = [("", _("— choose —")), *list(choices)[1:]]


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each field's errors beside that field,
    errors naming no field of the form (or no field at all) at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def stale_edit_conflicts(form: forms.BaseForm, error, fields) -> list[tuple[str, object, object]]:
    """Explain a lost race (a service's StaleEditError): which fields the other person changed,
    as (label, theirs, mine). The form keeps the user's input and now carries the current
    version, so saving again is a deliberate choice."""
    current = error.current
    conflicts = []
    for name in fields:
        if name in form.cleaned_data and name in form.fields and name != "version":
            mine, theirs = form.cleaned_data[name], getattr(current, name, None)
            if mine != theirs:
                conflicts.append((form.fields[name].label, theirs, mine))
    data = form.data.copy()
    data["version"] = current.version
    form.data = data
    form.add_error(
        None,
        _(
            "Not saved: someone else saved this record after you opened it. Their values are "
            "shown below; check them, then save again to keep yours."
        ),
    )
    return conflicts
