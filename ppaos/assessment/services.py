"""Loading indicator sets and computing assessment rounds."""

import json
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from ppaos.assessment.definition import DefinitionError, compile_definition
from ppaos.assessment.models import Assessment, IndicatorSet, SurveyResponse
from ppaos.audit.models import Action
from ppaos.audit.services import audit_event, audit_record
from ppaos.lib import bulk, events
from ppaos.lib.i18n import Deferred
from ppaos.registry.models import Household

DEFAULT_SET = Path(__file__).resolve().parent / "data" / "indicators-default.json"


def _check_definition(definition: dict) -> None:
    """Raise ValidationError listing every problem that would stop the set being used."""
    if not isinstance(definition, dict):
        raise ValidationError("the definition must be a JSON object")
    problems = [
        f"missing {key!r}"
        for key in ("code", "version", "name_th", "dimensions", "capitals")
        if key not in definition
    ]
    if problems:
        raise ValidationError("; ".join(problems))
    dimensions = definition["dimensions"]
    capitals = definition["capitals"]
    if not isinstance(dimensions, list) or not isinstance(capitals, dict):
        raise ValidationError("dimensions must be a list and capitals an object")
    try:
        total = sum(Fraction(str(d["weight"])) for d in dimensions)
        codes = [i["code"] for d in dimensions for i in d["indicators"]]
        codes += [i["code"] for i in capitals.get("items", [])]
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        raise ValidationError(
            'every dimension needs a weight such as "1/5" and indicators, every indicator and '
            "capital item a code"
        ) from None
    if total != 1:
        problems.append(f"dimension weights add up to {total}, not 1")
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        problems.append(f"codes used twice: {', '.join(map(str, repeated))}")
    try:
        compile_definition(definition)
    except DefinitionError as e:
        problems.append(str(e))
    if problems:
        raise ValidationError("; ".join(problems))


@transaction.atomic
def indicator_set_load(*, definition: dict, actor=None, activate: bool = True) -> IndicatorSet:
    """Store a new indicator-set version (and make it the one new surveys use).

    Loading the same code and version again returns the stored one unchanged."""
    _check_definition(definition)
    existing = IndicatorSet.objects.filter(
        code=definition["code"], version=definition["version"]
    ).first()
    if existing:
        if existing.definition != definition:
            raise ValidationError(
                f"{existing} is already loaded with a different definition: "
                "give the new one its own version"
            )
        indicator_set = existing
    else:
        indicator_set = IndicatorSet.objects.create(
            code=definition["code"],
            version=definition["version"],
            name_th=definition["name_th"],
            name_en=definition.get("name_en", ""),
            definition=definition,
            loaded_by=actor,
        )
    if activate and not indicator_set.is_active:
        IndicatorSet.objects.filter(is_active=True).update(is_active=False)
        indicator_set.is_active = True
        indicator_set.save(update_fields=["is_active"])
    return indicator_set


def indicator_set_load_default() -> IndicatorSet:
    return indicator_set_load(definition=json.loads(DEFAULT_SET.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------
# Assessment rounds
# ---------------------------------------------------------------------------------------------


@dataclass
class AssessReport:
    round_name: str
    created: int = 0
    unchanged: int = 0
    # Existing assessments of the round whose household now has a later survey in the round:
    # they stay as they are (immutable); assess a new round to use the new answers.
    newer_survey: int = 0
    poor: int = 0
    # Poverty undecided: unknown indicators could change it (status "incomplete").
    incomplete: int = 0
    levels: dict = field(default_factory=dict)
    indicator_sets: list[str] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)


def _store(con, tables: dict[int, str], *, round_name: str, now) -> None:
    """Write the computed rows (engine.compute's tables) into the assessment table: on
    PostgreSQL DuckDB writes them as CSV and COPY reads the file, so no row passes through
    Python; elsewhere one `executemany`. The caller holds the transaction."""
    from ppaos.assessment import engine

    if not tables:
        return
    if connection.vendor == "postgresql":
        with tempfile.TemporaryDirectory(prefix="ppaos-assess-") as tmp:
            path = Path(tmp) / "assessments.csv"
            engine.write_csv(con, tables, path, round_name=round_name, now=str(now))
            bulk.csv_file_write(Assessment, engine.STORED, path)
        return
    query, params = engine.stored_query(tables, round_name=round_name, now=str(now))
    rows = [
        dict(zip(engine.STORED, row, strict=True)) for row in con.execute(query, params).fetchall()
    ]
    for row in rows:
        row["computed_at"] = now  # the database adapter's own form, as the ORM would write it
    bulk.rows_write(Assessment, rows)


def _tally(con, tables: dict[int, str], report: "AssessReport") -> None:
    """Counts for the report: created, poor, incomplete, households per level."""
    for table in tables.values():
        created, poor, incomplete = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE is_poor), "  # noqa: S608 (our name)
            f"count(*) FILTER (WHERE status = 'incomplete') FROM {table}"
        ).fetchone()
        report.created += created
        report.poor += poor
        report.incomplete += incomplete
        levels = f"SELECT level, count(*) FROM {table} GROUP BY level"  # noqa: S608
        for level, n in con.execute(levels).fetchall():
            report.levels[level] = report.levels.get(level, 0) + n


