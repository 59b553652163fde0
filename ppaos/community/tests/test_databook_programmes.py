"""The data book's livelihood section, from ppaos.livelihoods.selectors: programmes with
members from the community and the level changes between the last two rounds."""

import datetime as dt
from decimal import Decimal

import pytest

from ppaos.community import databook
from ppaos.livelihoods import services as livelihoods
from ppaos.livelihoods.tests.factories import assess, programme

pytestmark = pytest.mark.django_db

EARLIER = [1, 1, 1, 1, 2, 4]  # 2568-2 (conftest.ASSESSED): 1, 1, 2, 2, 2, 4


@pytest.fixture
def enrolled(picture, coordinator):
    p = programme(coordinator, [picture["community"]])
    stage = p.stages.order_by("position").first()
    for household, level, income in zip(
        picture["households"][1:], EARLIER, range(3000, 9000, 1000), strict=True
    ):
        assess(household, "2568-1", level)
        person = household.memberships.filter(end_date__isnull=True).first().person
        enrolment = livelihoods.enrolment_create(
            actor=coordinator,
            programme=p,
            person=person,
            stage=stage,
            start_date=dt.date(2025, 7, 1),
        )
        for round_name, amount in (("2568-1", income), ("2568-2", income + 500)):
            livelihoods.income_record(
                actor=coordinator,
                enrolment=enrolment,
                data={"round_name": round_name, "monthly_income": amount},
            )
    return p


def test_programmes_and_mobility_exact(picture, enrolled):
    book = databook.build(community=picture["community"], exact=True)
    assert book.rounds == ["2568-2", "2568-1"] and book.round_name == "2568-2"
    [p] = book.programmes
    assert (p["households"], p["people"]) == (6, 6)
    assert p["stages"][0]["people"] == 6
    assert p["median_income"] == Decimal("6000.00")  # 3500 … 8500
    m = book.mobility
    assert (m["from_round"], m["to_round"], m["households"]) == ("2568-1", "2568-2", 6)
    assert {b.key: b.value for b in m["bars"]} == {
        "graduated": 2,
        "same": 4,
        "fell_back": 0,
        "unscored": 0,
    }
    assert m["income_change_median"] == Decimal("500.00")


def test_programmes_and_mobility_suppressed(picture, enrolled, english_login, researcher):
    book = databook.build(community=picture["community"], exact=False)
    [p] = book.programmes
    assert (p["households"], p["people"]) == (6, 6)
    assert p["median_income"] is not None
    bars = {b.key: b.value for b in book.mobility["bars"]}
    assert bars == {"graduated": None, "same": None, "fell_back": 0, "unscored": 0}
    page = english_login(researcher).get(f"/communities/{picture['community'].pk}/databook/")
    assert 'id="programmes"' in page.text and 'id="bars-mobility"' in page.text
