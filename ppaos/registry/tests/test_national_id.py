import pytest

from ppaos.registry import national_id


@pytest.mark.parametrize(
    "text",
    ["3100600445635", "1234545678781", "1101700230708", "1-2345-45678-78-1", " 3 1006 00445 63 5 "],
)
def test_valid_ids(text):
    assert national_id.is_valid(text)


@pytest.mark.parametrize(
    "text",
    [
        "1234545678789",
        "3100600445636",
        "310060044563",
        "31006004456351",
        "",
        "310060044563x",
        "๓๑๐๐๖๐๐๔๔๕๖๓๖",  # Thai digits, a wrong check digit
    ],
)
def test_invalid_ids(text):
    assert not national_id.is_valid(text)


def test_thai_digits_are_read_as_digits():
    """Issue 15: an ID typed on a Thai keyboard (๐–๙) is the same ID (ppaos.lib.thaidigits)."""
    assert national_id.is_valid("๓๑๐๐๖๐๐๔๔๕๖๓๕")
    assert national_id.normalize("๓-๑๐๐๖-๐๐๔๔๕-๖๓-๕") == "3100600445635"


def test_normalize_drops_spaces_and_dashes():
    assert national_id.normalize("1-2345 45678-78-1") == "1234545678781"


def test_check_digit_matches_the_published_vectors():
    assert national_id.check_digit("310060044563") == 5
    assert national_id.check_digit("123454567878") == 1


def test_zero_prefixed_ids_are_valid_when_the_checksum_holds():
    zero = national_id.make("012345678901")
    assert national_id.is_valid(zero)
    assert national_id.is_without_status(zero)
    assert not national_id.is_valid(zero[:12] + str((int(zero[12]) + 1) % 10))


def test_check_digit_rejects_wrong_length():
    with pytest.raises(ValueError):
        national_id.check_digit("12345")


def test_problem_explains_each_fault():
    assert "13 digits" in national_id.problem("12345")
    assert "check digit" in national_id.problem("1234545678789")
    assert "digits only" in national_id.problem("12345abc")
    assert national_id.problem("1234545678781") is None


def test_masked_shows_only_last_digits():
    assert national_id.masked("1234545678781") == "x-xxxx-xxxxx-78-1"
    assert national_id.formatted("1234545678781") == "1-2345-45678-78-1"