def _newer_surveys(round_name: str) -> int:
    later = SurveyResponse.objects.filter(
        household=OuterRef("household"), round_name=round_name
    ).filter(
        Q(collected_on__gt=OuterRef("survey__collected_on"))
        | Q(collected_on=OuterRef("survey__collected_on"), id__gt=OuterRef("survey_id"))
        | ~Q(id=OuterRef("survey_id")) & ~Q(round_name=OuterRef("survey__round_name"))
    )
    return Assessment.objects.filter(round_name=round_name).filter(Exists(later)).count()


def assessment_run(*, round_name: str, now=None) -> AssessReport:
    """Assess every household with a survey in the round (or, carried forward, before it) that
    has no assessment for the round yet. Existing assessments are never changed."""
    from ppaos.assessment import engine

    round_name = round_name.strip()
    cutoff = engine.round_cutoff(round_name)
    if cutoff is None:
        raise ValidationError(f"no surveys were recorded for round {round_name!r}")
    report = AssessReport(round_name=round_name)
    report.unchanged = Assessment.objects.filter(round_name=round_name).count()
    started = time.perf_counter()
    con = engine.extract(round_name, cutoff=cutoff)
    try:
        extracted = time.perf_counter()
        set_ids = [
            row[0]
            for row in con.execute("SELECT DISTINCT indicator_set_id FROM surveys").fetchall()
        ]
        sets = IndicatorSet.objects.in_bulk(set_ids)
        specs = {pk: compile_definition(s.definition) for pk, s in sets.items()}
        tables = engine.compute(con, round_name, specs)
        report.indicator_sets = [str(sets[set_id]) for set_id in tables]
        _tally(con, tables, report)
        now = now or timezone.now()
        computed = time.perf_counter()
        try:
            with transaction.atomic():
                _store(con, tables, round_name=round_name, now=now)
        except IntegrityError:
            raise ValidationError(
                f"another `assess` of round {round_name!r} saved assessments meanwhile; "
                "run it again"
            ) from None
        written = time.perf_counter()
    finally:
        con.close()
    if report.unchanged:
        report.newer_survey = _newer_surveys(round_name)
    if report.created:  # one summary row for the batch: counts, never a household
        audit_event(
            actor=None,
            action=Action.CREATE,
            object_type="assessment.assessment",
            object_id=round_name,
            label=Deferred(
                gettext_noop("assessment of round %(round)s: %(assessed)s assessed, %(poor)s poor"),
                round=round_name,
                assessed=report.created,
                poor=report.poor,
            ),
            changes={"created": report.created, "poor": report.poor, "levels": report.levels},
        )
    report.seconds = {
        "extract": extracted - started,
        "compute": computed - extracted,
        "write": written - computed,
    }
    return report


# ---------------------------------------------------------------------------------------------
# One household, at once (a survey saved from the visit form or an ODK/Kobo import)
# ---------------------------------------------------------------------------------------------


