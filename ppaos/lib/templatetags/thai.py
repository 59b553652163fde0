"""Template filters for Thai display: Buddhist-era dates and masked national IDs."""

import datetime as dt

from django import template
from django.utils import timezone

from ppaos.lib import thaidate
from ppaos.lib.i18n import is_thai

register = template.Library()


@register.filter
def bedate(value: dt.date | dt.datetime | None, style: str = "") -> str:
    """Show a date in BE with Thai month names when the page is in Thai; ISO otherwise."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if is_thai():
        return thaidate.format_be(value, short=style == "short")
    return value.strftime("%-d %b %Y")


@register.filter
def bedatetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value)
    return f"{bedate(local, 'short')} {local:%H:%M}"


@register.filter
def age(birth_date: dt.date | None) -> int | str:
    """Completed years of age today (Bangkok's date); "" without a birth date. The date is
    stored in the Common Era, so the Buddhist-era display does not change the arithmetic."""
    if not birth_date:
        return ""
    return thaidate.age_on(birth_date, timezone.localdate())
