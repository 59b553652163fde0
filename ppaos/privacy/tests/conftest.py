import datetime as dt

import pytest

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import District
from ppaos.conftest import PASSWORD, make_person
from ppaos.registry.services import person_add_to_household


@pytest.fixture
def coordinator_1009(geography):
    """A coordinator of khet 1009 only: communities A and B (khet 1008) are outside."""
    user = user_create(username="coord1009", password=PASSWORD)
    role_assign(user=user, role=Role.COORDINATOR, district=District.objects.get(code="1009"))
    return user


@pytest.fixture
def head_a(households):
    return households["A"].memberships.get(relation="head").person


@pytest.fixture
def child_a(households, coordinator):
    """A 10-year-old in household A."""
    return person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(
            50,
            first_name="มะลิ",
            sex="F",
            prefix="dekying",
            birth_date=dt.date.today() - dt.timedelta(days=3650),
        ),
        relation="child",
    )
