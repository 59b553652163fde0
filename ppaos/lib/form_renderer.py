"""The form renderer (settings.FORM_RENDERER): Django's, with its most used widget templates
written in Python.

A survey visit form has some 30 selects and 20 inputs. Django renders each through a template,
its attributes through an included template, and every option of a select through another
included template: two thirds of that page's time (cProfile), and the volunteers' forms are
most of what the web workers do in the save benchmark (bench/load.py). `select.html` and the
input templates (which all include `input.html`) are written here instead, producing exactly
Django's HTML (ppaos/lib/tests/test_form_renderer.py compares the two); every other template,
and a select whose options use their own template, still goes through Django's templates.
"""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
SELECT = WIDGETS + "select.html"
OPTION = WIDGETS + "select_option.html"
# Each of these is `{% include "django/forms/widgets/input.html" %}` in Django.
INPUTS = frozenset(
    WIDGETS + f"{kind}.html"
    for kind in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
_AUTOESCAPE = Context(autoescape=True)


def _out(value) -> str:
    """`{{ value }}`: localised, then escaped unless marked safe."""
    return render_value_in_context(value, _AUTOESCAPE)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` (the filter keeps a safe value safe)."""
    return _out(value if isinstance(value, SafeData) else str(value))


def attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_formatted(value)}"')
    return "".join(parts)


def select_html(widget: dict) -> str:
    """django/forms/widgets/select.html with select_option.html for each option."""
    parts = [f'<select name="{_out(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"'
                f"{attrs_html(option['attrs'])}>{_out(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{shown}'
        f"{attrs_html(widget['attrs'])}>"
    )


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the select and input widgets written in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            if template_name in INPUTS:
                return input_html(widget)
            if template_name == SELECT and _standard_options(widget):
                return select_html(widget)
        return super().render(template_name, context, request=request)


def _standard_options(widget: dict) -> bool:
    return all(
        option["template_name"] == OPTION
        for _name, options, _index in widget["optgroups"]
        for option in options
    )
