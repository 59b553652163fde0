"""The dashboards' inclusion and exclusion errors are the targeting report's: from each
household's reviewed status, and the exclusion error from the campaign's random sample,
after a full refresh and after a community's incremental refresh alike."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ppaos.assessment.models import Assessment, IndicatorSet, SurveyResponse
from ppaos.dashboards import selectors, services
from ppaos.dashboards.models import Refresh
from ppaos.dashboards.tests.conftest import add_household
from ppaos.lib.suppression import suppress
from ppaos.targeting.models import Campaign, CampaignAssignment, Visit
from ppaos.targeting.selectors import error_report, exclusion_estimate
from ppaos.targeting.services_verification import (
    exclusion_sample_draw,
    verification_review_decide,
)

pytestmark = pytest.mark.django_db


def _assess(household, *, poor: bool) -> Assessment:
    """A later assessed survey saying poor or not poor (the city's indicator set)."""
    indicator_set = IndicatorSet.objects.get(code="t")
    survey = SurveyResponse.objects.create(
        household=household,
        indicator_set=indicator_set,
        collected_on=dt.date(2026, 1, 20),
        round_name="2569-1",
    )
    return Assessment.objects.create(
        household=household,
        round_name="2569-1",
        indicator_set=indicator_set,
        survey=survey,
        deprivation_score="0",
        deprivation_score_value=0.0,
        is_poor=poor,
        computed_at=timezone.now(),
    )


@pytest.fixture
def sampled(city, communities, coordinator, volunteer_a):
    """The city's campaign over A, B and C with its random sample drawn (12 households not on
    a list, 7 drawn); six more households in C, of which those drawn are visited and
    assessed in agreement: every other one poor."""
    campaign = Campaign.objects.get()
    for key in "ABC":
        CampaignAssignment.objects.create(
            campaign=campaign, community=communities[key], volunteer=volunteer_a
        )
    extra = [add_household(coordinator, communities["C"], 10 + i) for i in range(6)]
    campaign.sample_width = "0.5"
    campaign.save()
    sample = exclusion_sample_draw(campaign=campaign, actor=coordinator, seed=7)
    drawn = set(sample.members.values_list("household_id", flat=True))
    for i, household in enumerate(extra):
        if household.pk in drawn:
            poor = i % 2 == 0
            _assess(household, poor=poor)
            Visit.objects.create(
                campaign=campaign,
                household=household,
                volunteer=volunteer_a,
                visited_on=dt.date(2026, 1, 21),
                outcome="newly_found_poor" if poor else "not_poor",
                on_target_list=False,
            )
    return campaign


def _summary(user, **where):
    refresh = selectors.current_refresh()
    hidden = selectors.hidden_communities(user=user)
    return selectors.area_summary(user=user, refresh=refresh, hidden=hidden, **where)


def _assert_agree(user, campaign):
    s = _summary(user, area_code="10")
    total = error_report(user=user, campaign=campaign)[-1]
    assert (s.inclusion.count, s.inclusion.total) == (
        total.inclusion.count,
        total.inclusion.total,
    )
    assert (s.inclusion.low, s.inclusion.high) == (total.inclusion.low, total.inclusion.high)
    assert s["excluded_found"] == total.excluded_found
    assert s["awaiting_review"] == total.awaiting_review
    assert s["not_checked"] == total.not_checked
    estimate = exclusion_estimate(user=user, campaign=campaign)
    assert s.exclusion == estimate.share
    assert s["sample_drawn"] == estimate.drawn and s.missing == estimate.missing
    by_community = selectors.child_summaries(
        user=user, refresh=selectors.current_refresh(), hidden={}, area_code="10", by="community"
    )
    for row in error_report(user=user, campaign=campaign, by="community")[:-1]:
        child = next(c for k, c in by_community.items() if _code(k) == row.key)
        assert (child.inclusion.count, child.inclusion.total) == (
            row.inclusion.count,
            row.inclusion.total,
        )
        assert child["excluded_found"] == row.excluded_found
    return s


def _code(pk: str) -> str:
    from ppaos.areas.models import Community

    return Community.objects.get(pk=int(pk)).code


def test_errors_agree_with_the_targeting_report(sampled, city, coordinator, communities):
    services.refresh_run()
    s = _assert_agree(coordinator, sampled)
    assert s.exclusion.frame == 12 and s.exclusion.n > 0 and s.exclusion.rate is not None
    assert s.exclusion.low <= s.exclusion.rate <= s.exclusion.high
    # A1 (listed; visit "not poor", survey poor, undecided) is not an inclusion error.
    assert (s.inclusion.count, s.inclusion.total) == (0, 1)

    # A reviewer keeps the volunteer's "not poor": now it is one, on both pages, after the
    # incremental refresh of A alone, and a full refresh computes the same.
    a1_visit = Visit.objects.filter(household=city["a1"]).order_by("-visited_on").first()
    verification_review_decide(
        visit=a1_visit, actor=coordinator, decision="not_poor", note="มีรายได้ประจำ"
    )
    services.refresh_run_community(community_id=communities["A"].pk)
    s = _assert_agree(coordinator, sampled)
    assert (s.inclusion.count, s.inclusion.total) == (1, 2)
    assert s["awaiting_review"] == 1  # B1
    services.refresh_run()
    assert _assert_agree(coordinator, sampled).values == s.values


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="alongside needs PostgreSQL")
def test_errors_computed_alongside_the_statements_agree(sampled, city, coordinator, monkeypatch):
    """Outside a transaction, as the refresh task runs, the errors are computed in a thread of
    their own while PostgreSQL runs the statements (`ppaos.lib.alongside`): the same figures."""
    threads = []
    original = services.Alongside

    def recorded(*args, **kwargs):
        threads.append(original(*args, **kwargs))
        return threads[-1]

    monkeypatch.setattr(services, "Alongside", recorded)
    assert services.refresh_run().status == Refresh.Status.DONE
    assert [t.in_thread for t in threads] == [True]
    s = _assert_agree(coordinator, sampled)
    assert (s.inclusion.count, s.inclusion.total) == (0, 1) and s.exclusion.frame == 12


