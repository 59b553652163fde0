"""A small city with progress to count: visits, referrals and assessments in communities A, B
(khet 1008) and C (khet 1009), on top of the shared households fixture (one per community)."""

import datetime as dt

import pytest
from django.utils import timezone

from ppaos.accounts.models import Organisation
from ppaos.assessment.models import Assessment, IndicatorSet, SurveyResponse
from ppaos.conftest import make_person
from ppaos.referrals.models import Referral, Service
from ppaos.registry.models import Household
from ppaos.registry.services import household_create, person_add_to_household
from ppaos.targeting.models import Campaign, Visit


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


def add_household(actor, community, n: int, members: int = 1) -> Household:
    household = household_create(actor=actor, community=community, data={"house_no": f"{n}/9"})
    for i in range(members):
        person_add_to_household(
            actor=actor,
            household=household,
            data=make_person(100 + n * 10 + i),
            relation="head" if i == 0 else "child",
            start_date=dt.date(2020, 1, 1),
        )
    return household


@pytest.fixture
def city(households, communities, coordinator, volunteer_a):
    """Households: A1 (the fixture's), A2, A3, A4 in A; B1 in B; C1 in C.

    Visits (latest counts): A1 listed→not poor (an older visit said confirmed poor), A2 listed
    confirmed poor, A3 newly found poor, B1 listed confirmed poor (Jan), C1 not found; a
    conflict visit of A4 does not count. Referrals: two from A (one completed), one draft from
    C (not made). Assessments (round 2568-2): A1 level 1, A2 level 2, B1 level 1, C1 none."""
    a1, b1, c1 = households["A"], households["B"], households["C"]
    a2 = add_household(coordinator, communities["A"], 2, members=3)
    a3 = add_household(coordinator, communities["A"], 3, members=2)
    a4 = add_household(coordinator, communities["A"], 4)
    campaign = Campaign.objects.create(
        name="รอบทดสอบ", opened_by=coordinator, opened_on=dt.date(2025, 11, 1)
    )

    def visit(household, day, outcome, listed, status=Visit.Status.RECORDED):
        return Visit.objects.create(
            campaign=campaign,
            household=household,
            volunteer=volunteer_a,
            visited_on=day,
            outcome=outcome,
            on_target_list=listed,
            status=status,
        )

    visit(a1, dt.date(2025, 11, 20), "confirmed_poor", True)
    visit(a1, dt.date(2025, 12, 5), "not_poor", True)
    visit(a2, dt.date(2025, 11, 21), "confirmed_poor", True)
    visit(a3, dt.date(2025, 12, 6), "newly_found_poor", False)
    visit(b1, dt.date(2026, 1, 10), "confirmed_poor", True)
    visit(c1, dt.date(2026, 1, 11), "not_found", True)
    visit(a4, dt.date(2026, 1, 12), "confirmed_poor", True, status=Visit.Status.CONFLICT)

    agency = Organisation.objects.create(name_th="หน่วยงาน", kind="government_agency")
    service = Service.objects.create(
        code="relief", name_th="ถุงยังชีพ", category="relief", provider=agency
    )

    def refer(household, status, sent=None, completed=None):
        return Referral.objects.create(
            household=household,
            person=household.memberships.first().person,
            service=service,
            organisation=agency,
            status=status,
            sent_at=at(sent) if sent else None,
            completed_at=at(completed) if completed else None,
            due_on=(sent + dt.timedelta(days=15)) if sent else None,
            created_by=coordinator,
        )

    refer(a1, "completed", sent=dt.date(2025, 12, 1), completed=dt.date(2026, 1, 5))
    refer(a2, "sent", sent=dt.date(2026, 1, 3))
    refer(c1, "draft")

    indicator_set = IndicatorSet.objects.create(
        code="t", version="1", name_th="ชุดทดสอบ", definition={}, is_active=False
    )
    for household, level, poor in ((a1, 1, True), (a2, 2, True), (b1, 1, False), (c1, None, 0)):
        survey = SurveyResponse.objects.create(
            household=household,
            indicator_set=indicator_set,
            collected_on=dt.date(2025, 12, 1),
            round_name="2568-2",
        )
        Assessment.objects.create(
            household=household,
            round_name="2568-2",
            indicator_set=indicator_set,
            survey=survey,
            deprivation_score="0",
            deprivation_score_value=0.0,
            is_poor=bool(poor),
            level=level,
            computed_at=timezone.now(),
        )
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1, "c1": c1}


def square(x: float, y: float, size: float = 0.05) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def outlines(geography, tmp_path):
    """Square outlines for khet 1008 (100.50–100.55 E) and 1009 (100.60–100.65 E), 13.70 N."""
    import json

    from ppaos.areas.boundaries import boundaries_load

    path = tmp_path / "adm2.geojson"
    features = [
        {"type": "Feature", "properties": {"ADM2_PCODE": p}, "geometry": square(x, 13.7)}
        for p, x in (("TH1008", 100.50), ("TH1009", 100.60))
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    boundaries_load(path)
