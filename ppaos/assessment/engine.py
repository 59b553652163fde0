"""Survey answers → household deprivations, capital scores and levels, computed in DuckDB.

Two steps, so benchmarks can time them apart:

1. `extract(round_name)` reads the rows the round needs out of the Django database (PostgreSQL
   or SQLite) into an in-memory DuckDB: the candidate surveys and the memberships (with each
   person's birth date, disability card and income) of the households they are about.
   PostgreSQL streams `COPY (query) TO STDOUT (FORMAT csv)` to a temporary file that DuckDB's
   CSV reader loads; SQLite goes through a pandas DataFrame. DuckDB's postgres and sqlite
   scanners are extensions that need a download, so they are not used.
2. `compute(con, round_name, spec_by_set)` runs the whole assessment as SQL in DuckDB and
   returns one DataFrame per indicator set, one row per household.

Rules (all from the indicator set's definition, see definition.py):

* The survey used is the household's latest of the round; without one, its latest survey
  collected on or before the round's last collection day (carried forward).
* Each indicator ends in one of four states: 1 not met (deprived), 0 met, NULL does not apply,
  2 unknown. Unknown is neither deprived nor not deprived: it is listed as missing
  (`missing_mask`) and never guessed.
* Household-level indicator: the survey's answer (true met → 0, false not met → 1, null → does
  not apply; no answer, or one that is not true/false/null → unknown).
* Person-level indicator: the answers in `member_indicators` of the members living in the
  household on the survey day who are eligible (age in completed years at the survey day within
  `ages`, a disability card when `when` is "disabled"). The household is deprived when any
  (or all, or most; `poverty_rule.household_deprived_when`) eligible member is deprived, as
  soon as the answers given decide it whatever the unanswered members would say. Otherwise
  the household-level answer is used; without one the indicator does not apply when no member
  is eligible, and is unknown when some eligible member was not asked.
* Income (`computed: income_per_person`): the members' monthly incomes × 12 / members, against
  the threshold per person per year; deprived when strictly below (compared exactly, in
  decimals). An unknown income is not 0: with every income known the comparison decides; when
  the known incomes alone reach the threshold the household is not deprived; otherwise the
  survey's answer is used, and without one the indicator is unknown.
* In the Alkire–Foster matrix (`m_<code>`) only "not met" counts; the caller decides from
  `missing_mask` whether the unknowns could change who is poor (`status.py`).
* Capital score = mean of the capital's answered items (1–4; anything else is missing); overall
  score by `capitals.overall_rule`, only when every capital has an answered item; the level is
  decided in integer arithmetic, so 1.75 is exactly "อยู่ยาก", then the set's level overrides
  apply (`score_level` before them, `level_reasons` the overrides that changed it).
"""

import datetime as dt
import math
import tempfile
from fractions import Fraction
from pathlib import Path

import duckdb
import pandas as pd
from django.db import connection

from ppaos.assessment import status
from ppaos.assessment.definition import ITEM_MAX, ITEM_MIN, Spec
from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.registry.models import Membership, Person

SURVEY_COLUMNS = {
    "id": "BIGINT",
    "household_id": "BIGINT",
    "indicator_set_id": "BIGINT",
    "collected_on": "DATE",
    "round_name": "VARCHAR",
    "indicators": "VARCHAR",
    "member_indicators": "VARCHAR",
    "capital_items": "VARCHAR",
}
MEMBER_COLUMNS = {
    "household_id": "BIGINT",
    "person_id": "BIGINT",
    "birth_date": "DATE",
    "disabled": "BOOLEAN",
    "monthly_income": "DECIMAL(12,2)",
    "start_date": "DATE",
    "end_date": "DATE",
}


def round_cutoff(round_name: str) -> dt.date | None:
    """The round's last collection day, or None when the round has no surveys."""
    return (
        SurveyResponse.objects.filter(round_name=round_name)
        .order_by("-collected_on")
        .values_list("collected_on", flat=True)
        .first()
    )


