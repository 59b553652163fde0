from django.test import override_settings

from ppaos.lib.suppression import is_suppressed, suppress, suppress_mapping
from ppaos.lib.templatetags.suppression import small_count


def test_small_nonzero_counts_are_suppressed():
    assert suppress(0) == 0
    assert suppress(1) is None
    assert suppress(4) is None
    assert suppress(5) == 5
    assert suppress(None) is None
    assert suppress(2, threshold=2) == 2
    assert is_suppressed(3) and not is_suppressed(0)
    assert suppress_mapping({"a": 3, "b": 12}) == {"a": None, "b": 12}


@override_settings(SMALL_COUNT_THRESHOLD=10)
def test_threshold_comes_from_the_setting():
    assert suppress(9) is None
    assert suppress(10) == 10
    assert small_count(None) == "< 10"
    assert small_count(1234) == "1,234"
