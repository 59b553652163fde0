"""The project's select.html (options written in place, not included one by one) renders
exactly what Django's own widget templates render."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

CHOICES = [
    ("", "---------"),
    ("a", "ก <b>escaped</b>"),
    ("Group", [("g1", "หนึ่ง"), ("g2", 'two "quoted"')]),
    (3, "three"),
]


class Disabling(forms.Select):
    """An option with attributes of its own (disabled), as custom widgets add them."""

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        if value == "g2":
            option["attrs"]["disabled"] = True
        return option


class OwnOptionTemplate(forms.Select):
    option_template_name = "django/forms/widgets/input.html"


WIDGETS = [
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES, attrs={"class": "wide", "required": True}), "g1"),
    (forms.Select(choices=CHOICES), None),
    (forms.SelectMultiple(choices=CHOICES), ["a", "g2", "3"]),
    (forms.NullBooleanSelect(), True),
    (Disabling(choices=CHOICES), "g2"),
    (OwnOptionTemplate(choices=CHOICES), "a"),
]


def test_the_project_renderer_uses_the_project_select_template():
    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert "ppaos/templates" in str(template.origin.name)


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_select_renders_as_django_renders_it(widget, value):
    ours = widget.render("field", value, attrs={"id": "id_field"})
    django_own = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert ours == django_own
    assert "<option" in ours or "<input" in ours
