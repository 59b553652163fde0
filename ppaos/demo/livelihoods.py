"""Demo livelihood programme and the baseline survey round it is measured against.

`demo_livelihoods_load` creates one community enterprise (food products and handicrafts:
production → processing → marketing, with a buyer, a trainer and a lender) over four demo
communities of khet 1008 (the demo volunteer's and leader's among them), enrols about 60
working-age members (lower income per person first, one per household), writes the earlier
survey round BASELINE_ROUND for every demo household with `assessment.demo`, and records
each member's monthly income in both rounds.

The baseline reuses the later round's latent well-being (same seed), moved per household:
most households stay where they are, some were lower before (they moved up), fewer were
higher (they fell back), and households in the programme moved up more often. Income follows
the household's movement. Deterministic for a seed; every row is flagged `is_demo`."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction

from ppaos.areas.models import Community
from ppaos.demo.assessment import DEMO_ROUND, demo_surveys_delete, demo_surveys_load
from ppaos.livelihoods import services
from ppaos.livelihoods.models import (
    Enrolment,
    IncomeRecord,
    IncomeSource,
    Partner,
    Programme,
    ProgrammeKind,
    Stage,
)
from ppaos.registry.models import Household, Membership, Person

BASELINE_ROUND = "2568-1"
BASELINE_START = dt.date(2025, 4, 1)
PROGRAMME_CODE = "DEMO-CE-01"
PROGRAMME_START = dt.date(2025, 7, 1)
# Chance of (moved up, fell back) between the rounds; the rest stay.
CHANGE_ODDS = {"member": (0.45, 0.06), "other": (0.14, 0.07)}
# Shift of latent well-being that moves a household about one level (capital items follow
# it at 0.8; levels are 0.75 apart).
STEP = (0.7, 1.2)


@dataclass
class DemoLivelihoods:
    programme: Programme
    enrolled: int
    households: int
    baseline_surveys: int
    moved_up: int
    fell_back: int


def demo_livelihoods_delete() -> None:
    """Remove the demo programme rows and the baseline round of demo households."""
    with transaction.atomic():
        IncomeRecord.objects.filter(enrolment__programme__is_demo=True).delete()
        Enrolment.objects.filter(programme__is_demo=True).delete()
        Partner.objects.filter(programme__is_demo=True).delete()
        Stage.objects.filter(programme__is_demo=True).delete()
        Programme.objects.filter(is_demo=True).delete()
    demo_surveys_delete(round_name=BASELINE_ROUND)


def _communities() -> list[Community]:
    demo = Community.objects.filter(is_demo=True).order_by("code")
    chosen = list(demo.filter(subdistrict__district_id="1008")[:4])
    return chosen or list(demo[:4])


def _candidates(communities: list[Community]) -> list[tuple[int, int, float]]:
    """(person id, household id, household income per person) of current working-age
    members with a known birth date, poorest households first."""
    rows = list(
        Membership.objects.filter(
            end_date__isnull=True,
            household__community__in=communities,
            household__is_demo=True,
            person__birth_date__lte=dt.date(2007, 7, 1),
            person__birth_date__gte=dt.date(1961, 7, 1),
        )
        .order_by("household_id", "person_id")
        .values_list("person_id", "household_id", "person__monthly_income")
    )
    totals: dict[int, list] = {}
    for _person, household, income in Membership.objects.filter(
        end_date__isnull=True, household__community__in=communities, household__is_demo=True
    ).values_list("person_id", "household_id", "person__monthly_income"):
        entry = totals.setdefault(household, [0.0, 0])
        entry[0] += float(income or 0)
        entry[1] += 1
    per_person = {h: total / max(n, 1) for h, (total, n) in totals.items()}
    return sorted(
        ((p, h, per_person.get(h, 0.0)) for p, h, _income in rows), key=lambda r: (r[2], r[1], r[0])
    )


def _pick(candidates, rng, members: int) -> list[tuple[int, int]]:
    """One member per household, from the poorer two thirds of households, at random."""
    first_by_household: dict[int, list[int]] = {}
    for person, household, _pp in candidates:
        first_by_household.setdefault(household, []).append(person)
    households = list(first_by_household)
    pool = households[: max(members, (2 * len(households)) // 3)]
    chosen = rng.choice(len(pool), size=min(members, len(pool)), replace=False)
    picked = []
    for index in sorted(chosen.tolist()):
        household = pool[index]
        people = first_by_household[household]
        picked.append((people[int(rng.integers(0, len(people)))], household))
    return picked


def _changes(household_ids: list[int], members: set[int], rng) -> dict[int, int]:
    """{household id: +1 moved up, -1 fell back, 0 same} between the two rounds."""
    draws = rng.random(len(household_ids))
    result = {}
    for household, draw in zip(household_ids, draws.tolist(), strict=True):
        up, down = CHANGE_ODDS["member" if household in members else "other"]
        result[household] = 1 if draw < up else -1 if draw < up + down else 0
    return result


def _baht(value: float) -> Decimal:
    return Decimal(int(round(value / 10.0)) * 10)


def demo_livelihoods_load(*, seed: int, members: int = 60) -> DemoLivelihoods:
    """Replace the demo programme and baseline round (see the module docstring)."""
    demo_livelihoods_delete()
    rng = np.random.default_rng(seed + 7)
    communities = _communities()
    programme = services.programme_create(
        actor=None,
        code=PROGRAMME_CODE,
        name_th="วิสาหกิจชุมชนอาหารแปรรูปและงานฝีมือ (ข้อมูลสาธิต)",
        name_en="Community enterprise: processed food and handicrafts (demo)",
        kind=ProgrammeKind.COMMUNITY_ENTERPRISE,
        description=(
            "กลุ่มอาชีพทำน้ำพริก ขนม และงานจักสาน ผลิตร่วมกัน แปรรูปและบรรจุ แล้วขายผ่านร้านค้า"
            "และตลาดออนไลน์ (ข้อมูลสาธิต)"
        ),
        start_date=PROGRAMME_START,
        communities=communities,
        stages=[
            ("ผลิตวัตถุดิบและงานฝีมือ", "Production"),
            ("แปรรูปและบรรจุภัณฑ์", "Processing and packaging"),
            ("การตลาดและการขาย", "Marketing and sales"),
        ],
        is_demo=True,
    )
    stages = list(programme.stages.all())
    for kind, name, stage, note in (
        ("buyer", "ร้านค้าปลีกในเขต (สาธิต)", stages[2], "รับซื้อน้ำพริกและขนมทุกสัปดาห์"),
        ("trainer", "วิทยาลัยอาชีวศึกษา (สาธิต)", stages[1], "อบรมมาตรฐานอาหารและบรรจุภัณฑ์"),
        ("lender", "กองทุนหมุนเวียนชุมชน (สาธิต)", stages[0], "เงินทุนหมุนเวียนซื้อวัตถุดิบ"),
    ):
        services.partner_add(
            actor=None, programme=programme, kind=kind, name=name, stage=stage, note=note
        )
    picked = _pick(_candidates(communities), rng, members)
    people = Person.objects.in_bulk([p for p, _h in picked])
    enrolments = []
    for person_id, _household in picked:
        enrolments.append(
            services.enrolment_create(
                actor=None,
                programme=programme,
                person=people[person_id],
                stage=stages[int(rng.integers(0, len(stages)))],
                start_date=PROGRAMME_START + dt.timedelta(days=int(rng.integers(0, 60))),
                is_demo=True,
            )
        )
    member_households = {h for _p, h in picked}
    household_ids = list(
        Household.objects.filter(is_demo=True).order_by("id").values_list("id", flat=True)
    )
    changes = _changes(household_ids, member_households, rng)
    steps = rng.uniform(*STEP, size=len(household_ids))
    # The baseline is the later round moved back: a household that moved up was lower.
    shift = {
        h: -change * step
        for (h, change), step in zip(changes.items(), steps.tolist(), strict=True)
        if change
    }
    surveys = demo_surveys_load(
        seed=seed, round_name=BASELINE_ROUND, round_start=BASELINE_START, wellbeing_shift=shift
    )
    for enrolment in enrolments:
        person = people[enrolment.person_id]
        before = float(person.monthly_income or rng.integers(25, 80) * 100)
        change = changes.get(enrolment.household_id, 0)
        growth = {1: rng.normal(0.3, 0.1), 0: rng.normal(0.06, 0.08), -1: rng.normal(-0.12, 0.08)}
        after = max(0.0, before * (1 + growth[change]))
        services.income_record(
            actor=None,
            enrolment=enrolment,
            data={
                "round_name": BASELINE_ROUND,
                "monthly_income": _baht(before),
                "source": IncomeSource.WAGES if person.monthly_income else IncomeSource.OTHER,
            },
            is_demo=True,
        )
        services.income_record(
            actor=None,
            enrolment=enrolment,
            data={
                "round_name": DEMO_ROUND,
                "monthly_income": _baht(after),
                "source": IncomeSource.PROGRAMME,
            },
            is_demo=True,
        )
    return DemoLivelihoods(
        programme=programme,
        enrolled=len(enrolments),
        households=len(member_households),
        baseline_surveys=surveys,
        moved_up=sum(1 for c in changes.values() if c > 0),
        fell_back=sum(1 for c in changes.values() if c < 0),
    )
