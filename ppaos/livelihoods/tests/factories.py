"""Helpers for livelihood tests: assessments in two rounds, a programme, enrolments."""

import datetime as dt

from django.utils import timezone

from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.assessment.services import indicator_set_load_default
from ppaos.conftest import make_person
from ppaos.livelihoods import services
from ppaos.livelihoods.models import ProgrammeKind
from ppaos.registry.services import household_create, person_add_to_household


def assess(household, round_name: str, level: int | None) -> Assessment:
    """A stored assessment of `household` in `round_name` at `level` (None: no score)."""
    indicator_set = indicator_set_load_default()
    survey = SurveyResponse.objects.create(
        household=household,
        indicator_set=indicator_set,
        collected_on=dt.date(2025, 5 if round_name.endswith("-1") else 11, 1),
        round_name=round_name,
    )
    return Assessment.objects.create(
        household=household,
        round_name=round_name,
        indicator_set=indicator_set,
        survey=survey,
        deprivation_score="0",
        deprivation_score_value=0.0,
        is_poor=False,
        level=level,
        computed_at=timezone.now(),
    )


def household_with_head(actor, community, n: int):
    household = household_create(actor=actor, community=community, data={"house_no": f"{n}/9"})
    person = person_add_to_household(
        actor=actor,
        household=household,
        data=make_person(n),
        relation="head",
        start_date=dt.date(2020, 1, 1),
    )
    return household, person


def programme(actor, communities, code="P1"):
    p = services.programme_create(
        actor=actor,
        code=code,
        name_th="วิสาหกิจชุมชนอาหารแปรรูป",
        name_en="Food processing enterprise",
        kind=ProgrammeKind.COMMUNITY_ENTERPRISE,
        start_date=dt.date(2025, 6, 1),
        communities=communities,
        stages=[("ผลิต", "Production"), ("แปรรูป", "Processing"), ("การตลาด", "Marketing")],
    )
    services.partner_add(actor=actor, programme=p, kind="buyer", name="ตลาดชุมชน")
    return p


def head(household):
    return household.memberships.get(relation="head", end_date__isnull=True).person


def livelihood_city(city: dict, actor=None) -> dict:
    """For the security tests' `city`: programme "SEC" over communities A, B and C with one
    enrolment (and income) in each, and programme "SEC-C" over C only; made once, kept on
    the `city` dict."""
    if "livelihoods" not in city:
        p = programme(actor, list(city["communities"].values()), code="SEC")
        only_c = programme(actor, [city["communities"]["C"]], code="SEC-C")
        enrolments, incomes = {}, {}
        for key, household in city["households"].items():
            e = services.enrolment_create(
                actor=actor, programme=p, person=head(household), start_date=dt.date(2025, 7, 1)
            )
            enrolments[key] = e
            incomes[key] = services.income_record(
                actor=actor,
                enrolment=e,
                data={"round_name": "2568-1", "monthly_income": 3000, "source": "wages"},
            )
        city["livelihoods"] = {
            "programme": p,
            "programme_c": only_c,
            "enrolments": enrolments,
            "incomes": incomes,
        }
    return city["livelihoods"]