def _source_queries(round_name: str, cutoff: dt.date) -> tuple[str, str, list]:
    """SQL for the candidate surveys and their households' memberships, in the Django DB."""
    q = connection.ops.quote_name
    survey = q(SurveyResponse._meta.db_table)
    assessment = q(Assessment._meta.db_table)
    membership = q(Membership._meta.db_table)
    person = q(Person._meta.db_table)
    as_text = "::text" if connection.vendor == "postgresql" else ""
    # Quoted table names only; every value is a parameter.
    where = (
        "(s.round_name = %s OR s.collected_on <= %s) AND NOT EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {assessment} a WHERE a.household_id = s.household_id "
        "AND a.round_name = %s)"
    )
    params = [round_name, cutoff, round_name]
    surveys = (
        "SELECT s.id, s.household_id, s.indicator_set_id, s.collected_on, "  # noqa: S608
        f"s.round_name, s.indicators{as_text}, s.member_indicators{as_text}, "
        f"s.capital_items{as_text} FROM {survey} s WHERE {where}"
    )
    members = (
        "SELECT m.household_id, m.person_id, p.birth_date, "  # noqa: S608
        "p.has_disability_card, p.monthly_income, m.start_date, m.end_date "
        f"FROM {membership} m JOIN {person} p ON p.id = m.person_id "
        f"WHERE m.household_id IN (SELECT s.household_id FROM {survey} s WHERE {where})"
    )
    return surveys, members, params


def _load_postgres(con, table: str, query: str, params: list, columns: dict, tmp: Path) -> None:
    from psycopg import sql

    path = tmp / f"{table}.csv"
    literal = sql.SQL(query.replace("%s", "{}")).format(*[sql.Literal(p) for p in params])
    with connection.cursor() as cursor, open(path, "wb") as out:
        raw = cursor.cursor
        statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv)").format(literal)
        with raw.copy(statement) as copy:
            for block in copy:
                out.write(block)
    reader = (
        f"read_csv(?, header = false, columns = {_columns_literal(columns)}, quote = '\"', "
        "escape = '\"', nullstr = '', auto_detect = false)"
    )
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {reader}", [str(path)])  # noqa: S608


def _columns_literal(columns: dict) -> str:
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def _load_generic(con, table: str, query: str, params: list, columns: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for name, kind in columns.items():
        if kind == "DATE":
            frame[name] = frame[name].map(lambda v: None if v is None else str(v)[:10])
        elif kind.startswith("DECIMAL"):
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        elif kind == "VARCHAR":
            frame[name] = frame[name].astype("object")
        elif kind == "BOOLEAN":
            frame[name] = frame[name].astype("bool")
        elif kind == "BIGINT":
            frame[name] = frame[name].astype("int64")
    casts = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns.items())
    con.register("_frame", frame)
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {casts} FROM _frame")  # noqa: S608
    con.unregister("_frame")


