"""Registration windows: when one can apply, seen from a day."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ppaos.referrals.windows import Registration, opening, validate

D = dt.date
ROUND_2022 = [{"from": "2022-09-05", "until": "2022-10-31"}]
OLD_AGE = [{"yearly": ["10-01", "11-30"]}, {"yearly": ["01-01", "09-30"]}]


def test_any_time_without_windows():
    assert opening(by_rounds=False, windows=[], on=D(2026, 1, 1)).status == Registration.ANY_TIME


@pytest.mark.parametrize(
    ("on", "status", "apply_from"),
    [
        (D(2022, 9, 4), Registration.UPCOMING, D(2022, 9, 5)),
        (D(2022, 9, 5), Registration.OPEN, D(2022, 9, 5)),
        (D(2022, 10, 31), Registration.OPEN, D(2022, 10, 31)),
        (D(2022, 11, 1), Registration.NONE_ANNOUNCED, None),
    ],
)
def test_dated_round_boundaries(on, status, apply_from):
    result = opening(by_rounds=True, windows=ROUND_2022, on=on)
    assert (result.status, result.apply_from) == (status, apply_from)


def test_rounds_without_any_window_say_none_is_announced():
    result = opening(by_rounds=True, windows=[], on=D(2026, 1, 1))
    assert result.status == Registration.NONE_ANNOUNCED and result.apply_from is None
    assert "none is announced" in result.text


@pytest.mark.parametrize(
    ("on", "status", "apply_from"),
    [
        (D(2026, 11, 30), Registration.OPEN, D(2026, 11, 30)),
        (D(2026, 12, 1), Registration.UPCOMING, D(2027, 1, 1)),
        (D(2026, 12, 31), Registration.UPCOMING, D(2027, 1, 1)),
        (D(2027, 1, 1), Registration.OPEN, D(2027, 1, 1)),
        (D(2027, 9, 30), Registration.OPEN, D(2027, 9, 30)),
        (D(2027, 10, 1), Registration.OPEN, D(2027, 10, 1)),
    ],
)
def test_yearly_old_age_window_closes_in_december(on, status, apply_from):
    result = opening(by_rounds=True, windows=OLD_AGE, on=on)
    assert (result.status, result.apply_from) == (status, apply_from)


def test_yearly_window_over_new_year():
    window = [{"yearly": ["12-01", "01-31"]}]
    assert opening(by_rounds=True, windows=window, on=D(2027, 1, 31)).status == "open"
    later = opening(by_rounds=True, windows=window, on=D(2027, 2, 1))
    assert later.apply_from == D(2027, 12, 1)


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ({"from": "2022-01-01"}, "list"),
        ([{"from": "2022-01-01"}], "needs 'from' and 'until'"),
        ([{"from": "2022-02-01", "until": "2022-01-01"}], "ends before it starts"),
        ([{"from": "2022-13-01", "until": "2023-01-01"}], "not a date"),
        ([{"yearly": ["10-01"]}], "'yearly' takes"),
        ([{"yearly": ["10-32", "11-30"]}], "not a month-day"),
    ],
)
def test_malformed_windows_are_named(windows, message):
    with pytest.raises(ValidationError, match=message):
        validate(windows)


@pytest.mark.django_db
def test_coordinator_sets_windows_and_the_service_page_shows_them(coordinator, login, old_age):
    client = login(coordinator)
    form = {"name_th": old_age.name_th, "sla_days": 30, "registration_by_rounds": "on"}
    bad = client.post(
        "/referrals/services/old_age_allowance/edit/",
        form | {"registration_windows": '[{"yearly": ["10-01"]}]'},
    )
    assert bad.status_code == 200 and "&#x27;yearly&#x27; takes" in bad.text
    good = client.post(
        "/referrals/services/old_age_allowance/edit/",
        form | {"registration_windows": '[{"yearly": ["10-01", "11-30"]}]'},
    )
    assert good.status_code == 302
    old_age.refresh_from_db()
    assert old_age.registration_by_rounds
    assert old_age.registration_windows == [{"yearly": ["10-01", "11-30"]}]
    page = client.get("/referrals/services/old_age_allowance/").text
    assert "1/10 – 30/11 every year" in page
