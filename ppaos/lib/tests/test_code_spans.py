from django.utils.functional import lazy
from django.utils.html import format_html

from ppaos.lib.templatetags.text import code_spans


def test_backticked_parts_become_code_and_the_rest_is_escaped():
    html = code_spans('E.g. `{"var": "age"}` <b>not bold</b>')
    assert (
        html == "E.g. <code>{&quot;var&quot;: &quot;age&quot;}</code> &lt;b&gt;not bold&lt;/b&gt;"
    )


def test_text_marked_safe_keeps_its_html_even_when_lazy():
    rules = lazy(lambda: format_html("<ul><li>{}</li></ul>", "at least 8"), str)()
    assert code_spans(rules) == "<ul><li>at least 8</li></ul>"
