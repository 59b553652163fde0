"""`{{ count|small_count }}`: a count, or "< 5" when ppaos.lib.suppression hid it (None)."""

from django import template

from ppaos.lib.suppression import suppressed_label

register = template.Library()


@register.filter
def small_count(value: int | None) -> str:
    """Show a possibly suppressed count: None (suppressed) becomes "< threshold"."""
    if value is None:
        return suppressed_label()
    return f"{value:,}"
