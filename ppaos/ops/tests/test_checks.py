import pytest
from django.core.exceptions import ImproperlyConfigured

from ppaos.ops.checks import (
    DEFAULT_SECRET_KEY,
    check_pseudonym_key,
    check_schedules,
    check_secret_key,
    refuse_unsafe_settings,
)

GOOD_KEY = "k3Y-9fQz" * 8


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "short-but-random-9f8e7d", "a" * 64])
def test_production_refuses_a_default_short_or_trivial_secret_key(settings, key):
    settings.DEBUG, settings.SECRET_KEY = False, key
    assert [e.id for e in check_secret_key()] == ["ppaos.E004"]


def test_a_long_secret_key_passes_and_debug_is_not_checked(settings):
    settings.DEBUG, settings.SECRET_KEY = False, GOOD_KEY
    assert check_secret_key() == []
    settings.DEBUG, settings.SECRET_KEY = True, DEFAULT_SECRET_KEY
    assert check_secret_key() == []


def test_startup_names_every_unsafe_setting(settings):
    settings.DEBUG, settings.SECRET_KEY = False, DEFAULT_SECRET_KEY
    settings.ID_KEYS, settings.ID_HASH_KEY = [], ""
    with pytest.raises(ImproperlyConfigured) as refused:
        refuse_unsafe_settings()
    for check in ("ppaos.E004", "ppaos.E001", "ppaos.E007"):
        assert check in str(refused.value)


def test_startup_passes_with_keys_of_its_own(settings):
    settings.DEBUG, settings.SECRET_KEY = False, GOOD_KEY
    settings.ID_KEYS = ["xeR6giD8pCyMdgJ-pMso6JN0CJaU_05BYS8GVP6Lzgw="]
    settings.ID_HASH_KEY = "h" * 8 + "-hash-key-of-forty-characters-ok"
    settings.PSEUDONYM_KEY = "p" * 8 + "-a-pseudonym-key-of-its-own-0123"
    refuse_unsafe_settings()


@pytest.mark.parametrize("key", ["", "short-pseudonym-key", "SAME"])
def test_production_needs_a_pseudonym_key_of_its_own(settings, key):
    settings.DEBUG, settings.SECRET_KEY = False, GOOD_KEY
    settings.PSEUDONYM_KEY = GOOD_KEY if key == "SAME" else key
    assert [e.id for e in check_pseudonym_key()] == ["ppaos.E007"]
    settings.PSEUDONYM_KEY = "p" * 8 + "-a-pseudonym-key-of-its-own-0123"
    assert check_pseudonym_key() == []


def test_schedules_must_parse_and_name_real_jobs(settings):
    settings.PERIODIC_JOBS = {"backup": "nightly", "bakup": "daily 02:30"}
    assert sorted(e.id for e in check_schedules()) == ["ppaos.E005", "ppaos.E006"]
