"""A seeded, messy survey round and a snapshot of what `ppaos assess` stores for it.

`make_round(communities, seed)` builds households, members (moves, unknown incomes, disability
cards, every age band) and surveys (several a household, earlier rounds carried forward,
malformed answers, absent keys, items outside 1–4) answered against three indicator sets that
differ in the member rule, the overall-score rule, the income threshold and the overrides.
`snapshot()` reads every stored assessment back in a form that does not depend on database
ids, so it can be compared with `data/assess-golden.json`: the output of the implementation
before the typed write path (generated with `golden_data.py --write`, see test_assess_golden).
"""

import copy
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.assessment.services import DEFAULT_SET, indicator_set_load
from ppaos.registry.models import Household, Membership, Person

GOLDEN = Path(__file__).resolve().parent / "data" / "assess-golden.json"
ROUND = "2568-2"
EARLIER = "2568-1"
DAY = dt.date(2025, 11, 1)


def indicator_sets() -> list:
    default = json.loads(DEFAULT_SET.read_text(encoding="utf-8"))
    strict = copy.deepcopy(default)
    strict["version"] = "golden-all"
    strict["poverty_rule"] = {
        "kind": "k",
        "k": "1/5",
        "household_deprived_when": "all_eligible_members",
    }
    strict["income_threshold_baht_per_person_year"] = {"2560": "30000", "2568": "41000.50"}
    strict["capitals"]["overall_rule"] = "min_of_capitals"
    most = copy.deepcopy(default)
    most["version"] = "golden-most"
    most["poverty_rule"] = {
        "kind": "intersection",
        "household_deprived_when": "most_eligible_members",
    }
    most["capitals"]["overall_rule"] = "mean_of_items"
    most["capitals"]["level_overrides"] = [
        {
            "code": "literacy_floor",
            "when": {"indicator": "e4_literacy", "is": "met"},
            "at_least": 2,
            "reason_th": "อ่านออกเขียนได้",
            "reason_en": "Literate",
        },
        *default["capitals"]["level_overrides"],
    ]
    sets = [indicator_set_load(definition=d, activate=False) for d in (strict, most)]
    return [indicator_set_load(definition=default), *sets]


def _answer(rng: random.Random):
    return rng.choices(
        [True, False, None, "maybe", 1, "true", [True]], weights=[60, 25, 6, 3, 2, 2, 2]
    )[0]


def _item(rng: random.Random):
    return rng.choices([1, 2, 3, 4, 0, 5, "3", 2.5, None], weights=[18, 25, 25, 18, 3, 3, 3, 3, 2])[
        0
    ]


def make_round(communities: dict, *, seed: int = 17, households: int = 260) -> None:
    """Households and surveys for ROUND (and EARLIER), deterministic for a seed."""
    rng = random.Random(seed)
    sets = indicator_sets()
    specs = [s.definition for s in sets]
    codes = [[i["code"] for d in spec["dimensions"] for i in d["indicators"]] for spec in specs]
    items = [[i["code"] for i in spec["capitals"]["items"]] for spec in specs]
    community_list = list(communities.values())
    for h in range(households):
        community = community_list[h % len(community_list)]
        household = Household.objects.create(
            code=f"G-{h:04d}", community=community, subdistrict_id=community.subdistrict_id
        )
        people = []
        for p in range(rng.choice([0, 1, 1, 2, 3, 3, 4, 5, 7])):
            born = dt.date(rng.randint(1930, 2024), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.1:  # a birthday on or right around the survey day
                born = DAY.replace(year=rng.randint(1960, 2020)) + dt.timedelta(
                    rng.choice([-1, 0, 1])
                )
            income = rng.choice([None, 0, Decimal("0.01"), 1500, 3166.67, 3166.66, 5000, 12000.5])
            person = Person.objects.create(
                first_name=f"G{h:04d}-{p}",
                last_name="ทดสอบ",
                sex=rng.choice("MF"),
                birth_date=born,
                monthly_income=None if income is None else Decimal(str(income)),
                has_disability_card=rng.random() < 0.15,
            )
            start = dt.date(2015, 1, 1)
            end = None
            move = rng.random()
            if move < 0.08:
                start = DAY + dt.timedelta(rng.choice([-1, 0, 1, 30]))
            elif move < 0.16:
                end = DAY + dt.timedelta(rng.choice([-40, -1, 0, 1]))
            Membership.objects.create(
                household=household,
                person=person,
                relation="head" if p == 0 else "child",
                start_date=start,
                end_date=end,
            )
            people.append(person)
        visits = rng.choice([(ROUND,), (ROUND,), (ROUND, ROUND), (EARLIER,), (EARLIER, ROUND), ()])
        for n, round_name in enumerate(visits):
            which = rng.choices([0, 1, 2], weights=[6, 2, 2])[0]
            on = DAY - dt.timedelta(days=rng.choice([0, 0, 3, 10]) if round_name == ROUND else 200)
            if n and rng.random() < 0.5:
                on = DAY  # two surveys on the same day: the later id wins
            indicators = {code: _answer(rng) for code in codes[which] if rng.random() < 0.85}
            members = {}
            for person in people:
                if rng.random() < 0.7:
                    members[str(person.pk)] = {
                        code: _answer(rng) for code in codes[which] if rng.random() < 0.3
                    }
            if rng.random() < 0.05:
                members["not-a-person"] = {"e4_literacy": False}
            if people and rng.random() < 0.05:
                members[str(people[0].pk)] = ["not", "an", "object"]
            answered = {code: _item(rng) for code in items[which] if rng.random() < 0.9}
            SurveyResponse.objects.create(
                household=household,
                indicator_set=sets[which],
                collected_on=on,
                round_name=round_name,
                indicators=indicators,
                member_indicators=members,
                capital_items=answered,
            )


def snapshot() -> list[dict]:
    """Every stored assessment, ordered by household code, without database ids: the
    household by code, the survey by (collected on, rank among the household's surveys by
    id), members that failed by their name."""
    names = dict(Person.objects.values_list("pk", "first_name"))
    rank = {}
    for household_id in SurveyResponse.objects.values_list("household_id", flat=True).distinct():
        ids = SurveyResponse.objects.filter(household_id=household_id).order_by("id")
        rank.update({pk: n for n, pk in enumerate(ids.values_list("pk", flat=True))})
    rows = []
    query = Assessment.objects.select_related("household", "indicator_set", "survey")
    for a in query.order_by("household__code", "round_name"):
        details = copy.deepcopy(a.details)
        for value in details.values():
            if isinstance(value, dict) and "failed" in value:
                value["failed"] = [names[pk] for pk in value["failed"]]
        rows.append(
            {
                "household": a.household.code,
                "round_name": a.round_name,
                "indicator_set": a.indicator_set.version,
                "survey": [a.survey.collected_on.isoformat(), rank[a.survey_id]],
                "members": a.members,
                "deprivations": a.deprivations,
                "details": details,
                "deprived_mask": a.deprived_mask,
                "deprivation_score": a.deprivation_score,
                "deprivation_score_value": a.deprivation_score_value,
                "is_poor": a.is_poor,
                "status": a.status,
                "missing": a.missing,
                "capital_scores": a.capital_scores,
                "overall_score": a.overall_score,
                "level": a.level,
                "score_level": a.score_level,
                "level_reasons": a.level_reasons,
            }
        )
    return rows


def dumps(rows: list[dict]) -> str:
    """Floats by repr (exact), keys sorted (jsonb keeps its own order): equal text, equal
    values."""
    return "\n".join(json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows) + "\n"
