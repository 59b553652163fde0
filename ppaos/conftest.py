"""Shared fixtures: Thai geography in the test database, and one persona per role.

Personas (healthchecks-style): communities A and B lie in khet 1008, community C in 1009.
"""

import datetime as dt

import pytest

from ppaos.accounts.models import Organisation, Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import Community, District, Province
from ppaos.areas.services import geography_load
from ppaos.registry import national_id
from ppaos.registry.services import household_create, person_add_to_household

PASSWORD = "correct-horse-battery-9"  # noqa: S105


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        geography_load()


@pytest.fixture(autouse=True)
def immediate_tasks_and_private_media(settings, tmp_path):
    """Tasks run inline in tests; uploads land in a per-test folder."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Fixtures create many users; Argon2, the real hasher, would dominate the run. Its use is
    tested in tests_security/test_accounts.py, which puts the project's hashers back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def geography(db):
    """Geography survives rollbacks, but a transactional test empties the tables: reload."""
    if not Province.objects.exists():
        geography_load()


def _community(code: str, subdistrict: str, name: str) -> Community:
    return Community.objects.create(code=code, name_th=name, subdistrict_id=subdistrict)


@pytest.fixture
def communities(geography):
    return {
        "A": _community("100801-01", "100801", "ชุมชนทดสอบเอ"),
        "B": _community("100803-01", "100803", "ชุมชนทดสอบบี"),
        "C": _community("100905-01", "100905", "ชุมชนทดสอบซี"),
    }


def make_person(n: int, **extra) -> dict:
    data = {
        "national_id": national_id.make(f"1100700{n:05d}"),
        "prefix": "nai",
        "first_name": f"สมชาย{n}",
        "last_name": "ใจดี",
        "sex": "M",
        "birth_date": dt.date(1980, 1, 1),
    }
    return data | extra


@pytest.fixture
def households(communities, coordinator):
    """One household with a head in each community."""
    result = {}
    for n, (key, community) in enumerate(communities.items(), start=1):
        household = household_create(
            actor=coordinator, community=community, data={"house_no": f"{n}/1"}
        )
        person_add_to_household(
            actor=coordinator,
            household=household,
            data=make_person(n),
            relation="head",
            start_date=dt.date(2020, 1, 1),
        )
        result[key] = household
    return result


def _user(username: str, role: str, **scope):
    user = user_create(username=username, password=PASSWORD, first_name=username)
    role_assign(user=user, role=role, **scope)
    return user


@pytest.fixture
def coordinator(geography):
    return _user("coord", Role.COORDINATOR, province=Province.objects.get(code="10"))


@pytest.fixture
def district_officer(geography):
    return _user("khet1008", Role.DISTRICT_OFFICER, district=District.objects.get(code="1008"))


@pytest.fixture
def volunteer_a(communities):
    return _user("vol_a", Role.VOLUNTEER, community=communities["A"])


@pytest.fixture
def leader_a(communities):
    return _user("leader_a", Role.COMMUNITY_LEADER, community=communities["A"])


@pytest.fixture
def researcher(geography):
    return _user("researcher", Role.RESEARCHER, province=Province.objects.get(code="10"))


@pytest.fixture
def agency_officer(geography):
    agency = Organisation.objects.create(name_th="หน่วยงานทดสอบ", kind="government_agency")
    return _user("agency", Role.AGENCY_OFFICER, organisation=agency)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