def _load_one_household(con, *, household_id: int, round_name: str) -> None:
    """Fill DuckDB's `surveys` and `members` as `engine.extract` does, for one household.

    Candidates are the household's surveys of the round: `engine.compute` prefers the round's
    latest survey to any carried-forward one, so older rounds' surveys could never be chosen."""
    from ppaos.assessment import engine
    from ppaos.registry.models import Membership

    surveys = SurveyResponse.objects.filter(household_id=household_id, round_name=round_name)
    survey_rows = [
        (*row[:5], *(json.dumps(value) for value in row[5:]))
        for row in surveys.order_by().values_list(
            "id",
            "household_id",
            "indicator_set_id",
            "collected_on",
            "round_name",
            "indicators",
            "member_indicators",
            "capital_items",
        )
    ]
    member_rows = list(
        Membership.objects.filter(household_id=household_id)
        .order_by()
        .values_list(
            "household_id",
            "person_id",
            "person__birth_date",
            "person__has_disability_card",
            "person__monthly_income",
            "start_date",
            "end_date",
        )
    )
    for table, columns, rows in (
        ("surveys", engine.SURVEY_COLUMNS, survey_rows),
        ("members", engine.MEMBER_COLUMNS, member_rows),
    ):
        definition = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        con.execute(f"CREATE TABLE {table} ({definition})")
        if rows:
            marks = ", ".join("?" * len(columns))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608


def survey_record(
    *,
    household: Household,
    collected_on,
    collected_by,
    round_name: str,
    indicators: dict | None = None,
    member_indicators: dict | None = None,
    capital_items: dict | None = None,
    problems: list | None = None,
    needs: str = "",
) -> SurveyResponse:
    """Store one household's survey answers against the active indicator set. The caller
    (the visit service) has checked consent and the answers, and runs it inside its own
    transaction."""
    from ppaos.assessment.selectors import indicator_set_active  # selectors imports services

    return SurveyResponse.objects.create(
        household=household,
        indicator_set=indicator_set_active(),
        collected_on=collected_on,
        collected_by=collected_by,
        round_name=round_name,
        indicators=indicators or {},
        member_indicators=member_indicators or {},
        capital_items=capital_items or {},
        problems=problems or [],
        needs=needs,
    )


def assessment_run_for_household(
    *, household: Household, survey: SurveyResponse, now=None
) -> Assessment | None:
    """Assess `survey`'s household for the survey's round now, with the engine `ppaos assess`
    uses, so both store the same row. Returns the new Assessment, or None when the household
    already has one for the round (assessments are immutable: the household page then says
    that a newer survey is not assessed) or the survey has no round.

    The visit service calls it once the survey is committed. Afterwards the household's
    community's figures are announced as changed (the dashboards refresh them, coalesced,
    within a minute)."""
    try:
        return _assess_one(household=household, survey=survey, now=now)
    finally:
        events.announce(events.COMMUNITY_FIGURES_CHANGED, community_id=household.community_id)


def _assess_one(*, household: Household, survey: SurveyResponse, now) -> Assessment | None:
    import duckdb

    from ppaos.assessment import engine

    round_name = survey.round_name
    if not round_name or round_name != round_name.strip():
        return None  # `ppaos assess --round` strips the name: it could never match this one
    if Assessment.objects.filter(household=household, round_name=round_name).exists():
        return None
    con = duckdb.connect()
    try:
        _load_one_household(con, household_id=household.pk, round_name=round_name)
        set_ids = [
            r[0] for r in con.execute("SELECT DISTINCT indicator_set_id FROM surveys").fetchall()
        ]
        sets = IndicatorSet.objects.in_bulk(set_ids)
        specs = {pk: compile_definition(s.definition) for pk, s in sets.items()}
        tables = engine.compute(con, round_name, specs)
        created = con.execute(
            " UNION ALL ".join(f"SELECT count(*) FROM {t}" for t in tables.values())  # noqa: S608
            or "SELECT 0"
        ).fetchall()
        if not sum(n for (n,) in created):
            return None  # the survey is gone (deleted when its visit's conflict was discarded)
        try:
            with transaction.atomic():
                # The batch's writer, so the stored values are the same.
                _store(con, tables, round_name=round_name, now=now or timezone.now())
                assessment = Assessment.objects.get(household=household, round_name=round_name)
                audit_record(
                    actor=survey.collected_by,
                    action=Action.CREATE,
                    obj=household,
                    changes={"assessment": [None, f"{round_name} {assessment.level or '-'}"]},
                    label=Deferred(
                        gettext_noop("%(household)s · assessment of round %(round)s"),
                        household=household.code,
                        round=round_name,
                    ),
                )
        except IntegrityError:
            return None  # assessed meanwhile (`ppaos assess`, or the same survey saved twice)
        return assessment
    finally:
        con.close()
