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
import tempfile
from fractions import Fraction
from pathlib import Path

import duckdb
import pandas as pd
from django.db import connection

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


# member_indicators read as {person id: {code: text}}; anything else in a row reads as NULL.
_MEMBER_MAP = "'\"MAP(VARCHAR, MAP(VARCHAR, VARCHAR))\"'"
# indicators read as {code: text}: a key present with null ("does not apply") is told apart
# from a key absent (unknown).
_ANSWER_MAP = "'\"MAP(VARCHAR, VARCHAR)\"'"
UNKNOWN = 2


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _answer(code: str) -> str:
    """The survey's answer for `code` as a state: 1 not met, 0 met, NULL n/a, 2 unknown."""
    key = _sql_string(code)
    value = f"TRY_CAST(c.ind[{key}] AS BOOLEAN)"
    return (
        f"CASE WHEN NOT coalesce(map_contains(c.ind, {key}), false) THEN {UNKNOWN} "
        f"WHEN c.ind[{key}] IS NULL THEN NULL WHEN {value} THEN 0 WHEN NOT {value} THEN 1 "
        f"ELSE {UNKNOWN} END"
    )


def _struct_type(codes: list[str]) -> str:
    """A from_json structure reading every code as text, so each row is parsed once."""
    if not codes:
        return _sql_string('{"_": "VARCHAR"}')
    return _sql_string("{" + ", ".join(f'"{c}": "VARCHAR"' for c in codes) + "}")


