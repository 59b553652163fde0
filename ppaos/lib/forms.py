"""Form fields shared by every app."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ppaos.lib.thaidate import DateInputError, format_be_numeric, parse_date
from ppaos.lib.versioning import three_way_merge


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


# Versioned forms: merge after a lost race, never revert ------------------------------------------


def _raw(value) -> str:
    """A field's prepared value as it goes into a hidden input."""
    if value is None:
        return ""
    return str(value)


def _display(field: forms.Field, value) -> str:
    """A cleaned value as the editor reads it (choice labels, B.E. dates, yes/no)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dt.date):
        return format_be_numeric(value)
    if isinstance(field, forms.ModelChoiceField):
        return str(field.label_from_instance(value)) if hasattr(value, "pk") else str(value)
    labels = {
        str(key): label
        for key, label in getattr(field, "choices", ())
        if not isinstance(label, list | tuple)
    }
    return str(labels.get(str(value), value))


class MergeFormMixin:
    """A form on a versioned row (with a hidden `version`) that merges after a lost race.

    It sends the values it started from in hidden `base_<field>` inputs (rendered by
    _form_fields.html). When the service raises StaleEditError the view calls
    `merge_stale(error)` (with `initial=` the stored row's values for a plain form): a field
    only the editor changed keeps the editor's value, a field only the other person changed
    takes the stored value, and a field both changed differently is offered side by side with a
    choice (`choose_<field>`: mine or theirs) that the next save applies. The version becomes
    the stored one, so saving again never undoes the other person's change."""

    merge_exclude: tuple[str, ...] = ("version",)

    def __new__(cls, *args, **kwargs):
        # Every keyword the form was built with (a subclass's own ones too, such as the choices
        # it offers), to build the same form over the stored row in `merge_stale`.
        form = super().__new__(cls)
        form.merge_kwargs = {
            k: v for k, v in kwargs.items() if k not in ("data", "files", "initial", "instance")
        }
        return form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.merge_conflicts: list[dict] = []
        self.merge_taken: list[str] = []
        self._merge_base: dict[str, str] | None = None

    def merge_names(self) -> list[str]:
        """The fields the editor edits: visible ones, but for the version."""
        return [
            name
            for name, field in self.fields.items()
            if name not in self.merge_exclude and not field.widget.is_hidden
        ]

    def _norm(self, name: str, raw):
        try:
            return self.fields[name].clean(raw)
        except ValidationError:
            return raw

    @property
    def merge_hidden(self) -> list[tuple[str, str]]:
        """(name, value) of the hidden inputs the form carries for a later merge."""
        if "version" not in self.fields:
            return []
        names = self.merge_names()
        if self._merge_base is not None:
            base = self._merge_base
        elif self.is_bound:
            posted = {n: self.add_prefix(f"base_{n}") for n in names}
            base = {n: self.data[key] for n, key in posted.items() if key in self.data}
        else:
            base = {n: _raw(self[n].value()) for n in names}
        hidden = [(self.add_prefix(f"base_{n}"), base[n]) for n in names if n in base]
        if self.merge_conflicts:
            pending = ",".join(c["name"] for c in self.merge_conflicts)
            hidden.append((self.add_prefix("merge_pending"), pending))
        return hidden

    def _conflict(self, name: str, theirs, mine, choice=None) -> dict:
        field = self.fields[name]
        return {
            "name": name,
            "label": field.label or name,
            "theirs": _display(field, theirs),
            "mine": _display(field, mine),
            "choice_name": self.add_prefix(f"choose_{name}"),
            "choice": choice,
        }

    def clean(self):
        """Apply the editor's choices for the fields both people changed."""
        cleaned = super().clean()
        pending = (self.data.get(self.add_prefix("merge_pending")) or "").split(",")
        names = [n for n in pending if n in self.merge_names() and n in cleaned]
        self.merge_conflicts = []
        for name in names:
            choice = self.data.get(self.add_prefix(f"choose_{name}"))
            theirs = self._norm(name, self.data.get(self.add_prefix(f"base_{name}")))
            mine = cleaned[name]
            if choice == "theirs":
                cleaned[name] = theirs
            choice = choice if choice in ("mine", "theirs") else None
            self.merge_conflicts.append(self._conflict(name, theirs, mine, choice))
        if any(c["choice"] is None for c in self.merge_conflicts):
            raise ValidationError(
                _("For each field you both changed, choose which value to keep."), code="choose"
            )
        return cleaned

    def merge_stale(self, error, *, initial: dict | None = None) -> None:
        """Merge the editor's input with the row someone else saved (`error.current`) and
        explain it; the form can then be shown again and saved with the stored version."""
        current = error.current
        kwargs = dict(self.merge_kwargs)
        if isinstance(self, forms.BaseModelForm):
            kwargs["instance"] = current
        stored = type(self)(initial={**(initial or {}), "version": current.version}, **kwargs)
        names = [n for n in self.merge_names() if n in self.cleaned_data]
        theirs_raw = {n: stored[n].value() for n in names}
        theirs = {n: self._norm(n, theirs_raw[n]) for n in names}
        base = {
            n: self._norm(n, self.data[self.add_prefix(f"base_{n}")])
            for n in names
            if self.add_prefix(f"base_{n}") in self.data
        }
        merge = three_way_merge(names, base=base, mine=self.cleaned_data, theirs=theirs)
        data = self.data.copy()
        for name in merge.theirs:
            data[self.add_prefix(name)] = theirs_raw[name]
        for name in names:
            data.pop(self.add_prefix(f"choose_{name}"), None)
        data[self.add_prefix("version")] = current.version
        self.data = data
        self._merge_base = {n: _raw(theirs_raw[n]) for n in names}
        self.merge_taken = [self.fields[n].label or n for n in merge.theirs]
        self.merge_conflicts = [
            self._conflict(n, theirs[n], self.cleaned_data[n]) for n in merge.conflicts
        ]
        if self.merge_conflicts:
            message = _(
                "Not saved: someone else saved this record after you opened it. Their changes "
                "are now in the form and yours are kept; for the fields you both changed, "
                "choose which value to keep, then save again."
            )
        else:
            message = _(
                "Not saved yet: someone else saved this record after you opened it. Their "
                "changes are now in the form and yours are kept; check them, then save again."
            )
        self.add_error(None, message)