def extract(round_name: str, *, cutoff: dt.date | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding `surveys` and `members` for households not yet assessed in
    the round. Empty tables when the round has no surveys."""
    cutoff = cutoff or round_cutoff(round_name) or dt.date.min
    con = duckdb.connect()
    surveys, members, params = _source_queries(round_name, cutoff)
    if connection.vendor == "postgresql":
        with tempfile.TemporaryDirectory(prefix="ppaos-assess-") as tmp:
            _load_postgres(con, "surveys", surveys, params, SURVEY_COLUMNS, Path(tmp))
            _load_postgres(con, "members", members, params, MEMBER_COLUMNS, Path(tmp))
    else:
        _load_generic(con, "surveys", surveys, params, SURVEY_COLUMNS)
        _load_generic(con, "members", members, params, MEMBER_COLUMNS)
    return con


# ---------------------------------------------------------------------------------------------
# The computation
# ---------------------------------------------------------------------------------------------


UNKNOWN = 2


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _paths(codes: list[str]) -> str:
    """A list of JSON paths, one per code, for one `json_extract` call: each row is parsed
    once whatever the number of codes (codes are validated identifiers)."""
    return "[" + ", ".join(_sql_string(f'$."{c}"') for c in codes) + "]"


def _as_boolean(raw: str) -> str:
    """An answer's JSON text as a boolean, as `from_json(..., VARCHAR)` and TRY_CAST read it:
    true/false, a string or number that reads as one ("true", "yes", 1...), else NULL."""
    return (
        f"CASE WHEN {raw} = 'true' THEN true WHEN {raw} = 'false' THEN false "
        f"WHEN {raw} IS NULL OR {raw} = 'null' THEN NULL "
        f"ELSE TRY_CAST(json_extract_string({raw}, '$') AS BOOLEAN) END"
    )


def _answer(raw: str) -> str:
    """The survey's answer as a state: 1 not met, 0 met, NULL n/a, 2 unknown. `raw` is the
    answer's JSON text, NULL when the key is absent (unknown) and 'null' when it does not
    apply."""
    value = _as_boolean(raw)
    return (
        f"CASE WHEN {raw} IS NULL THEN {UNKNOWN} WHEN {raw} = 'null' THEN NULL "
        f"WHEN {value} THEN 0 WHEN NOT {value} THEN 1 ELSE {UNKNOWN} END"
    )


def _member_rule(spec: Spec, eligible: str, met: str, failed: str) -> tuple[str, str]:
    """(decided, deprived) SQL over the `eligible`, `met` and `failed` counts of one indicator:
    decided when the unanswered eligible members could not change the household's result."""
    e, m, f = eligible, met, failed
    return {
        "any_eligible_member": (f"{f} > 0 OR {m} = {e}", f"{f} > 0"),
        "all_eligible_members": (f"{m} > 0 OR {f} = {e}", f"{m} = 0 AND {f} = {e}"),
        "most_eligible_members": (
            f"2 * {f} > {e} OR 2 * ({e} - {m}) <= {e}",
            f"2 * {f} > {e}",
        ),
    }[spec.member_rule]


def _threshold_sql(spec: Spec) -> tuple[str, str]:
    """(numerator, denominator) SQL of the income threshold that applies to the survey."""
    if not spec.income_threshold_by_year:
        t = spec.income_threshold or Fraction(0)
        return str(t.numerator), str(t.denominator)
    years = sorted(spec.income_threshold_by_year, reverse=True)
    first = spec.income_threshold_by_year[years[-1]]
    be_year = "(year(c.collected_on) + 543)"
    num = " ".join(
        f"WHEN {be_year} >= {y} THEN {spec.income_threshold_by_year[y].numerator}" for y in years
    )
    den = " ".join(
        f"WHEN {be_year} >= {y} THEN {spec.income_threshold_by_year[y].denominator}" for y in years
    )
    return (
        f"CASE {num} ELSE {first.numerator} END",
        f"CASE {den} ELSE {first.denominator} END",
    )


def _person_codes(spec: Spec) -> list:
    return [i for i in spec.indicators if i.is_person]


def _eligible_sql(ind) -> str:
    """Whether the member (`age`, `disabled`) is eligible for a person-level indicator."""
    conditions = []
    if ind.min_age is not None:
        conditions.append(f"age >= {int(ind.min_age)}")
    if ind.max_age is not None:
        conditions.append(f"age <= {int(ind.max_age)}")
    if ind.when == "disabled":
        conditions.append("disabled")
    return f"coalesce({' AND '.join(conditions)}, false)" if conditions else "true"


def _indicator_sql(spec: Spec) -> tuple[list[str], list[str]]:
    """(deprivation expressions, detail JSON pieces), one per indicator.

    Details say why, and are kept small (they are stored for every household): the income
    figures when the registry had members here (`source` "registry" when they decided, else
    "survey"), and the failing members of person-level indicators when any member failed. A
    piece is NULL when there is nothing to say. Person-level counts come from `inc`, one row
    per survey: `el_<j>` eligible members, `met_<j>` and `fa_<j>` those whose answer met or
    failed the j-th person-level indicator, `ids_<j>` the failing members' ids."""
    expressions, details = [], []
    person = {i.code: j for j, i in enumerate(_person_codes(spec))}
    for n, ind in enumerate(spec.indicators, start=1):
        answer = _answer(f"c.ind[{n}]")
        code = ind.code
        if ind.computed == "income_per_person":
            num, den = _threshold_sql(spec)
            all_known = "coalesce(inc.n, 0) > 0 AND inc.known = inc.n"
            enough = f"coalesce(inc.known, 0) > 0 AND inc.total * 12 * ({den}) >= ({num}) * inc.n"
            expressions.append(
                f"CASE WHEN {all_known} THEN "
                f"CASE WHEN inc.total * 12 * ({den}) < ({num}) * inc.n THEN 1 ELSE 0 END "
                f"WHEN {enough} THEN 0 ELSE {answer} END"
            )
            details.append(
                f"CASE WHEN coalesce(inc.n, 0) > 0 THEN '\"{code}\": ' || to_json({{'source': "
                f"CASE WHEN ({all_known}) OR ({enough}) THEN 'registry' ELSE 'survey' END, "
                "'members': inc.n, 'known': inc.known, 'monthly_total': inc.total::DOUBLE, "
                f"'threshold': (({num}) / ({den}))::DOUBLE}}) END"
            )
        elif ind.is_person:
            j = person[code]
            e, m, f = f"coalesce(inc.el_{j}, 0)", f"inc.met_{j}", f"inc.fa_{j}"
            decided, deprived = _member_rule(spec, e, m, f)
            expressions.append(
                f"CASE WHEN {e} > 0 AND ({decided}) THEN ({deprived})::INTEGER "
                f"WHEN ({answer}) IS DISTINCT FROM {UNKNOWN} THEN {answer} "
                f"WHEN {e} = 0 THEN NULL ELSE {UNKNOWN} END"
            )
            details.append(
                f"CASE WHEN {f} > 0 THEN '\"{code}\": ' || to_json({{'source': 'members', "
                f"'answered': {m} + {f}, 'eligible': {e}, 'failed': list_sort(inc.ids_{j})}}) END"
            )
        else:
            expressions.append(answer)
    return expressions, details


def _capital_sql(spec: Spec) -> tuple[list[str], str, str]:
    """(per-capital (sum, count) column SQL, overall numerator, overall denominator).

    The overall score is numerator / denominator in integers, so the level can be decided
    exactly: capital means are S_c / n_c = S_c * (L / n_c) / L with L = lcm(1..max items)."""
    columns, sums, counts, scaled, present = [], [], [], [], []
    lcm = spec.items_lcm
    for cap in spec.capitals:
        values = [f'it."{item}"' for item in cap.items]
        s = " + ".join(f"coalesce({v}, 0)" for v in values)
        n = " + ".join(f"({v} IS NOT NULL)::INTEGER" for v in values)
        columns += [f'({s}) AS "s_{cap.code}"', f'({n}) AS "c_{cap.code}"']
        sums.append(f'"s_{cap.code}"')
        counts.append(f'"c_{cap.code}"')
        scaled.append(
            f'CASE WHEN "c_{cap.code}" > 0 THEN "s_{cap.code}" * ({lcm} // "c_{cap.code}") END'
        )
        present.append(f'("c_{cap.code}" > 0)::INTEGER')
    if spec.overall_rule == "mean_of_items":
        numerator, denominator = " + ".join(sums), " + ".join(counts)
    elif spec.overall_rule == "min_of_capitals":
        numerator = f"coalesce(least({', '.join(scaled)}), 0)"
        denominator = f"CASE WHEN ({' + '.join(present)}) > 0 THEN {lcm} ELSE 0 END"
    else:
        numerator = " + ".join(f"coalesce({x}, 0)" for x in scaled)
        denominator = f"{lcm} * ({' + '.join(present)})"
    # A capital without any answered item is missing: no overall score rather than a guess.
    every = " AND ".join(f"{x} > 0" for x in counts) or "true"
    denominator = f"CASE WHEN {every} THEN {denominator} ELSE 0 END"
    return columns, f"({numerator})::BIGINT", f"({denominator})::BIGINT"


def _level_sql(spec: Spec) -> str:
    cases = " ".join(
        f"WHEN num * {lv.min.denominator} >= {lv.min.numerator} * den THEN {lv.level}"
        for lv in sorted(spec.levels, key=lambda lv: lv.min, reverse=True)
    )
    return f"CASE WHEN den = 0 THEN NULL {cases} END"


def _override_sql(spec: Spec) -> tuple[str, str]:
    """(final level, JSON list of the overrides that changed it) from `score_level` and the
    indicator states `g_<code>`: floors first, then ceilings."""
    level, reasons = "score_level", []
    floors = [o for o in spec.overrides if o.at_least is not None]
    ceilings = [o for o in spec.overrides if o.at_most is not None]
    for o in floors + ceilings:
        holds = f'"g_{o.indicator}" = {1 if o.state == "deprived" else 0}'
        if o.at_least is not None:
            level = f"CASE WHEN {holds} THEN greatest({level}, {o.at_least}) ELSE {level} END"
            changes = f"score_level < {o.at_least}"
        else:
            level = f"CASE WHEN {holds} THEN least({level}, {o.at_most}) ELSE {level} END"
            changes = f"score_level > {o.at_most}"
        reasons.append(f"CASE WHEN {holds} AND {changes} THEN {_sql_string(o.code)} END")
    listed = f"list_filter([{', '.join(reasons)}]::VARCHAR[], lambda x: x IS NOT NULL)"
    # least/greatest skip NULLs: a household without a score keeps no level.
    level = f"CASE WHEN score_level IS NULL THEN NULL ELSE {level} END"
    return level, f"to_json({listed if reasons else '[]::VARCHAR[]'})"


def _prepare(con: duckdb.DuckDBPyConnection, round_name: str) -> None:
    """`chosen` (one survey per household: the round's latest, else the latest before it; its
    answers stay in `surveys`, read once by id) and `present` (members on the survey day)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE chosen AS
        SELECT id, household_id, indicator_set_id, collected_on FROM surveys
        WHERE id IN (
            SELECT arg_max(id, {'in_round': round_name = $round, 'on': collected_on, 'id': id})
            FROM surveys GROUP BY household_id)
        """,
        {"round": round_name},
    )
    # A person listed twice in the household on the day counts once; their values come from
    # the person, so any of the rows gives the same ones.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE present AS
        SELECT c.id AS survey_id, m.person_id, any_value(m.disabled) AS disabled,
            any_value(m.monthly_income) AS monthly_income,
            any_value(year(c.collected_on) - year(m.birth_date)
              - CASE WHEN month(c.collected_on) * 100 + day(c.collected_on)
                        < month(m.birth_date) * 100 + day(m.birth_date) THEN 1 ELSE 0 END) AS age
        FROM chosen c
        JOIN members m ON m.household_id = c.household_id
         AND m.start_date <= c.collected_on
         AND (m.end_date IS NULL OR m.end_date >= c.collected_on)
        GROUP BY c.id, m.person_id
        """
    )


def _weights(spec: Spec) -> tuple[list[int], int]:
    """The indicators' weights as integers over their common denominator (exact)."""
    denominator = math.lcm(*(w.denominator for w in spec.weights.values()))
    return [int(spec.weights[c] * denominator) for c in spec.codes], denominator


