"""The incremental refresh: one community's rows, the same as a full refresh computes them;
many saves in a community give one background refresh a minute."""

import datetime as dt

import pytest
from django.tasks import task_backends
from django.utils import timezone

from ppaos.assessment.models import Assessment
from ppaos.dashboards import services
from ppaos.dashboards.models import CommunityRefresh, Figure, Refresh
from ppaos.targeting import services as targeting
from ppaos.targeting.models import Campaign, Visit

pytestmark = pytest.mark.django_db


def _figures(**where) -> set[tuple]:
    refresh = Refresh.objects.filter(status=Refresh.Status.DONE).order_by("-pk").first()
    return set(
        Figure.objects.filter(refresh=refresh, **where).values_list(
            "community_id", "metric", "period", "round_name", "value"
        )
    )


def _change_community(city, community, volunteer):
    """A new visit (verification figures) and an assessment (levels) in community A."""
    a3, a4 = city["a3"], city["a4"]
    Visit.objects.create(
        campaign=Campaign.objects.get(),
        household=a4,
        volunteer=volunteer,
        visited_on=dt.date(2026, 2, 1),
        outcome="newly_found_poor",
        on_target_list=False,
    )
    other = Assessment.objects.first()
    survey = other.survey
    survey.pk, survey.household = None, a3
    survey.save()
    Assessment.objects.create(
        household=a3,
        round_name="2568-2",
        indicator_set=other.indicator_set,
        survey=survey,
        deprivation_score="1/5",
        deprivation_score_value=0.2,
        is_poor=True,
        level=1,
        computed_at=timezone.now(),
    )


def test_it_equals_a_full_refresh_for_that_community(city, communities, volunteer_a):
    services.refresh_run()
    before = _figures()
    a = communities["A"].pk
    _change_community(city, communities["A"], volunteer_a)
    assert services.refresh_run_community(community_id=a) >= 0
    after = _figures()
    # Only community A's rows changed, and the refresh's row count follows.
    assert {r for r in after if r[0] != a} == {r for r in before if r[0] != a}
    assert {r for r in after if r[0] == a} != {r for r in before if r[0] == a}
    current = Refresh.objects.filter(status=Refresh.Status.DONE).get()
    assert current.rows == Figure.objects.filter(refresh=current).count()
    services.refresh_run()
    assert _figures() == after


def test_without_a_finished_refresh_there_is_nothing_to_update(city, communities):
    assert services.refresh_run_community(community_id=communities["A"].pk) is None
    assert not Figure.objects.exists()


@pytest.fixture
def deferred_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return task_backends["default"]


def test_saves_coalesce_into_one_refresh_a_minute(
    communities, deferred_tasks, django_capture_on_commit_callbacks
):
    a = communities["A"].pk
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.refresh_schedule_community(community_id=a)
    assert len(deferred_tasks.results) == 1
    first = deferred_tasks.results[0]
    assert first.args == [a] and first.task.run_after is None  # the first runs at once
    services.refresh_run_community_due(community_id=a)
    marker = CommunityRefresh.objects.get(pk=a)
    assert marker.due_at is None and marker.last_run_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.refresh_schedule_community(community_id=a)
    assert len(deferred_tasks.results) == 2
    # Within the minute after the last run: deferred to a minute after it.
    assert deferred_tasks.results[1].task.run_after == marker.last_run_at + services.COALESCE
    # Another community has its own.
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_schedule_community(community_id=communities["B"].pk)
    assert len(deferred_tasks.results) == 3


def test_a_refresh_queued_long_ago_is_asked_for_again(
    communities, deferred_tasks, django_capture_on_commit_callbacks
):
    a = communities["A"].pk
    long_ago = timezone.now() - services.STALE - dt.timedelta(seconds=1)
    CommunityRefresh.objects.create(community_id=a, due_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_schedule_community(community_id=a)
    assert len(deferred_tasks.results) == 1


def test_a_saved_survey_shows_on_the_dashboard(
    city, communities, volunteer_a, django_capture_on_commit_callbacks
):
    """Through the visit service and the (immediate) task, without any command."""
    services.refresh_run()
    campaign = Campaign.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        targeting.visit_record(
            campaign=campaign,
            household=city["a3"],
            volunteer=volunteer_a,
            outcome="confirmed_poor",
            visited_on=dt.date(2026, 2, 2),
            consent_given=True,
            consent_by="นางมาลี",
            answers={"l1_housing": False},
        )
    assessed = Assessment.objects.get(household=city["a3"], round_name=campaign.name)
    rows = _figures(community=communities["A"], round_name=campaign.name)
    assert (
        communities["A"].pk,
        f"level_{assessed.level or 'none'}",
        None,
        campaign.name,
        1,
    ) in rows
    assert CommunityRefresh.objects.get(pk=communities["A"].pk).seconds is not None
