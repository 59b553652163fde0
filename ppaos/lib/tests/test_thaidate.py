import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from ppaos.lib import thaidate


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15/3/2510", dt.date(1967, 3, 15)),  # BE
        ("15/3/1967", dt.date(1967, 3, 15)),  # CE
        ("1967-03-15", dt.date(1967, 3, 15)),
        ("2510-03-15", dt.date(1967, 3, 15)),
        ("29/2/2567", dt.date(2024, 2, 29)),
        ("01.12.2566", dt.date(2023, 12, 1)),
    ],
)
def test_parse_accepts_be_and_ce(text, expected):
    assert thaidate.parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31/2/2567", "29/2/2566", "15/13/2510", "yesterday", "", "1/1/67"]
)
def test_parse_rejects_impossible_or_unreadable_dates(text):
    with pytest.raises(thaidate.DateInputError):
        thaidate.parse_date(text)


def test_format_be():
    assert thaidate.format_be(dt.date(2023, 3, 26)) == "26 มีนาคม 2566"
    assert thaidate.format_be(dt.date(2023, 3, 26), short=True) == "26 มี.ค. 2566"
    assert thaidate.format_be_numeric(dt.date(2023, 3, 6)) == "06/03/2566"


def test_age_on_counts_completed_years():
    assert thaidate.age_on(dt.date(2000, 6, 15), dt.date(2060, 6, 14)) == 59
    assert thaidate.age_on(dt.date(2000, 6, 15), dt.date(2060, 6, 15)) == 60


def test_template_filter_shows_be_in_thai_and_ce_in_english():
    template = Template("{{ d|bedate }}")
    context = Context({"d": dt.date(2023, 3, 26)})
    with translation.override("th"):
        assert template.render(context) == "26 มีนาคม 2566"
    with translation.override("en"):
        assert template.render(context) == "26 Mar 2023"
