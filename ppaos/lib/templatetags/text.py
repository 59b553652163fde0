"""Text helpers for templates."""

import re

from django import template
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

BACKTICKS = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(text) -> SafeString:
    """Help text with `backticked` parts (rule JSON, column names, commands) shown as code:
    literal text the reader types, not words to translate. The rest is escaped, unless it
    was marked safe already (Django's password rules are a list in HTML)."""
    if isinstance(text, Promise):
        text = str(text)  # a lazy text: Django's password rules give a SafeString here
    html = text if isinstance(text, SafeData) else escape(text)
    # Escaped above (or safe already): only <code> tags are added.
    return mark_safe(BACKTICKS.sub(r"<code>\1</code>", str(html)))  # noqa: S308  # nosec B308 B703
