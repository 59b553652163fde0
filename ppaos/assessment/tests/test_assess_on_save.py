"""A survey is assessed when it is saved, by the engine `ppaos assess` uses, with the same
stored row; the household page shows the latest round, the earlier ones, and a survey that is
not assessed."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.assessment.services import (
    assessment_run,
    assessment_run_for_household,
)
from ppaos.assessment.tests.conftest import ALL_MET, ROUND, add_person, capital_items, survey
from ppaos.audit.models import AuditEvent
from ppaos.targeting import services as targeting
from ppaos.targeting.models import Visit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 12, 20, 3, 0, tzinfo=dt.UTC)
COLUMNS = [f.column for f in Assessment._meta.concrete_fields if f.name != "id"]


def _stored(household_ids: list[int]) -> dict[int, tuple]:
    """Every stored column but the id, exactly as the database holds it."""
    q = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(map(q, COLUMNS))} FROM {q(Assessment._meta.db_table)} "  # noqa: S608
        f"WHERE household_id IN ({', '.join(['%s'] * len(household_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, household_ids)
        rows = cursor.fetchall()
    column = COLUMNS.index("household_id")
    return {row[column]: row for row in rows}


def _decoded(household_ids: list[int]) -> dict[int, dict]:
    return {
        a["household_id"]: a
        for a in Assessment.objects.filter(household_id__in=household_ids).values(
            *[f.attname for f in Assessment._meta.concrete_fields if f.name != "id"]
        )
    }


@pytest.mark.parametrize("round_name, keys", [(ROUND, "XYZV"), ("2568-1", "W")])
def test_it_stores_what_the_batch_stores(scenario, round_name, keys):
    """Per household, then `ppaos assess` from scratch: every stored field is the same."""
    households = [scenario[k] for k in keys]
    ids = [h.pk for h in households]
    for household in households:
        # V has two surveys in the round: given the older, the engine still takes the latest.
        first = household.surveys.filter(round_name=round_name).order_by("collected_on").first()
        assessment = assessment_run_for_household(household=household, survey=first, now=NOW)
        assert assessment is not None and assessment.round_name == round_name
    if round_name == ROUND:
        assert Assessment.objects.get(household=scenario["V"]).survey == scenario["V_latest"]
    one_by_one, decoded = _stored(ids), _decoded(ids)
    Assessment.objects.all().delete()
    report = assessment_run(round_name=round_name, now=NOW)
    assert report.created >= len(ids)
    assert _stored(ids) == one_by_one
    assert _decoded(ids) == decoded


def test_it_never_changes_an_existing_assessment(scenario):
    x = scenario["X"]
    first = assessment_run_for_household(household=x, survey=x.surveys.get(), now=NOW)
    later = survey(x, first.indicator_set, on=dt.date(2025, 12, 1), indicators=ALL_MET)
    assert assessment_run_for_household(household=x, survey=later) is None
    assert list(Assessment.objects.filter(household=x)) == [first]
    # ...and the batch run of the round leaves it as it is, too.
    assert assessment_run(round_name=ROUND).unchanged == 1


def test_it_is_audited(scenario, coordinator):
    y = scenario["Y"]
    saved = y.surveys.get()
    SurveyResponse.objects.filter(pk=saved.pk).update(collected_by=coordinator)
    saved.refresh_from_db()
    assessment_run_for_household(household=y, survey=saved)
    event = AuditEvent.objects.get(object_id=str(y.pk), changes__has_key="assessment")
    assert event.actor == coordinator and event.action == "create"


@pytest.fixture
def campaign(coordinator, communities, volunteer_a, default_set):
    campaign = targeting.campaign_open(actor=coordinator, name=ROUND, target_list=None)
    targeting.campaign_assign(campaign=campaign, community=communities["A"], volunteer=volunteer_a)
    return campaign


def _visit(campaign, household, volunteer, *, on, base_version=None, answers=None):
    return targeting.visit_record(
        campaign=campaign,
        household=household,
        volunteer=volunteer,
        outcome="confirmed_poor",
        visited_on=on,
        consent_given=True,
        consent_by="นางมาลี",
        answers=answers or {**ALL_MET, "l1_housing": False},
        capital_items=capital_items([2] * 4, [2] * 4, [2] * 4, [2] * 3, [2] * 4),
        base_version=base_version,
    )


def test_a_visit_survey_is_assessed_on_commit(
    campaign, households, volunteer_a, django_capture_on_commit_callbacks
):
    household = households["A"]
    add_person(household, born=dt.date(1990, 1, 1), income=20000, relation="spouse")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit = _visit(campaign, household, volunteer_a, on=dt.date(2025, 11, 1))
        assert not Assessment.objects.exists()  # not before the survey is committed
    assess = [c for c in callbacks if getattr(c, "func", None) is assessment_run_for_household]
    assert len(assess) == 1  # beside it, the community's figures are scheduled for refresh
    assess[0]()
    assessment = Assessment.objects.get(household=household)
    assert assessment.survey == visit.survey and assessment.round_name == ROUND
    assert assessment.deprivations["l1_housing"] == 1 and assessment.level == 2
    assert assessment.computed_at <= timezone.now()


def test_a_conflict_is_assessed_only_when_the_review_keeps_it(
    campaign, households, volunteer_a, coordinator, django_capture_on_commit_callbacks
):
    household = households["A"]
    with django_capture_on_commit_callbacks(execute=True):
        visit = _visit(campaign, household, volunteer_a, on=dt.date(2025, 11, 1), base_version=0)
    assert visit.status == Visit.Status.CONFLICT and not Assessment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        targeting.visit_resolve_conflict(visit=visit, actor=coordinator, keep=True)
    assert Assessment.objects.get(household=household).survey == visit.survey


def test_household_page_shows_rounds_and_an_unassessed_survey(
    campaign, households, volunteer_a, coordinator, login, django_capture_on_commit_callbacks
):
    household = households["A"]
    page = reverse("registry:household_detail", args=[household.pk])
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    assert "Not assessed yet" in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        first = _visit(campaign, household, volunteer_a, on=dt.date(2025, 11, 1))
    old = survey(household, first.survey.indicator_set, on=dt.date(2025, 4, 1), round_name="2568-1")
    assessment_run_for_household(household=household, survey=old)
    html = client.get(page).content.decode()
    assert f'id="latest-assessment" data-round="{ROUND}"' in html
    assert 'id="earlier-assessments"' in html and 'data-round="2568-1"' in html
    assert "unassessed-survey" not in html
    with django_capture_on_commit_callbacks(execute=True):
        second = _visit(campaign, household, volunteer_a, on=dt.date(2025, 11, 20))
    assert Assessment.objects.filter(household=household).count() == 2
    html = client.get(page).content.decode()
    assert f'id="unassessed-survey" data-survey="{second.survey.pk}"' in html
    client.cookies["django_language"] = "th"
    html = client.get(page).content.decode()
    assert "ผลการวิเคราะห์ตามรอบสำรวจ" in html and "ยังไม่รวมอยู่ในผลนี้" in html
