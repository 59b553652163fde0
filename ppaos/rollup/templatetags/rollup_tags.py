"""Template filters of the national pages: a package's figures (a count, "< 5" or "*") and
its periods in the Buddhist era."""

import datetime as dt

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from ppaos.lib import thaidate
from ppaos.lib.i18n import is_thai

register = template.Library()


@register.filter
def figure(value) -> str:
    """A published figure: a count with separators, or its label ("< 5", "*") as sent."""
    if isinstance(value, bool) or value is None:
        return "–"
    if isinstance(value, int):
        return intcomma(value)
    return str(value)


@register.filter
def percent(value) -> str:
    """A rate from a package (0..1) in percent, one decimal."""
    if value is None:
        return "–"
    return f"{100 * float(value):.1f}%"


@register.filter
def period_be(value: dt.date | None) -> str:
    """A period's month: "ธ.ค. 2569" in Thai, "Dec 2026" otherwise."""
    if not value:
        return ""
    if is_thai():
        return f"{thaidate.THAI_MONTHS_SHORT[value.month - 1]} {value.year + thaidate.BE_OFFSET}"
    return value.strftime("%b %Y")


@register.filter
def get(mapping, key):
    """`mapping[key]` in a template (None when missing)."""
    return mapping.get(key) if isinstance(mapping, dict) else None
