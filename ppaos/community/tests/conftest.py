"""Community A with a known picture (the numbers the data book tests check), and a fund.

Community A: 7 households, 10 people living there now (5 men, 5 women; 2 children, 5 of
working age, 3 older people; 1 disability card), one person who moved out. Round 2568-2:
6 households assessed, levels 1×2, 2×3, 4×1, 4 of them poor; problems: income 4, debt 2,
housing 1. Referrals: 3 completed (2 with a benefit), 2 sent, 1 rejected, and a draft that
does not count."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from ppaos.accounts.models import Organisation, Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import District, Province
from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.assessment.services import DEFAULT_SET, indicator_set_load
from ppaos.community import procurement, services
from ppaos.community.programme import FundMode
from ppaos.conftest import PASSWORD
from ppaos.referrals.models import Benefit, Referral, Service, Status
from ppaos.registry.models import Household, Membership, Person

ROUND = "2568-2"
# (sex, birth year, disability card) per member, head first; one list per new household.
MEMBERS = [
    [("F", 1950, True), ("M", 2015, False)],
    [("M", 1970, False), ("F", 1972, False)],
    [("F", 1990, False)],
    [("M", 1955, False)],
    [("F", 1985, False), ("F", 2018, False)],
    [("M", 1960, False)],
]
# (level, is_poor, capital score for every capital, problems) of households 1..6
ASSESSED = [
    (1, True, 1.5, ["income", "debt"]),
    (1, True, 1.6, ["income", "housing"]),
    (2, True, 2.0, ["income", "debt"]),
    (2, True, 2.25, ["income"]),
    (2, False, 2.4, []),
    (4, False, 3.5, []),
]
CAPITALS = ("human", "physical", "financial", "natural", "social")


@pytest.fixture
def english():
    """Messages in English, for tests that read them outside a request (Thai is the default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_login(client, settings):
    """Signed in, pages in English, so tests can read English text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def district_officer_2(geography):
    user = user_create(username="khet1008b", password=PASSWORD, first_name="สมศักดิ์")
    role_assign(user=user, role=Role.DISTRICT_OFFICER, district=District.objects.get(code="1008"))
    return user


@pytest.fixture
def indicator_set(db):
    return indicator_set_load(definition=json.loads(DEFAULT_SET.read_text(encoding="utf-8")))


def _person(n: int, sex: str, year: int, disabled: bool) -> Person:
    return Person.objects.create(
        first_name=f"ทดสอบ{n}",
        last_name=f"นามสกุล{n}",
        sex=sex,
        birth_date=dt.date(year, 1, 1),
        has_disability_card=disabled,
    )


@pytest.fixture
def picture(households, communities, indicator_set, coordinator, agency_officer):
    """Community A's households (the fixture's one plus six), assessments and referrals."""
    community = communities["A"]
    made = [households["A"]]
    n = 0
    for i, members in enumerate(MEMBERS, start=1):
        household = Household.objects.create(
            code=f"{community.code}-9{i:04d}",
            community=community,
            subdistrict_id=community.subdistrict_id,
            house_no=f"{i}/9",
        )
        for position, (sex, year, disabled) in enumerate(members):
            n += 1
            Membership.objects.create(
                household=household,
                person=_person(n, sex, year, disabled),
                relation="head" if position == 0 else "child",
                start_date=dt.date(2015, 1, 1),
            )
        made.append(household)
    moved = _person(99, "M", 1980, False)
    Membership.objects.create(
        household=made[6],
        person=moved,
        relation="child",
        start_date=dt.date(2015, 1, 1),
        end_date=dt.date(2024, 1, 1),
    )
    now = timezone.now()
    for household, (level, poor, score, problems) in zip(made[1:], ASSESSED, strict=True):
        survey = SurveyResponse.objects.create(
            household=household,
            indicator_set=indicator_set,
            collected_on=dt.date(2025, 11, 1),
            round_name=ROUND,
            problems=problems,
        )
        Assessment.objects.create(
            household=household,
            round_name=ROUND,
            indicator_set=indicator_set,
            survey=survey,
            members=household.memberships.count(),
            deprivation_score="1/5" if poor else "0",
            deprivation_score_value=0.2 if poor else 0.0,
            is_poor=poor,
            capital_scores=dict.fromkeys(CAPITALS, score),
            overall_score=score,
            level=level,
            computed_at=now,
        )
    agency = agency_officer.role_assignments.get().organisation
    service = Service.objects.create(
        code="survival_bag",
        name_th="ถุงยังชีพ",
        name_en="Survival bag",
        category="relief",
        provider=agency,
    )
    statuses = [Status.COMPLETED] * 3 + [Status.SENT] * 2 + [Status.REJECTED, Status.DRAFT]
    for i, status in enumerate(statuses):
        household = made[1 + i % 6]
        person = household.memberships.first().person
        referral = Referral.objects.create(
            household=household,
            person=person,
            service=service,
            organisation=agency,
            status=status,
            created_by=coordinator,
            sent_at=None if status == Status.DRAFT else now,
        )
        if status == Status.COMPLETED and i < 2:
            Benefit.objects.create(
                person=person,
                service=service,
                since=dt.date(2026, 1, 1),
                source=Benefit.Source.REFERRAL,
                referral=referral,
            )
    return {"community": community, "households": made, "moved": moved}


@pytest.fixture
def cash_ledger(coordinator):
    """Bangkok's funds run as cash ledgers (the per-province option; the default is district
    procurement)."""
    return procurement.fund_rule_set(
        actor=coordinator, province=Province.objects.get(code="10"), mode=FundMode.CASH
    )


@pytest.fixture
def fund_year(communities, district_officer, coordinator):
    """Community A's fiscal year 2569 as a cash ledger (the per-province option: these tests,
    and other apps' tests importing this fixture, record expenditures with receipts)."""
    procurement.fund_rule_set(
        actor=coordinator, province=Province.objects.get(code="10"), mode=FundMode.CASH
    )
    return services.fund_year_open(actor=district_officer, community=communities["A"], year_be=2569)


@pytest.fixture
def bangkok_year(communities, district_officer):
    """Community A's fiscal year 2569 as Bangkok runs it by default: district procurement."""
    return services.fund_year_open(actor=district_officer, community=communities["A"], year_be=2569)


def _approve(fund_year, leader):
    proposal = services.proposal_create(
        actor=leader,
        fund_year=fund_year,
        title="ซ่อมทางเดินในชุมชน",
        purpose="ทางเดินชำรุด ผู้สูงอายุหกล้มบ่อย",
        amount_requested=Decimal("60000"),
        proposer_name="นางประไพ กรรมการชุมชน",
    )
    services.decision_record(
        actor=leader,
        proposal=proposal,
        meeting_date=dt.date(2026, 1, 10),
        attendance=40,
        votes_for=31,
        votes_against=4,
        votes_abstain=5,
        approved_amount=Decimal("50000"),
        minutes_note="อนุมัติ 50,000 บาท",
    )
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def approved(fund_year, leader_a):
    """A proposal the community approved for 50,000 baht (meeting of 10 Jan 2026), cash."""
    return _approve(fund_year, leader_a)


@pytest.fixture
def bangkok_approved(bangkok_year, leader_a):
    """The same proposal in a fund run by district procurement."""
    return _approve(bangkok_year, leader_a)


@pytest.fixture
def other_org(geography):
    return Organisation.objects.create(name_th="หน่วยงานอื่น", kind="government_agency")