def _member_rule(spec: Spec) -> tuple[str, str]:
    """(decided, deprived) SQL over `eligible`, `failed` and `met` counts of one indicator:
    decided when the unanswered eligible members could not change the household's result."""
    return {
        "any_eligible_member": ("failed > 0 OR met = eligible", "failed > 0"),
        "all_eligible_members": ("met > 0 OR failed = eligible", "met = 0 AND failed = eligible"),
        "most_eligible_members": (
            "2 * failed > eligible OR 2 * (eligible - met) <= eligible",
            "2 * failed > eligible",
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


def _indicator_sql(spec: Spec) -> tuple[list[str], list[str]]:
    """(deprivation expressions, detail JSON pieces), one per indicator.

    Details say why, and are kept small (they are stored for every household): the income
    figures when the registry had members here (`source` "registry" when they decided, else
    "survey"), and (built in `pc`) the failing members of person-level indicators when any
    member failed. A piece is NULL when there is nothing to say. Person-level results arrive as
    bit masks over the person-level codes (`pc.eligible`: some member is eligible;
    `pc.decided`: the answers decide; `pc.deprived`: decided and deprived)."""
    expressions, details = [], []
    person_bits = {i.code: n for n, i in enumerate(i for i in spec.indicators if i.is_person)}
    for ind in spec.indicators:
        answer = _answer(ind.code)
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
            bit = person_bits[code]
            expressions.append(
                f"CASE WHEN (coalesce(pc.decided, 0) >> {bit}) & 1 = 1 "
                f"THEN ((pc.deprived >> {bit}) & 1)::INTEGER "
                f"WHEN ({answer}) IS DISTINCT FROM {UNKNOWN} THEN {answer} "
                f"WHEN (coalesce(pc.eligible, 0) >> {bit}) & 1 = 0 THEN NULL "
                f"ELSE {UNKNOWN} END"
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
    """`chosen` (one survey per household) and `present` (members on the survey day)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE chosen AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT *, row_number() OVER (
                PARTITION BY household_id
                ORDER BY (round_name = $round) DESC, collected_on DESC, id DESC) AS rn
            FROM surveys)
        WHERE rn = 1
        """,
        {"round": round_name},
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE present AS
        SELECT DISTINCT ON (c.id, m.person_id)
            c.id AS survey_id, m.person_id, m.disabled, m.monthly_income,
            year(c.collected_on) - year(m.birth_date)
              - CASE WHEN month(c.collected_on) * 100 + day(c.collected_on)
                        < month(m.birth_date) * 100 + day(m.birth_date) THEN 1 ELSE 0 END AS age
        FROM chosen c
        JOIN members m ON m.household_id = c.household_id
         AND m.start_date <= c.collected_on
         AND (m.end_date IS NULL OR m.end_date >= c.collected_on)
        """
    )


def _person_table(spec: Spec) -> pd.DataFrame:
    rows = [
        {
            "code": i.code,
            "min_age": i.min_age,
            "max_age": i.max_age,
            "disabled_only": i.when == "disabled",
            "bit": n,
        }
        for n, i in enumerate(i for i in spec.indicators if i.is_person)
    ]
    frame = pd.DataFrame(rows, columns=["code", "min_age", "max_age", "disabled_only", "bit"])
    return frame.astype({"min_age": "Int64", "max_age": "Int64", "disabled_only": "bool"})


def _compute_set(con, set_id: int, spec: Spec) -> pd.DataFrame:
    pspec = _person_table(spec)
    con.register("pspec_frame", pspec)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE pspec AS SELECT code::VARCHAR AS code, "
        "min_age::INTEGER AS min_age, max_age::INTEGER AS max_age, "
        "disabled_only::BOOLEAN AS disabled_only, bit::INTEGER AS bit FROM pspec_frame"
    )
    con.unregister("pspec_frame")
    expressions, details = _indicator_sql(spec)
    decided, deprived = _member_rule(spec)
    cap_columns, numerator, denominator = _capital_sql(spec)
    final_level, level_reasons = _override_sql(spec)
    items = [item for cap in spec.capitals for item in cap.items]
    item_columns = []
    for item in items:
        raw = f'c.itm."{item}"'
        allowed = ", ".join(f"'{v}'" for v in range(ITEM_MIN, ITEM_MAX + 1))
        item_columns.append(f'CASE WHEN {raw} IN ({allowed}) THEN {raw}::INTEGER END AS "{item}"')
    codes = spec.codes
    deprivations = ", ".join(
        f'\'{code}\': CASE WHEN "g_{code}" IN (0, 1) THEN "g_{code}" END' for code in codes
    )
    deprivation_columns = ", ".join(
        f'{e} AS "g_{code}"' for e, code in zip(expressions, codes, strict=True)
    )
    details_json = "'{' || concat_ws(', ', " + ", ".join([*details, "pc.details"]) + ") || '}'"
    capital_json = ", ".join(
        f"'{cap.code}': CASE WHEN \"c_{cap.code}\" > 0 "
        f'THEN round("s_{cap.code}" / "c_{cap.code}", 4) END'
        for cap in spec.capitals
    )
    matrix = ", ".join(f'coalesce("g_{code}" = 1, false)::TINYINT AS "m_{code}"' for code in codes)
    mask = " + ".join(
        f'(coalesce("g_{code}" = 1, false)::BIGINT << {j})' for j, code in enumerate(codes)
    )
    unknown = " + ".join(
        f'(coalesce("g_{code}" = {UNKNOWN}, false)::BIGINT << {j})' for j, code in enumerate(codes)
    )
    missing_items = (
        "to_json(list_filter(["
        + ", ".join(f'CASE WHEN "{i}" IS NULL THEN {_sql_string(i)} END' for i in items)
        + "]::VARCHAR[], lambda x: x IS NOT NULL))"
        if items
        else "to_json([]::VARCHAR[])"
    )
    query = f"""
        WITH mine AS MATERIALIZED (
            SELECT id, household_id, collected_on, member_indicators,
                   from_json(indicators, {_ANSWER_MAP}) AS ind,
                   from_json(capital_items, {_struct_type(items)}) AS itm
            FROM chosen WHERE indicator_set_id = {int(set_id)}),
        members_json AS (
            SELECT c.id AS survey_id,
                   unnest(map_entries(from_json(c.member_indicators, {_MEMBER_MAP}))) AS person
            FROM mine c),
        answers AS (
            SELECT survey_id, TRY_CAST(person.key AS BIGINT) AS person_id, answer.key AS code,
                   TRY_CAST(answer.value AS BOOLEAN) AS ok
            FROM (SELECT survey_id, person, unnest(map_entries(person.value)) AS answer
                  FROM members_json)),
        eligible AS (
            SELECT p.survey_id, p.person_id, s.code, s.bit
            FROM present p
            JOIN pspec s
              ON (s.min_age IS NULL OR p.age >= s.min_age)
             AND (s.max_age IS NULL OR p.age <= s.max_age)
             AND (NOT s.disabled_only OR p.disabled)
            WHERE p.survey_id IN (SELECT id FROM mine)),
        counted AS (
            SELECT e.survey_id, e.code, any_value(e.bit) AS bit, count(*) AS eligible,
                   count(*) FILTER (WHERE a.ok) AS met,
                   count(*) FILTER (WHERE NOT a.ok) AS failed,
                   list(e.person_id ORDER BY e.person_id) FILTER (WHERE NOT a.ok) AS failed_ids
            FROM eligible e
            LEFT JOIN answers a ON a.survey_id = e.survey_id AND a.person_id = e.person_id
             AND a.code = e.code AND a.ok IS NOT NULL
            GROUP BY e.survey_id, e.code),
        per_code AS (
            SELECT survey_id, code, bit, {decided} AS decided, {deprived} AS deprived,
                   CASE WHEN failed > 0 THEN
                       '"' || code || '": ' || to_json({{'source': 'members',
                           'answered': met + failed, 'eligible': eligible,
                           'failed': failed_ids}}) END AS piece
            FROM counted),
        pc AS (
            SELECT survey_id, bit_or(1::BIGINT << bit) AS eligible,
                   bit_or(CASE WHEN decided THEN 1::BIGINT << bit ELSE 0 END) AS decided,
                   bit_or(CASE WHEN decided AND deprived THEN 1::BIGINT << bit ELSE 0 END)
                       AS deprived,
                   string_agg(piece, ', ' ORDER BY bit) AS details
            FROM per_code GROUP BY survey_id),
        inc AS (
            SELECT survey_id, count(*) AS n, count(monthly_income) AS known,
                   coalesce(sum(monthly_income), 0) AS total
            FROM present GROUP BY survey_id),
        it AS (SELECT c.id AS survey_id, {", ".join(item_columns)} FROM mine c),
        caps AS (SELECT survey_id, {missing_items} AS missing_items, {", ".join(cap_columns)}
                 FROM it),
        scored AS (
            SELECT c.id AS survey_id, c.household_id, c.collected_on,
                   coalesce(inc.n, 0) AS members,
                   {deprivation_columns},
                   {details_json} AS details,
                   caps.* EXCLUDE (survey_id), {numerator} AS num, {denominator} AS den
            FROM mine c
            LEFT JOIN inc ON inc.survey_id = c.id
            LEFT JOIN pc ON pc.survey_id = c.id
            JOIN caps ON caps.survey_id = c.id)
        SELECT survey_id, household_id, members,
               to_json({{{deprivations}}}) AS deprivations,
               details,
               to_json({{{capital_json}}}) AS capital_scores,
               CASE WHEN den > 0 THEN num::DOUBLE / den END AS overall_score,
               {final_level} AS level,
               score_level,
               {level_reasons} AS level_reasons,
               ({mask})::BIGINT AS deprived_mask,
               ({unknown})::BIGINT AS missing_mask,
               missing_items,
               {matrix}
        FROM (SELECT *, {_level_sql(spec)} AS score_level FROM scored)
    """  # noqa: S608 (codes are validated identifiers; values come from the definition)
    return con.execute(query).df()


def compute(
    con: duckdb.DuckDBPyConnection, round_name: str, specs: dict[int, Spec]
) -> dict[int, pd.DataFrame]:
    """Per indicator-set id: one row per household (see module docstring), in no particular
    order, with the deprivation matrix in `m_<code>` columns (1 not met; met, n/a and unknown
    0), the unknown indicators as bits of `missing_mask` and the unanswered capital items in
    `missing_items` (JSON)."""
    _prepare(con, round_name)
    present = [
        row[0] for row in con.execute("SELECT DISTINCT indicator_set_id FROM chosen").fetchall()
    ]
    missing = sorted(set(present) - set(specs))
    if missing:
        raise KeyError(f"no definition given for indicator sets {missing}")
    return {set_id: _compute_set(con, set_id, specs[set_id]) for set_id in sorted(present)}
