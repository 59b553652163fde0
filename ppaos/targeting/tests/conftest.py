import datetime as dt
import importlib.util
import os
import shutil

import pytest

from ppaos.registry.id_crypto import lookup_hash
from ppaos.targeting.models import LinkStatus, TargetList, TargetRecord
from ppaos.targeting.services import campaign_assign, campaign_open

SPARK_SKIPPED = 'SPARK TESTS SKIPPED: {}; install it with `make install EXTRAS="dev spark"`'


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (2 cores) for every Spark test of the run, stopped at the end.

    Without PySpark (the `spark` extra) or Java the Spark tests skip, loudly; with
    PPAOS_REQUIRE_SPARK=1, which CI sets, they fail instead of silently testing less."""
    missing = None
    if importlib.util.find_spec("pyspark") is None:
        missing = "PySpark is not installed"
    elif not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        missing = "Java (17) is not installed"
    if missing:
        if os.environ.get("PPAOS_REQUIRE_SPARK") == "1":
            pytest.fail(f"PPAOS_REQUIRE_SPARK=1 but {missing}")
        pytest.skip(SPARK_SKIPPED.format(missing))
    from ppaos.targeting.linkage import spark_session

    session = spark_session(master="local[2]")
    yield session
    session.stop()


@pytest.fixture
def target_list(households):
    """A TPMAP list holding the heads of households A and B (not C)."""
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    for key in ("A", "B"):
        person = households[key].memberships.get().person
        TargetRecord.objects.create(
            target_list=listed,
            record_key=lookup_hash(person.national_id),
            line_no=2,
            national_id=person.national_id,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            subdistrict_code=households[key].subdistrict_id,
            person=person,
            link_status=LinkStatus.AUTO,
        )
    return listed


@pytest.fixture
def campaign(target_list, coordinator, volunteer_a, communities):
    opened = campaign_open(actor=coordinator, name="ตรวจสอบ 2566", target_list=target_list)
    campaign_assign(campaign=opened, community=communities["A"], volunteer=volunteer_a)
    return opened


def visit_data(**extra):
    data = {
        "outcome": "confirmed_poor",
        "visited_on": dt.date(2026, 1, 10),
        "consent_given": True,
        "consent_by": "นางมาลี",
        "consent_purpose": "verify",
    }
    return data | extra


def assess(household, status: str, *, round_name: str = "2568-2"):
    """An assessed survey of `household` saying poor / not_poor / incomplete (test data).

    Written directly, as the assessment app stores it, so these tests check the targeting
    side only; the engine has its own tests."""
    from django.utils import timezone

    from ppaos.assessment.models import Assessment, SurveyResponse
    from ppaos.assessment.selectors import indicator_set_active

    survey = SurveyResponse.objects.create(
        household=household,
        indicator_set=indicator_set_active(),
        collected_on=dt.date(2026, 1, 5),
        round_name=round_name,
    )
    fields = {f.name for f in Assessment._meta.get_fields()}
    if status == "incomplete" and "status" not in fields:
        pytest.skip("the assessment app has no incomplete status")
    return Assessment.objects.create(
        household=household,
        round_name=round_name,
        indicator_set=survey.indicator_set,
        survey=survey,
        deprivation_score="0",
        deprivation_score_value=0.0,
        is_poor=status == "poor",
        computed_at=timezone.now(),
        **({"status": status} if "status" in fields else {}),
    )
