"""The incremental refresh: one community's rows, the same as a full refresh computes them;
a visit, referral or survey saved there marks it and queues a run at once; saves while it is
marked queue nothing more; the figures after a sequence of saves are those of a full refresh,
for every scope."""

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


def test_saves_while_marked_queue_one_run_that_takes_every_marked_community(
    communities, deferred_tasks, django_capture_on_commit_callbacks
):
    a, b = communities["A"].pk, communities["B"].pk
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.refresh_schedule_community(community_id=a)
        services.refresh_schedule_community(community_id=b)
    # One run queued per community marked, at once (no waiting), whatever the saves.
    assert [r.args for r in deferred_tasks.results] == [[a], [b]]
    assert all(r.task.run_after is None for r in deferred_tasks.results)
    # The first run takes both marked communities; the second finds nothing left.
    assert services.refresh_communities_due() == [a, b]
    assert services.refresh_communities_due() == []
    marker = CommunityRefresh.objects.get(pk=a)
    assert marker.due_at is None and marker.last_run_at is not None
    # A save after the run marks the community again and queues a run at once.
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_schedule_community(community_id=a)
    assert len(deferred_tasks.results) == 3
    assert deferred_tasks.results[2].task.run_after is None


def test_a_full_refresh_counts_again_what_was_refreshed_while_it_ran(
    city, communities, deferred_tasks, django_capture_on_commit_callbacks
):
    """A community refreshed incrementally while a full refresh ran may have been counted by
    the full one before its save: it is marked again, and refreshed on the new figures."""
    a = communities["A"].pk
    CommunityRefresh.objects.create(
        community_id=communities["B"].pk, last_run_at=timezone.now() - dt.timedelta(hours=1)
    )

    def meanwhile(done: int, total: int) -> None:
        if done == 1:  # an incremental run of A while the full refresh runs
            CommunityRefresh.objects.create(community_id=a, last_run_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_run(progress=meanwhile)
    marked = CommunityRefresh.objects.filter(due_at__isnull=False)
    assert set(marked.values_list("pk", flat=True)) == {a}
    assert len(deferred_tasks.results) == 1


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


def _pages(users, communities) -> dict:
    """What each scope's summaries show: the city, each district and each community."""
    from ppaos.dashboards import selectors

    refresh = selectors.current_refresh()
    seen = {}
    for name, user in users.items():
        hidden = selectors.hidden_communities(user=user)
        for where in (
            {"area_code": "10"},
            {"area_code": "1008"},
            *({"community": c} for c in communities.values()),
        ):
            summary = selectors.area_summary(user=user, refresh=refresh, hidden=hidden, **where)
            seen[(name, str(where))] = summary.values
    return seen


def test_saves_through_the_services_show_as_a_full_refresh_counts_them(
    city, communities, coordinator, researcher, volunteer_a, django_capture_on_commit_callbacks
):
    """Visits and referrals saved through their services (ppaos.lib.events → the task, run at
    once here): each community's figures update alone, and after the sequence they are the
    figures, and every scope's summaries, that a full refresh computes."""
    from ppaos.referrals.models import Referral
    from ppaos.referrals.services import referral_accept, referral_send

    services.refresh_run()
    campaign = Campaign.objects.get()
    before = _figures()
    with django_capture_on_commit_callbacks(execute=True):
        targeting.visit_record(
            campaign=campaign,
            household=city["a4"],
            volunteer=volunteer_a,
            outcome="not_found",
            visited_on=dt.date(2026, 2, 3),
            consent_given=False,
        )
    a = communities["A"].pk
    assert {r for r in _figures() if r[0] != a} == {r for r in before if r[0] != a}
    assert (a, "households_verified", None, "", 4) in _figures()
    draft = Referral.objects.get(household=city["c1"], status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        sent = referral_send(
            actor=coordinator, referral=draft, consent_given=True, consent_by="นางมาลี"
        )
    c = communities["C"].pk
    assert (c, "referrals_open", None, "", 1) in _figures()
    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(actor=coordinator, referral=sent)
    users = {"coordinator": coordinator, "researcher": researcher}
    incremental, seen = _figures(), _pages(users, communities)
    services.refresh_run()
    assert _figures() == incremental
    assert _pages(users, communities) == seen
