"""Shared fixtures: Thai geography in the test database, and one persona per role.

Personas (healthchecks-style): communities A and B lie in khet 1008, community C in 1009.

Most tests ask for `households` (three households, their communities and the coordinator who
made them): about 70 queries through the registry's services. Those are built once and kept in
a transaction around the tests that ask for them ("the world", below), as Django's
`setUpTestData` keeps class data: each test runs in a savepoint inside it and gets deep copies
of the objects. `PPAOS_TEST_WORLD=0` builds them in every test instead.
"""

import copy
import datetime as dt
import os

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from pytest_django.plugin import validate_django_db

from ppaos.accounts.models import Organisation, Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import Community, District, Province, Subdistrict
from ppaos.areas.services import geography_load
from ppaos.lib.bulk import rows_write
from ppaos.registry import national_id
from ppaos.registry.services import household_create, person_add_to_household

PASSWORD = "correct-horse-battery-9"  # noqa: S105
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Modules whose tests share a costly session fixture: under xdist each runs whole on one worker.
ONE_WORKER_MODULES = {"ppaos/targeting/tests/test_linkage_spark.py"}  # one Spark session, local[2]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs pytest-xdist with `--dist loadgroup`: tests go to the workers one at a
    time, in collection order, so each worker still runs its plain database tests before its
    transactional ones (the world below relies on that), and each module of ONE_WORKER_MODULES
    goes whole to one worker. xdist's own `xdist_group` mark cannot do the latter on pytest 9.2
    (pytest-dev/pytest-xdist#1386: the group never reaches the scheduler)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return ModuleGroups(config, log)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        geography_load()
        GEOGRAPHY.keep()
    yield
    WORLD.close(django_db_blocker)  # before pytest-django drops the test database


class Geography:
    """Every transactional test ends with a flush that empties the geography tables, and the
    next test that needs them loads them again: `geography_load` upserts 8,441 rows from geothai
    (0.65 s on PostgreSQL). The rows it wrote at session start are kept here and copied back
    instead (`rows_write`: one COPY per table, about 0.05 s)."""

    MODELS = (Province, District, Subdistrict)  # parents first

    def __init__(self):
        self.rows = {}

    def keep(self):
        for model in self.MODELS:
            fields = model._meta.concrete_fields
            self.rows[model] = [
                {field.column: getattr(obj, field.attname) for field in fields}
                for obj in model.objects.all()
            ]

    def ensure(self):
        """The geography in the database, whatever a flush before left of it."""
        if Province.objects.exists():
            return
        if not self.rows:
            geography_load()
            return
        for model in self.MODELS:
            rows_write(model, self.rows[model])


GEOGRAPHY = Geography()


class World:
    """`communities`, `coordinator` and `households`, built once in an open transaction.

    pytest-django runs every plain database test first (transactional ones after, never in
    between), so one outer transaction can live across them; each test's own transaction is a
    savepoint inside it and rolls back to the world. A test that does not ask for `households`
    must not see them, nor a transactional test the open transaction: both close the world
    (rolled back) first, and the next test that asks for it builds it again."""

    KEY = pytest.StashKey[dict]()  # the objects one test got (its deep copy)

    def __init__(self):
        self.atomic = None
        self.objects = None

    @staticmethod
    def wanted(item) -> bool:
        """A plain database test (not transactional) that asks for `households`."""
        if os.environ.get("PPAOS_TEST_WORLD", "1") == "0":
            return False
        names = set(getattr(item, "fixturenames", ()))
        if "households" not in names or names & TRANSACTIONAL_FIXTURES:
            return False
        marker = item.get_closest_marker("django_db")
        if marker is None:
            return True
        transactional, reset_sequences, _dbs, serialized, _apps = validate_django_db(marker)
        return not (transactional or reset_sequences or serialized)

    def open(self, blocker):
        if self.atomic is not None:
            return
        with (
            blocker.unblock(),
            override_settings(PASSWORD_HASHERS=FAST_HASHERS, TASKS=IMMEDIATE_TASKS),
        ):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                GEOGRAPHY.ensure()
                built = {"communities": _communities(), "coordinator": _coordinator()}
                built["households"] = _households(built["communities"], built["coordinator"])
            except BaseException:
                self.close(blocker)
                raise
            self.objects = built

    def close(self, blocker):
        if self.atomic is None:
            return
        atomic, self.atomic, self.objects = self.atomic, None, None
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def copy_for(self, request):
        """This test's deep copy of the world, or None when it builds its own objects."""
        item = request.node
        if self.objects is None or not self.wanted(item):
            return None
        if self.KEY not in item.stash:
            item.stash[self.KEY] = copy.deepcopy(self.objects)
        return item.stash[self.KEY]


WORLD = World()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Open or close the world just before pytest-django starts a test's transaction."""
    if fixturedef.argname == "_django_db_helper":
        blocker = request.getfixturevalue("django_db_blocker")
        if WORLD.wanted(request.node):
            WORLD.open(blocker)
        else:
            WORLD.close(blocker)
    return (yield)


@pytest.fixture(scope="session")
def before_browser(django_db_blocker):
    """The world closed before the session's browser starts (`ppaos.lib.testing_browser`).

    Playwright's sync API leaves its asyncio loop registered as running in this thread, and
    asgiref then keeps Django's connections in another storage (a context variable instead of
    the thread's): `django.db.connection` becomes a new wrapper, outside the world's
    transaction. The browser is session-scoped, so pytest starts it before the test's own
    database fixtures: when a worker's first transactional test was a browser test, the world
    opened by the plain tests before it could no longer be closed ("The rollback flag doesn't
    work outside of an 'atomic' block", then every transactional test of that worker)."""
    WORLD.close(django_db_blocker)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A test that got the world but not through these fixtures (a module overriding
    `households`, say) would see three households it did not make: refuse."""
    if WORLD.objects is not None and WORLD.wanted(item) and World.KEY not in item.stash:
        pytest.fail("the shared `households` world was built but not used: see ppaos/conftest.py")


@pytest.fixture(autouse=True)
def immediate_tasks_and_private_media(settings, tmp_path):
    """Tasks run inline in tests; uploads land in a per-test folder."""
    settings.TASKS = IMMEDIATE_TASKS
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (Thai), as in a fresh process. The locale
    middleware leaves the last request's language active in the thread, so a test could pass
    only after one that left English; under xdist the test before is not always the same."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Fixtures create many users; Argon2, the real hasher, would dominate the run. Its use is
    tested in tests_security/test_accounts.py, which puts the project's hashers back."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def geography(db):
    """Geography survives rollbacks, but a transactional test empties the tables: reload."""
    GEOGRAPHY.ensure()


def _community(code: str, subdistrict: str, name: str) -> Community:
    return Community.objects.create(code=code, name_th=name, subdistrict_id=subdistrict)


def _communities() -> dict[str, Community]:
    return {
        "A": _community("100801-01", "100801", "ชุมชนทดสอบเอ"),
        "B": _community("100803-01", "100803", "ชุมชนทดสอบบี"),
        "C": _community("100905-01", "100905", "ชุมชนทดสอบซี"),
    }


@pytest.fixture
def communities(geography, request):
    world = WORLD.copy_for(request)
    return world["communities"] if world else _communities()


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
def households(communities, coordinator, request):
    """One household with a head in each community."""
    world = WORLD.copy_for(request)
    return world["households"] if world else _households(communities, coordinator)


def _households(communities, coordinator) -> dict:
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


def _coordinator():
    return _user("coord", Role.COORDINATOR, province=Province.objects.get(code="10"))


@pytest.fixture
def coordinator(geography, request):
    world = WORLD.copy_for(request)
    return world["coordinator"] if world else _coordinator()


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
