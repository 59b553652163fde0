"""Issue 18: an installation serving several provinces; a coordinator scoped to one province
sees and acts there only (elsewhere is 404), through the same area prefixes as Bangkok."""

import datetime as dt
from pathlib import Path

import pytest

from ppaos.accounts.models import Role
from ppaos.accounts.scope import EDIT_PEOPLE, MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import Community, Province
from ppaos.areas.services import province_onboard
from ppaos.conftest import PASSWORD, make_person
from ppaos.registry.services import household_create, person_add_to_household

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "areas" / "data" / "samples"


@pytest.fixture
def coordinator_75(geography, settings):
    settings.PROVINCES = ["10", "75"]
    province_onboard(
        code="75",
        lao_text=(SAMPLES / "75-dla-lao.csv").read_text(encoding="utf-8"),
        village_text=(SAMPLES / "75-dopa-villages.csv").read_text(encoding="utf-8"),
    )
    user = user_create(username="coord75", password=PASSWORD)
    role_assign(user=user, role=Role.COORDINATOR, province=Province.objects.get(code="75"))
    return user


@pytest.fixture
def village_household(coordinator_75):
    household = household_create(
        actor=coordinator_75,
        community=Community.objects.get(code="75010201"),
        data={"house_no": "9"},
    )
    person_add_to_household(
        actor=coordinator_75,
        household=household,
        data=make_person(77),
        relation="head",
        start_date=dt.date(2020, 1, 1),
    )
    return household


def test_a_province_coordinator_covers_that_province_only(coordinator_75, coordinator):
    scope = scope_for(coordinator_75)
    assert scope.provinces(VIEW_PEOPLE) == {"75"}
    assert scope.area(MANAGE_TARGETING).covers_whole("75010201")
    assert not scope.area(EDIT_PEOPLE).touches("1008")
    assert scope_for(coordinator).provinces(VIEW_PEOPLE) == {"10"}


def test_other_provinces_households_are_not_found(
    coordinator_75, coordinator, village_household, households, login
):
    mine = login(coordinator_75)
    assert mine.get(f"/households/{village_household.pk}/").status_code == 200
    assert mine.get(f"/households/{households['A'].pk}/").status_code == 404
    bangkok = login(coordinator)
    assert bangkok.get(f"/households/{village_household.pk}/").status_code == 404
    assert bangkok.get(f"/households/{households['A'].pk}/").status_code == 200


def test_a_province_coordinators_pages_open_on_their_province(coordinator_75, login):
    """The menu's Dashboard, Areas, Analysis and Mobility links name no province: they open
    on the coordinator's own (75), not on the home province's 404."""
    assert scope_for(coordinator_75).home_province() == "75"
    client = login(coordinator_75)
    assert client.get("/dashboards/").status_code == 200
    page = client.get("/areas/").content.decode()
    assert "สมุทรสงคราม" in page or "Samut Songkhram" in page
    assert client.get("/analysis/")["Location"].endswith("/75/")
    assert client.get("/livelihoods/mobility/")["Location"].endswith("/75/")


def test_everyone_else_opens_on_the_home_province(geography, settings, coordinator):
    settings.PROVINCES = ["10", "75"]
    assert scope_for(coordinator).home_province() == "10"
