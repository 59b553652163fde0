"""Synthetic survey answers for the demo households, one round (default "2568-2").

Deterministic for a seed (numpy's PCG64). Answers are not random noise: each household gets a
latent well-being from its registry facts (income per person against the threshold, tenure,
dependants, disability and chronic illness, undocumented members) plus noise, and every answer
leans on it, so levels spread over the four groups the way a poor-community survey does and
the indicators a household fails are the plausible ones (housing for squatters on public land,
care for households with disabled members, work for unemployed adults).

Vectorised (numpy/pandas) so a million households take minutes, not hours; rows go in with COPY
on PostgreSQL (lib.bulk.rows_write)."""

import datetime as dt
import json

import numpy as np
import pandas as pd
from django.db import connection, transaction

from ppaos.assessment.definition import Spec, compile_definition
from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.assessment.selectors import indicator_set_active
from ppaos.lib import bulk
from ppaos.registry.models import Household, Membership, Person

DEMO_ROUND = "2568-2"
ROUND_START = dt.date(2025, 10, 1)
ROUND_DAYS = 80
TODAY = dt.date(2026, 1, 15)  # registry.demo's default "today"
TENURE_RISK = {
    "public_land": 1.0,
    "rent_free": 0.6,
    "rented": 0.5,
    "owned_house_rented_land": 0.4,
    "owned": 0.0,
    "other": 0.5,
    "": 0.5,
}
# Capital -> how strongly it follows each household fact (plus the shared well-being).
CAPITAL_SHIFT = {
    "human": {"dependency": -0.5, "illness": -0.5, "education": 0.35},
    "physical": {"tenure_risk": -0.8},
    "financial": {"income": 0.6},
    "natural": {"tenure_risk": -0.3, "constant": -0.35},
    "social": {"constant": 0.2},
}
# Household indicators: extra push towards "not met" from household facts.
HOUSEHOLD_PUSH = {
    "l1_housing": {"tenure_risk": 2.0},
    "h3_medicines": {"illness": 0.8},
    "l2_drinking_water": {"tenure_risk": 0.6},
    "l3_water_use": {"tenure_risk": 0.8},
}
BATCH = 20_000


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _registry_frames(household_ids: list[int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Demo households (id, tenure) and their current members with the facts the answers use."""
    q = connection.ops.quote_name
    household = q(Household._meta.db_table)
    membership = q(Membership._meta.db_table)
    person = q(Person._meta.db_table)
    where = "h.is_demo" if connection.vendor == "postgresql" else "h.is_demo = 1"
    params: list = []
    if household_ids is not None:
        where = f"h.id IN ({', '.join(['%s'] * len(household_ids))})" if household_ids else "1=0"
        params = list(household_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.id, h.tenure FROM {household} h WHERE {where} ORDER BY h.id",  # noqa: S608
            params,
        )
        households = pd.DataFrame(cursor.fetchall(), columns=["household_id", "tenure"])
        cursor.execute(
            "SELECT m.household_id, p.id, p.birth_date, p.has_disability_card, "  # noqa: S608
            "p.chronic_illness, p.education, p.occupation, p.monthly_income, "
            "p.is_undocumented, m.start_date "
            f"FROM {membership} m JOIN {person} p ON p.id = m.person_id "
            f"JOIN {household} h ON h.id = m.household_id "
            f"WHERE m.end_date IS NULL AND {where} ORDER BY m.household_id, p.id",
            params,
        )
        people = pd.DataFrame(
            cursor.fetchall(),
            columns=[
                "household_id",
                "person_id",
                "birth_date",
                "disabled",
                "chronic",
                "education",
                "occupation",
                "income",
                "undocumented",
                "start_date",
            ],
        )
    people["birth_date"] = pd.to_datetime(people["birth_date"].astype("string"), errors="coerce")
    people["start_date"] = pd.to_datetime(people["start_date"].astype("string"), errors="coerce")
    people["income"] = pd.to_numeric(people["income"], errors="coerce").astype("float64")
    people["disabled"] = people["disabled"].astype(bool)
    people["undocumented"] = people["undocumented"].astype(bool)
    return households, people


def _facts(
    households: pd.DataFrame,
    people: pd.DataFrame,
    rng,
    spec: Spec,
    round_start: dt.date = ROUND_START,
) -> pd.DataFrame:
    """One row per household: collection day, registry facts, latent well-being."""
    n = len(households)
    frame = households.set_index("household_id")
    latest_start = people.groupby("household_id")["start_date"].max()
    offsets = rng.integers(0, ROUND_DAYS, size=n).astype("timedelta64[D]")
    collected = pd.Series(
        (np.datetime64(round_start, "D") + offsets).astype("datetime64[ns]"), index=frame.index
    )
    day = np.timedelta64(1, "D")
    after_start = latest_start.reindex(frame.index) + day
    collected = collected.where(~(after_start > collected), after_start)
    collected = collected.clip(upper=np.datetime64(TODAY, "ns"))
    frame["collected_on"] = collected.dt.date

    age = _ages(people, frame["collected_on"])
    people["age"] = age
    working = (age >= 18) & (age < 60)
    grouped = people.assign(
        working_with_income=working & people["income"].notna(),
        dependant=(age < 15) | (age >= 60) | people["disabled"],
        ill=people["chronic"].astype(str).str.len() > 0,
        unemployed=working & people["income"].isna(),
        schooled=people["education"].isin(
            ["upper_secondary", "vocational", "diploma", "bachelor", "higher"]
        ),
        income_filled=people["income"].fillna(0.0),
    ).groupby("household_id")
    size = grouped.size().reindex(frame.index).fillna(0)
    income_year = grouped["income_filled"].sum().reindex(frame.index).fillna(0) * 12
    threshold = float(spec.income_threshold or 38_000)
    per_person = income_year / size.clip(lower=1)
    frame["members"] = size.astype(int)
    frame["income_per_person"] = per_person
    frame["income_threshold"] = threshold
    frame["income"] = np.clip(np.log((per_person + 3_000) / threshold), -1.5, 1.0)
    frame["tenure_risk"] = frame["tenure"].map(TENURE_RISK).fillna(0.5)
    dependants = grouped["dependant"].sum().reindex(frame.index).fillna(0)
    earners = grouped["working_with_income"].sum().reindex(frame.index).fillna(0)
    frame["dependency"] = np.minimum(dependants / earners.clip(lower=1), 3) / 3
    frame["illness"] = (grouped["ill"].mean().reindex(frame.index).fillna(0)) + 0.5 * (
        grouped["disabled"].any().reindex(frame.index).fillna(False)
    )
    frame["education"] = grouped["schooled"].any().reindex(frame.index).fillna(False).astype(float)
    frame["undocumented"] = grouped["undocumented"].any().reindex(frame.index).fillna(False)
    frame["unemployed"] = grouped["unemployed"].any().reindex(frame.index).fillna(False)
    frame["elderly_or_disabled"] = grouped["dependant"].any().reindex(frame.index).fillna(False)
    frame["constant"] = 1.0
    # Centred near 0 for the pilot's population; about 0.7 standard deviation.
    frame["wellbeing"] = (
        0.55
        + 0.6 * frame["income"]
        - 0.5 * frame["tenure_risk"]
        - 0.4 * frame["dependency"]
        - 0.4 * frame["illness"]
        - 0.3 * frame["undocumented"]
        + rng.normal(0, 0.4, size=n)
    )
    return frame


def _ages(people: pd.DataFrame, collected_on: pd.Series) -> np.ndarray:
    """Completed years at the household's collection day."""
    on = pd.to_datetime(people["household_id"].map(collected_on).astype("string"))
    born = people["birth_date"]
    years = on.dt.year - born.dt.year
    before_birthday = (on.dt.month * 100 + on.dt.day) < (born.dt.month * 100 + born.dt.day)
    return (years - before_birthday.astype(int)).fillna(-1).astype(int).to_numpy()


def _capital_items(frame: pd.DataFrame, spec: Spec, rng) -> dict[str, np.ndarray]:
    base = 2.55 + 0.8 * frame["wellbeing"].to_numpy()
    items = {}
    for capital in spec.capitals:
        shift = np.zeros(len(frame))
        for fact, weight in CAPITAL_SHIFT.get(capital.code, {}).items():
            shift += weight * frame[fact].to_numpy(dtype=float)
        capital_noise = rng.normal(0, 0.3, size=len(frame))
        for item in capital.items:
            raw = base + shift + capital_noise + rng.normal(0, 0.55, size=len(frame))
            items[item] = np.clip(np.rint(raw), 1, 4).astype(int)
    return items


def _household_answers(frame: pd.DataFrame, spec: Spec, rng, people: pd.DataFrame) -> dict:
    """Household-level indicators: {code: array of True met / False not met / None n.a.}."""
    wellbeing = frame["wellbeing"].to_numpy()
    has_baby = (
        people.assign(baby=(people["age"] >= 0) & (people["age"] <= 1))
        .groupby("household_id")["baby"]
        .any()
        .reindex(frame.index)
        .fillna(False)
        .to_numpy()
    )
    answers = {}
    for ind in spec.indicators:
        if ind.computed == "income_per_person":
            # The volunteer asks the household's income: the engine uses this answer only when
            # the registry's incomes cannot decide (some member's income is not recorded).
            met = frame["income_per_person"].to_numpy() >= frame["income_threshold"].to_numpy()
            answers[ind.code] = met.astype(object)
            continue
        if ind.is_person or ind.computed:
            continue
        push = np.zeros(len(frame))
        for fact, weight in HOUSEHOLD_PUSH.get(ind.code, {}).items():
            push += weight * frame[fact].to_numpy(dtype=float)
        failed = rng.random(len(frame)) < _sigmoid(-2.7 - 1.6 * wellbeing + push)
        values = np.where(failed, False, True).astype(object)
        if ind.code == "h1_birth_weight":
            values[~has_baby] = None
        answers[ind.code] = values
    return answers


def _member_answers(people: pd.DataFrame, frame: pd.DataFrame, spec: Spec, rng) -> pd.DataFrame:
    """Long table (household_id, person_id, code, ok) for eligible members."""
    wellbeing = people["household_id"].map(frame["wellbeing"]).to_numpy()
    age = people["age"].to_numpy()
    has_income = people["income"].notna().to_numpy()
    no_school = (people["education"] == "none").to_numpy()
    ill = (people["chronic"].astype(str).str.len() > 0).to_numpy()
    parts = []
    for ind in spec.indicators:
        if not ind.is_person:
            continue
        eligible = age >= 0
        if ind.min_age is not None:
            eligible &= age >= ind.min_age
        if ind.max_age is not None:
            eligible &= age <= ind.max_age
        if ind.when == "disabled":
            eligible &= people["disabled"].to_numpy()
        logit = -2.6 - 1.5 * wellbeing
        if ind.code == "e4_literacy":
            logit = np.where(no_school, 1.5, -3.5 - wellbeing)
        elif ind.code == "i1_working_age_job":
            logit = np.where(has_income, -3.5, np.where(age >= 18, 2.0, -1.5))
        elif ind.code == "e2_compulsory":
            logit = -3.0 - 1.5 * wellbeing
        elif ind.code == "a1_elderly_care":
            logit = -2.6 - 1.5 * wellbeing + 0.8 * ill
        failed = rng.random(len(people)) < _sigmoid(logit)
        chosen = people.loc[eligible, ["household_id", "person_id"]].copy()
        chosen["code"] = ind.code
        chosen["ok"] = ~failed[eligible]
        parts.append(chosen)
    if not parts:
        return pd.DataFrame(columns=["household_id", "person_id", "code", "ok"])
    return pd.concat(parts, ignore_index=True)


def _problems(frame: pd.DataFrame, items: dict, spec: Spec, failed_codes: dict) -> list[list]:
    """Up to three problems per household, most pressing first."""
    n = len(frame)
    severity = {
        "income": -frame["income"].to_numpy() * 2,
        "debt": 3 - items.get("fi3_debt", np.full(n, 3)),
        "housing": 2 * frame["tenure_risk"].to_numpy() + (3 - items.get("ph1_housing", 3)),
        "health": 2 * frame["illness"].to_numpy(),
        "documents": 2.5 * frame["undocumented"].to_numpy(dtype=float),
        "education": 2.0 * failed_codes.get("education", np.zeros(n)),
        "work": 2.2 * frame["unemployed"].to_numpy(dtype=float),
        "care": 1.2 * frame["elderly_or_disabled"].to_numpy(dtype=float),
    }
    known = [code for code in severity if code in spec.problems]
    if not known:
        return [[] for _ in range(n)]
    matrix = np.column_stack([np.asarray(severity[c], dtype=float) for c in known])
    order = np.argsort(-matrix, axis=1, kind="stable")[:, :3]
    picked = np.take_along_axis(matrix, order, axis=1)
    return [
        [known[j] for j, s in zip(row, scores, strict=True) if s >= 1.0]
        for row, scores in zip(order.tolist(), picked.tolist(), strict=True)
    ]


def demo_surveys_delete(round_name: str | None = None) -> None:
    """Remove assessments and surveys of demo households (before the registry demo is rebuilt),
    or only those of one round. Surveys a targeting visit points at are left to the targeting
    demo."""
    q = connection.ops.quote_name
    household = q(Household._meta.db_table)
    assessment = q(Assessment._meta.db_table)
    survey = q(SurveyResponse._meta.db_table)
    demo = "is_demo" if connection.vendor == "postgresql" else "is_demo = 1"
    keep = ""
    visit_field = next(
        (f for f in SurveyResponse._meta.related_objects if f.related_name == "visit"), None
    )
    if visit_field is not None:
        visit = q(visit_field.related_model._meta.db_table)
        column = q(visit_field.field.column)
        keep = f" AND NOT EXISTS (SELECT 1 FROM {visit} v WHERE v.{column} = s.id)"  # noqa: S608
    params: list = []
    in_round = ""
    if round_name is not None:
        in_round, params = " AND round_name = %s", [round_name]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {assessment} WHERE household_id IN "  # noqa: S608 (our table names)
            f"(SELECT id FROM {household} WHERE {demo}){in_round}",
            params,
        )
        cursor.execute(
            f"DELETE FROM {survey} WHERE id IN (SELECT s.id FROM {survey} s "  # noqa: S608
            f"JOIN {household} h ON h.id = s.household_id WHERE h.{demo}{keep}{in_round})",
            params,
        )


def demo_surveys_load(
    *,
    seed: int,
    round_name: str = DEMO_ROUND,
    household_ids: list[int] | None = None,
    progress=None,
    round_start: dt.date = ROUND_START,
    wellbeing_shift: dict[int, float] | None = None,
) -> int:
    """Write one survey per demo household (or per given household) for `round_name`, on the
    active indicator set. Adds rows; `demo_surveys_delete` removes earlier ones. Returns the
    number of surveys written.

    Another round of the same households: the same seed gives the same latent well-being and
    answer noise, collected from `round_start`; `wellbeing_shift` ({household id: change})
    moves some households' well-being, so only they change level (see
    `ppaos.demo.livelihoods`)."""
    indicator_set = indicator_set_active()
    spec = compile_definition(indicator_set.definition)
    rng = np.random.default_rng(seed)
    households, people = _registry_frames(household_ids)
    if households.empty:
        return 0
    frame = _facts(households, people, rng, spec, round_start)
    if wellbeing_shift:
        frame["wellbeing"] += pd.Series(wellbeing_shift, dtype="float64").reindex(
            frame.index, fill_value=0.0
        )
    items = _capital_items(frame, spec, rng)
    answers = _household_answers(frame, spec, rng, people)
    members = _member_answers(people, frame, spec, rng)
    education_codes = [i.code for i in spec.indicators if i.dimension == "education"]
    education_failed = (
        members[members["code"].isin(education_codes) & ~members["ok"]]
        .groupby("household_id")
        .size()
        .reindex(frame.index)
        .fillna(0)
        .gt(0)
        .to_numpy(dtype=float)
    )
    problems = _problems(frame, items, spec, {"education": education_failed})
    member_json = _member_json(members, frame.index)
    now = dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=dt.UTC)
    item_codes = list(items)
    item_rows = np.column_stack([items[c] for c in item_codes]).tolist() if item_codes else []
    answer_codes = list(answers)
    answer_rows = (
        np.column_stack([answers[c] for c in answer_codes]).tolist() if answer_codes else []
    )
    rows = []
    written = 0
    dumps = _dumps
    with transaction.atomic():
        for position, household_id in enumerate(frame.index.tolist()):
            rows.append(
                {
                    "household_id": household_id,
                    "indicator_set_id": indicator_set.pk,
                    "collected_on": frame["collected_on"].iat[position],
                    "collected_by_id": None,
                    "round_name": round_name,
                    # null: "does not apply" (no newborn); an absent code would be unknown.
                    "indicators": dumps(
                        dict(zip(answer_codes, answer_rows[position], strict=True))
                        if answer_codes
                        else {}
                    ),
                    "member_indicators": member_json.get(household_id, "{}"),
                    "capital_items": dumps(
                        dict(zip(item_codes, item_rows[position], strict=True))
                        if item_codes
                        else {}
                    ),
                    "problems": dumps(problems[position]),
                    "needs": "",
                    "created_at": now,
                }
            )
            if len(rows) >= BATCH:
                bulk.rows_write(SurveyResponse, rows)
                written += len(rows)
                rows = []
                if progress:
                    progress(written, len(frame))
        bulk.rows_write(SurveyResponse, rows)
        written += len(rows)
    return written


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _member_json(members: pd.DataFrame, index) -> dict[int, str]:
    """{household id: '{"person id": {"code": bool}}'} built without per-row pandas calls."""
    if members.empty:
        return {}
    members = members.sort_values(["household_id", "person_id", "code"], kind="stable")
    result: dict[int, str] = {}
    current_household, current_person = None, None
    people: dict[str, dict] = {}
    for household_id, person_id, code, ok in zip(
        members["household_id"].tolist(),
        members["person_id"].tolist(),
        members["code"].tolist(),
        members["ok"].tolist(),
        strict=True,
    ):
        if household_id != current_household:
            if current_household is not None:
                result[current_household] = _dumps(people)
            current_household, current_person, people = household_id, None, {}
        if person_id != current_person:
            current_person = person_id
            answers = people[str(person_id)] = {}
        answers[code] = bool(ok)
    if current_household is not None:
        result[current_household] = _dumps(people)
    return result
