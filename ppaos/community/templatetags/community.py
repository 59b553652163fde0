"""Template filters of the community pages: `small_count` (from ppaos.lib.suppression) shows
a suppressed count (None) as "< 5"."""

from django import template

from ppaos.lib.templatetags.suppression import small_count

register = template.Library()
register.filter("small_count", small_count)
