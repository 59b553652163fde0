"""The project's form renderer writes selects and inputs in Python: its HTML must be exactly
what Django's own widget templates render, for every kind of value and attribute."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from ppaos.lib.form_renderer import FormRenderer
from ppaos.lib.forms import ThaiDateInput

lazy_label = lazy(lambda: "ป้ายแปลได้", str)()

CHOICES = [
    ("", "---------"),
    ("a", "ก <b>escaped</b>"),
    ("Group <g>", [("g1", "หนึ่ง"), ("g2", 'two "quoted"')]),
    (3, "three"),
    (1000, 1234.5),
    ("lazy", lazy_label),
    ("safe", mark_safe("<i>kept</i>")),
]


class Disabling(forms.Select):
    """An option with attributes of its own, as custom widgets add them."""

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        if value == "g2":
            option["attrs"].update(disabled=True, hidden=False, data_x=None, title='a"b')
        return option


class OwnOptionTemplate(forms.Select):
    option_template_name = "django/forms/widgets/input.html"


ATTRS = {"class": "wide <x>", "required": True, "readonly": False, "data-n": 0}

WIDGETS = [
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES, attrs=ATTRS), "g1"),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=CHOICES), ["a", "g2", "3"]),
    (forms.NullBooleanSelect(), True),
    (Disabling(choices=CHOICES), "g2"),
    (OwnOptionTemplate(choices=CHOICES), "a"),
    (forms.TextInput(attrs=ATTRS), 'text with "quotes" & <tags>'),
    (forms.TextInput(), ""),
    (forms.TextInput(), None),
    (forms.TextInput(), mark_safe("<b>safe</b>")),
    (forms.NumberInput(attrs={"min": 0, "step": Decimal("0.01")}), Decimal("12.50")),
    (forms.NumberInput(), 0),
    (forms.HiddenInput(), 42),
    (forms.EmailInput(), "a@example.org"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.DateInput(), dt.date(2026, 12, 7)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.URLInput(), "https://example.org/?a=1&b=2"),
    (forms.Textarea(), "not written here"),
    (forms.RadioSelect(choices=CHOICES), "a"),
    (ThaiDateInput(), dt.date(1967, 3, 15)),
]


def test_the_project_uses_this_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_widgets_render_as_django_renders_them(widget, value):
    ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
    django_own = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert ours == django_own
    assert ours.startswith(("<select", "<input", "<textarea", "<div"))


def test_a_whole_form_renders_as_django_renders_it():
    class Survey(forms.Form):
        name = forms.CharField(max_length=20, help_text="help")
        count = forms.IntegerField(min_value=0)
        answer = forms.NullBooleanField()
        kind = forms.ChoiceField(choices=CHOICES)
        kinds = forms.MultipleChoiceField(choices=CHOICES)
        agreed = forms.BooleanField()

    data = {"name": "<x>", "count": "-1", "answer": "unknown", "kind": "zzz", "kinds": ["a"]}
    ours = Survey(data, renderer=FormRenderer()).as_div()
    django_own = Survey(data, renderer=DjangoTemplates()).as_div()
    assert ours == django_own
    assert "errorlist" in ours