def test_counts_only_roles_get_the_errors_suppressed(sampled, coordinator, researcher):
    """Through ppaos.lib.suppression: each count as `suppress` shows it, and no rate built
    from a hidden count."""
    services.refresh_run()
    full, s = _summary(coordinator, area_code="10"), _summary(researcher, area_code="10")
    assert s.suppressed
    parts = ("listed_reviewed", "listed_not_poor", "sample_frame", "sample_verified", "sample_poor")
    for metric in (*parts, "excluded_found", "awaiting_review", "not_checked"):
        assert s[metric] == suppress(full[metric])
    assert s["listed_reviewed"] is None and s.inclusion is None  # 1 listed household reviewed
    hidden = any(s[m] is None for m in parts[2:])
    assert (s.exclusion is None) == hidden and (s.missing is None) == hidden


def test_the_page_shows_the_sample_estimate(sampled, login, coordinator):
    services.refresh_run()
    estimate = exclusion_estimate(user=coordinator, campaign=sampled)
    page = login(coordinator).get(reverse("dashboards:city")).content.decode()
    card = re.search(r'data-rate="exclusion">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert f"{estimate.share.count} / {estimate.share.n} sampled households" in card
    assert f"{round(100 * estimate.share.rate)}%" in card
    assert f"about {round(estimate.missing[0])} poor households missing" in card
    assert "0 / 1" in page  # คนจนไม่จริง: A1 awaits review, A2 is listed and poor


def test_a_review_decision_refreshes_its_community(
    city, coordinator, django_capture_on_commit_callbacks
):
    """Through the review service and the (immediate) task, without any refresh call."""
    services.refresh_run()
    assert _summary(coordinator, area_code="10")["listed_not_poor"] == 0
    a1_visit = Visit.objects.filter(household=city["a1"]).order_by("-visited_on").first()
    with django_capture_on_commit_callbacks(execute=True):
        verification_review_decide(
            visit=a1_visit, actor=coordinator, decision="not_poor", note="มีรายได้ประจำ"
        )
    s = _summary(coordinator, area_code="10")
    assert (s.inclusion.count, s.inclusion.total) == (1, 2)
    assert s["awaiting_review"] == 1