def _poverty_sql(spec: Spec) -> dict[str, str]:
    """What `ppaos assess` stores about poverty, over `known` (the weights of the indicators
    not met) and `unknown` (of those unknown), integers over the weights' denominator D:

    * `deprivation_score`: known / D as a reduced fraction ("3/20", "0");
    * `deprivation_score_value`: the same as a float (both integers are exact doubles, so the
      division rounds once, as numpy's);
    * `is_poor`: the Alkire–Foster identification of `mpi.alkire_foster`, score >= k, exactly;
    * `status`: poor, not poor, or incomplete when the unknowns could still make it poor
      (status.py)."""
    weights, d = _weights(spec)
    if d >= 2**53:
        raise ValueError("indicator weights with a common denominator of 2**53 or more")
    k = spec.k
    g = f"gcd(known, {d})"
    return {
        "deprivation_score": (
            f"CASE WHEN known = 0 THEN '0' WHEN {d} // {g} = 1 THEN (known // {g})::VARCHAR "
            f"ELSE (known // {g})::VARCHAR || '/' || ({d} // {g})::VARCHAR END"
        ),
        "deprivation_score_value": f"known::DOUBLE / {d}::DOUBLE",
        "is_poor": f"known * {k.denominator} >= {k.numerator} * {d}",
        "status": status.status_sql(known="known", unknown="unknown", k=k, denominator=d),
    }


