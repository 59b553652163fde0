import pytest
from django.utils import translation

from ppaos.lib.safejson import JSONLimitError, loads, nesting_depth


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_parses_ordinary_json():
    assert loads('{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert nesting_depth('{"a": "[[[[[[", "b": ["\\"[["]}') == 2


def test_deep_nesting_is_refused_with_a_message_not_a_recursion_error():
    with pytest.raises(JSONLimitError, match="nested"):
        loads("[" * 100_000 + "]" * 100_000)


def test_depth_at_the_limit_is_accepted_and_one_more_refused():
    assert loads("[" * 5 + "]" * 5, max_depth=5) == [[[[[]]]]]
    with pytest.raises(JSONLimitError):
        loads("[" * 6 + "]" * 6, max_depth=5)


def test_a_huge_number_is_refused():
    with pytest.raises(JSONLimitError, match="number"):
        loads("[" + "9" * 5000 + "]")
    with pytest.raises(JSONLimitError, match="number"):
        loads('{"x": 1.' + "5" * 100 + "}")


def test_size_limit_applies_to_text_and_bytes():
    with pytest.raises(JSONLimitError, match="large"):
        loads(b'"' + b"x" * 2_000_000 + b'"', max_bytes=1024 * 1024)
    with pytest.raises(JSONLimitError, match="large"):
        loads('"' + "ก" * 400_000 + '"', max_bytes=1024 * 1024)


def test_invalid_json_and_bad_encoding_give_a_limit_error():
    with pytest.raises(JSONLimitError, match="not valid JSON"):
        loads("{nope")
    with pytest.raises(JSONLimitError, match="UTF-8"):
        loads(b"\xff\xfe\x00")
