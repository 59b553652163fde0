"""`{{ count|small_count }}`: a count, "< 5" when ppaos.lib.suppression hid it (None), or "*"
when ppaos.lib.disclosure withheld it to protect a small count next to it."""

from django import template

from ppaos.lib.suppression import WITHHELD, suppressed_label, withheld_label

register = template.Library()


@register.filter
def small_count(value) -> str:
    """Show a possibly suppressed count: None (suppressed) becomes "< threshold"."""
    if value is None:
        return suppressed_label()
    if value is WITHHELD:
        return withheld_label()
    return f"{value:,}"


@register.filter
def is_hidden(value) -> bool:
    """True for a suppressed or withheld figure."""
    return value is None or value is WITHHELD