# Stored in `assessment_assessment`, in this order (the CSV written for COPY follows it).
STORED = [
    "household_id",
    "round_name",
    "indicator_set_id",
    "survey_id",
    "members",
    "details",
    "deprivation_score",
    "deprived_mask",
    "unset_mask",
    "deprivation_score_value",
    "is_poor",
    "capital_scores",
    "overall_score",
    "level",
    "computed_at",
    "status",
    "missing",
    "score_level",
    "level_reasons",
]


def _compute_set(con, set_id: int, spec: Spec, table: str) -> None:
    """Fill `table` with one row per household of the set: the STORED columns (`round_name`
    and `computed_at` are added when writing) and the deprivation matrix `m_<code>`."""
    expressions, details = _indicator_sql(spec)
    cap_columns, numerator, denominator = _capital_sql(spec)
    final_level, level_reasons = _override_sql(spec)
    items = [item for cap in spec.capitals for item in cap.items]
    allowed = ", ".join(f"'{v}'" for v in range(ITEM_MIN, ITEM_MAX + 1))
    item_columns = [
        f'CASE WHEN c.itm[{n}] IN ({allowed}) THEN c.itm[{n}]::INTEGER END AS "{item}"'
        for n, item in enumerate(items, start=1)
    ] or ["NULL AS _none"]
    person = _person_codes(spec)
    # One member's answers: their object in member_indicators, then every code's answer.
    member = "json_extract(c.member_indicators, '$.\"' || p.person_id || '\"')"
    member_answers = (
        f"json_extract({member}, {_paths([i.code for i in person])})" if person else "[]::VARCHAR[]"
    )
    eligible = [f"{_eligible_sql(i)} AS e_{j}" for j, i in enumerate(person)]
    answers = [f"{_as_boolean(f'ans[{j + 1}]')} AS ok_{j}" for j in range(len(person))]
    counts = []
    for j in range(len(person)):
        counts += [
            f"count(*) FILTER (WHERE e_{j}) AS el_{j}",
            f"count(*) FILTER (WHERE e_{j} AND ok_{j}) AS met_{j}",
            f"count(*) FILTER (WHERE e_{j} AND NOT ok_{j}) AS fa_{j}",
            f"list(person_id) FILTER (WHERE e_{j} AND NOT ok_{j}) AS ids_{j}",
        ]
    codes = spec.codes
    weights, _ = _weights(spec)
    deprivation_columns = ", ".join(
        f'{e} AS "g_{code}"' for e, code in zip(expressions, codes, strict=True)
    )
    details_json = "'{' || concat_ws(', ', " + ", ".join(details or ["NULL"]) + ") || '}'"
    capital_json = ", ".join(
        f"'{cap.code}': CASE WHEN \"c_{cap.code}\" > 0 "
        f'THEN round("s_{cap.code}" / "c_{cap.code}", 4) END'
        for cap in spec.capitals
    )
    matrix = ", ".join(f'coalesce("g_{code}" = 1, false)::TINYINT AS "m_{code}"' for code in codes)

    deprived = " + ".join(
        f'(coalesce("g_{code}" = 1, false)::BIGINT << {j})' for j, code in enumerate(codes)
    )

    def weighted(state: int) -> str:
        return " + ".join(
            f'(coalesce("g_{code}" = {state}, false)::BIGINT * {w})'
            for code, w in zip(codes, weights, strict=True)
        )

    unset = " + ".join(
        f'((CASE WHEN "g_{code}" IN (0, 1) THEN 0 ELSE 1 END)::BIGINT << {j})'
        for j, code in enumerate(codes)
    )
    missing_codes = ", ".join(
        f'CASE WHEN "g_{code}" = {UNKNOWN} THEN {_sql_string(code)} END' for code in codes
    )
    missing_items = ", ".join(f'CASE WHEN "{i}" IS NULL THEN {_sql_string(i)} END' for i in items)
    poverty = _poverty_sql(spec)
    query = f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH mine AS MATERIALIZED (
            SELECT s.id, s.household_id, s.collected_on, s.member_indicators,
                   json_extract(s.indicators, {_paths(codes)}) AS ind,
                   json_extract_string(s.capital_items, {_paths(items)}) AS itm
            FROM chosen k JOIN surveys s ON s.id = k.id
            WHERE k.indicator_set_id = {int(set_id)}),
        answered AS MATERIALIZED (
            SELECT p.survey_id, p.person_id, p.monthly_income, p.age, p.disabled,
                   {member_answers} AS ans
            FROM present p JOIN mine c ON c.id = p.survey_id),
        flagged AS (
            SELECT survey_id, person_id, monthly_income
                   {"".join(", " + x for x in eligible + answers)}
            FROM answered),
        inc AS (
            SELECT survey_id, count(*) AS n, count(monthly_income) AS known,
                   coalesce(sum(monthly_income), 0) AS total
                   {"".join(", " + x for x in counts)}
            FROM flagged GROUP BY survey_id),
        it AS (SELECT c.id AS survey_id, {", ".join(item_columns)} FROM mine c),
        caps AS (SELECT survey_id, list_filter([{missing_items}]::VARCHAR[],
                        lambda x: x IS NOT NULL) AS missing_items,
                        {", ".join(cap_columns)}
                 FROM it),
        scored AS (
            SELECT c.id AS survey_id, c.household_id, c.collected_on,
                   coalesce(inc.n, 0) AS members,
                   {deprivation_columns},
                   {details_json} AS details,
                   caps.* EXCLUDE (survey_id), {numerator} AS num, {denominator} AS den
            FROM mine c
            LEFT JOIN inc ON inc.survey_id = c.id
            JOIN caps ON caps.survey_id = c.id),
        leveled AS (
            SELECT *, {_level_sql(spec)} AS score_level,
                   ({weighted(1)})::BIGINT AS known, ({weighted(UNKNOWN)})::BIGINT AS unknown
            FROM scored)
        SELECT household_id, {int(set_id)}::BIGINT AS indicator_set_id, survey_id, members,
               details,
               {poverty["deprivation_score"]} AS deprivation_score,
               ({deprived})::BIGINT AS deprived_mask,
               ({unset})::BIGINT AS unset_mask,
               {poverty["deprivation_score_value"]} AS deprivation_score_value,
               {poverty["is_poor"]} AS is_poor,
               to_json({{{capital_json}}}) AS capital_scores,
               -- round(num / den, 6) in integers: exact, as Python's round of the quotient
               CASE WHEN den > 0 THEN
                   ((2 * num::HUGEINT * 1000000 + den) // (2 * den))::DOUBLE / 1000000 END
                   AS overall_score,
               {final_level} AS level,
               {poverty["status"]} AS status,
               to_json(list_concat(list_filter([{missing_codes}]::VARCHAR[],
                       lambda x: x IS NOT NULL), missing_items)) AS missing,
               score_level,
               {level_reasons} AS level_reasons,
               {matrix}
        FROM leveled
    """  # noqa: S608 (codes are validated identifiers; values come from the definition)
    con.execute(query)


def compute(
    con: duckdb.DuckDBPyConnection, round_name: str, specs: dict[int, Spec]
) -> dict[int, str]:
    """Per indicator-set id, the name of a DuckDB table with one row per household (see the
    module docstring): the STORED columns but `round_name` and `computed_at`, and the
    deprivation matrix in `m_<code>` columns (1 not met; met, n/a and unknown 0)."""
    _prepare(con, round_name)
    present = [
        row[0] for row in con.execute("SELECT DISTINCT indicator_set_id FROM chosen").fetchall()
    ]
    missing = sorted(set(present) - set(specs))
    if missing:
        raise KeyError(f"no definition given for indicator sets {missing}")
    tables = {}
    for set_id in sorted(present):
        tables[set_id] = f"assessed_{int(set_id)}"
        _compute_set(con, set_id, specs[set_id], tables[set_id])
    return tables


def stored_query(tables: dict[int, str], *, round_name: str, now: str) -> tuple[str, list]:
    """(SQL, parameters) of every computed row in STORED order, `round_name` and `computed_at`
    (`now` as text) given."""
    columns = ", ".join(
        "$round AS round_name"
        if c == "round_name"
        else "$now::VARCHAR AS computed_at"
        if c == "computed_at"
        else c
        for c in STORED
    )
    union = " UNION ALL ".join(f"SELECT {columns} FROM {t}" for t in tables.values())  # noqa: S608
    return union, {"round": round_name, "now": now}


def write_csv(con, tables: dict[int, str], path: Path, *, round_name: str, now: str) -> None:
    """The rows to store as a CSV file (no header; NULL as an unquoted empty field, as
    PostgreSQL's `COPY ... (FORMAT csv)` reads it)."""
    query, params = stored_query(tables, round_name=round_name, now=now)
    con.execute(f"COPY ({query}) TO {_sql_string(str(path))} (FORMAT csv, HEADER false)", params)
