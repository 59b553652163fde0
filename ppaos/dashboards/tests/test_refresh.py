"""The refresh computes, in SQL, the same figures as counting the rows directly."""

import datetime as dt

import pytest
from django.core.management import call_command

from ppaos.dashboards import selectors, services
from ppaos.dashboards.models import Figure, Refresh
from ppaos.referrals.models import Referral
from ppaos.registry.models import Household, Membership
from ppaos.targeting.models import Campaign
from ppaos.targeting.selectors import error_report, exclusion_estimate

pytestmark = pytest.mark.django_db


def _summary(user, **where):
    refresh = selectors.current_refresh()
    hidden = selectors.hidden_communities(user=user)
    return selectors.area_summary(user=user, refresh=refresh, hidden=hidden, **where)


def test_refresh_equals_direct_counts(city, coordinator):
    refresh = services.refresh_run()
    assert refresh.status == Refresh.Status.DONE, refresh.error
    assert refresh.rows == Figure.objects.count() > 0
    s = _summary(coordinator, area_code="10")
    assert not s.suppressed
    assert s["communities"] == 3
    assert s["households"] == Household.objects.count() == 6
    assert s["people"] == Membership.objects.filter(end_date__isnull=True).count() == 9
    # The targeting error report counts the latest visit of each household the same way.
    total = error_report(user=coordinator, campaign=Campaign.objects.get())[-1]
    assert s["households_verified"] == total.households_visited == 5
    assert s["people_verified"] == total.people_verified == 8
    assert s["communities_verified"] == 3
    # The errors come from the reviewed status, as on the report. A1's latest visit says
    # "not poor" but its survey says poor and nobody has decided: awaiting review, not an
    # inclusion error on either page. B1 (visit poor, survey not poor) waits too; A3 (newly
    # found poor) has no survey, so it is not checked and not an exclusion error found.
    inclusion = (s.inclusion.count, s.inclusion.total, s.inclusion.low)
    assert inclusion == (total.inclusion.count, total.inclusion.total, total.inclusion.low)
    assert (s.inclusion.count, s.inclusion.total) == (0, 1)  # A2, listed, reviewed poor
    assert s["awaiting_review"] == total.awaiting_review == 2
    assert s["not_checked"] == total.not_checked == 1
    assert s["excluded_found"] == total.excluded_found == 0
    # No random sample drawn: no exclusion estimate, as the report has none.
    assert exclusion_estimate(user=coordinator, campaign=Campaign.objects.get()) is None
    assert s.exclusion.rate is None and s.exclusion.frame == 0 and s.missing is None
    assert s["referrals_made"] == Referral.objects.exclude(status="draft").count() == 2
    assert s["referrals_completed"] == 1
    assert s["referrals_open"] == 1
    assert s["referrals_overdue"] == 1


def test_areas_sum_their_communities(city, coordinator, communities):
    services.refresh_run()
    a = _summary(coordinator, community=communities["A"])
    assert (a["households"], a["people"], a["households_verified"]) == (4, 7, 3)
    khet_1008 = _summary(coordinator, area_code="1008")
    assert khet_1008["households"] == 5
    assert khet_1008["people_verified"] == 1 + 3 + 2 + 1
    children = selectors.child_summaries(
        user=coordinator,
        refresh=selectors.current_refresh(),
        hidden={},
        area_code="10",
        by="district",
    )
    assert set(children) == {"1008", "1009"}
    assert children["1009"]["households_verified"] == 1
    assert children["1008"]["referrals_made"] == 2
    by_community = selectors.child_summaries(
        user=coordinator,
        refresh=selectors.current_refresh(),
        hidden={},
        area_code="1008",
        by="community",
    )
    assert by_community[str(communities["B"].pk)]["households"] == 1


def test_monthly_trends_and_levels_per_round(city, coordinator):
    services.refresh_run()
    refresh = selectors.current_refresh()
    months = selectors.monthly(user=coordinator, refresh=refresh, area_code="10")
    assert [m.period for m in months] == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    ]
    assert [m.values["households_verified"] for m in months] == [2, 1, 2]
    assert [m.values["referrals_made"] for m in months] == [0, 1, 1]
    assert [m.values["referrals_completed"] for m in months] == [0, 0, 1]
    rounds = selectors.rounds(user=coordinator, refresh=refresh, area_code="10")
    assert rounds == {
        "2568-2": {"assessed": 4, "poor": 2, "level_1": 2, "level_2": 1, "level_none": 1}
    }


def test_a_new_refresh_replaces_the_old_set(city, coordinator, communities):
    first = services.refresh_run()
    Household.objects.filter(pk=city["a4"].pk).update(community=communities["B"])
    second = services.refresh_run()
    assert selectors.current_refresh() == second
    assert not Figure.objects.filter(refresh=first).exists()
    assert _summary(coordinator, community=communities["B"])["households"] == 2


def test_a_failed_refresh_keeps_the_previous_figures(city, coordinator, monkeypatch):
    good = services.refresh_run()
    monkeypatch.setattr(
        services, "_statements", lambda: ["SELECT %(refresh)s, 1, 'x', NULL, '', 1 FROM nowhere"]
    )
    bad = services.refresh_run()
    assert bad.status == Refresh.Status.FAILED and "nowhere" in bad.error
    assert not Figure.objects.filter(refresh=bad).exists()
    assert selectors.current_refresh() == good


def test_command_refreshes(city, capsys):
    call_command("refresh-dashboards")
    assert "Dashboard figures refreshed" in capsys.readouterr().out
    assert Refresh.objects.get().status == Refresh.Status.DONE
