import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ppaos.registry.services import household_update
from ppaos.targeting import selectors, services
from ppaos.targeting.models import Outcome, Visit
from ppaos.targeting.tests.conftest import assess, visit_data


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_visit_with_consent_stores_the_survey(campaign, households, volunteer_a):
    visit = services.visit_record(
        campaign=campaign,
        household=households["A"],
        volunteer=volunteer_a,
        answers={"h2_safe_food": False},
        capital_items={"hu1_health": 2},
        problems=["debt"],
        **visit_data(),
    )
    assert visit.on_target_list is True
    assert visit.consent_at is not None
    assert visit.survey.indicators == {"h2_safe_food": False}
    assert visit.survey.capital_items == {"hu1_health": 2}
    assert visit.survey.indicator_set.is_active


@pytest.mark.django_db
def test_no_survey_answers_without_consent(campaign, households, volunteer_a):
    with pytest.raises(ValidationError) as error:
        services.visit_record(
            campaign=campaign,
            household=households["A"],
            volunteer=volunteer_a,
            answers={"h2_safe_food": True},
            **visit_data(consent_given=False),
        )
    assert "consent_given" in error.value.message_dict
    assert not Visit.objects.exists()
    # Without answers, the outcome alone may be recorded (e.g. nobody at home).
    visit = services.visit_record(
        campaign=campaign,
        household=households["A"],
        volunteer=volunteer_a,
        **visit_data(consent_given=False, outcome="not_found"),
    )
    assert visit.survey is None


@pytest.mark.django_db
def test_poor_household_missing_from_the_list_is_an_exclusion_error(
    campaign, households, volunteer_a, communities, coordinator
):
    services.campaign_assign(campaign=campaign, community=communities["B"], volunteer=coordinator)
    visit = services.visit_record(
        campaign=campaign, household=households["C"], volunteer=volunteer_a, **visit_data()
    )
    assert visit.on_target_list is False
    assert visit.outcome == Outcome.NEWLY_FOUND_POOR
    with pytest.raises(ValidationError):
        services.visit_record(
            campaign=campaign,
            household=households["A"],
            volunteer=volunteer_a,
            **visit_data(outcome="newly_found_poor"),
        )


@pytest.mark.django_db
def test_offline_submission_against_an_old_version_is_a_conflict(
    campaign, households, volunteer_a, coordinator
):
    household = households["A"]
    old = household.version
    household_update(
        actor=coordinator, household=household, expected_version=old, data={"soi": "ใหม่"}
    )
    household.refresh_from_db()
    visit = services.visit_record(
        campaign=campaign,
        household=household,
        volunteer=volunteer_a,
        base_version=old,
        submission_id="uuid:1",
        source="odk",
        answers={"h2_safe_food": True},
        **visit_data(),
    )
    assert visit.status == Visit.Status.CONFLICT
    again = services.visit_record(
        campaign=campaign,
        household=household,
        volunteer=volunteer_a,
        base_version=old,
        submission_id="uuid:1",
        **visit_data(),
    )
    assert again.pk == visit.pk and Visit.objects.count() == 1
    services.visit_resolve_conflict(visit=visit, actor=coordinator, keep=False)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.RESOLVED and visit.survey is None


@pytest.mark.django_db
def test_volunteer_must_serve_the_community_to_be_assigned(campaign, communities, volunteer_a):
    with pytest.raises(ValidationError):
        services.campaign_assign(
            campaign=campaign, community=communities["B"], volunteer=volunteer_a
        )


def _visit(campaign, household, volunteer, outcome):
    return services.visit_record(
        campaign=campaign, household=household, volunteer=volunteer, **visit_data(outcome=outcome)
    )


@pytest.mark.django_db
def test_error_report_counts_and_intervals(
    campaign, households, volunteer_a, coordinator, communities
):
    from ppaos.registry.services import household_create

    unlisted = household_create(actor=coordinator, community=households["A"].community, data={})
    for household, status in zip(
        (households["A"], households["B"], households["C"], unlisted),
        ("not_poor", "poor", "poor", "not_poor"),
        strict=True,
    ):
        assess(household, status)  # the surveys agree with the outcomes below
    _visit(campaign, households["A"], volunteer_a, "not_poor")  # listed, not poor
    _visit(campaign, households["B"], coordinator, "confirmed_poor")  # listed, poor
    _visit(campaign, households["C"], coordinator, "confirmed_poor")  # unlisted → exclusion
    _visit(campaign, unlisted, volunteer_a, "not_poor")  # unlisted and not poor: no error
    rows = {r.key: r for r in selectors.error_report(user=coordinator, campaign=campaign)}
    total = rows["*"]
    assert total.households_visited == 4 and total.people_verified == 3
    assert (total.inclusion.count, total.inclusion.total) == (1, 2)
    assert total.excluded_found == 1 and total.listed_poor == 1
    assert total.awaiting_review == 0 and total.not_checked == 0
    assert 0 < total.inclusion.low < 0.5 < total.inclusion.high < 1
    assert (rows["1008"].inclusion.count, rows["1008"].inclusion.total) == (1, 2)
    assert rows["1009"].excluded_found == 1
    by_community = selectors.error_report(user=coordinator, campaign=campaign, by="community")
    assert {r.key for r in by_community} == {"*", "100801-01", "100803-01", "100905-01"}


@pytest.mark.django_db
def test_latest_visit_counts_once_per_household(campaign, households, volunteer_a, coordinator):
    _visit(campaign, households["A"], volunteer_a, "not_found")
    visit = _visit(campaign, households["A"], volunteer_a, "confirmed_poor")
    Visit.objects.filter(pk=visit.pk).update(visited_on=dt.date(2026, 1, 11))
    total = selectors.error_report(user=coordinator, campaign=campaign)[-1]
    assert total.households_visited == 1 and total.not_found == 0


@pytest.mark.django_db
def test_district_officer_report_covers_only_their_district(
    campaign, households, volunteer_a, coordinator, district_officer
):
    _visit(campaign, households["A"], volunteer_a, "not_poor")
    _visit(campaign, households["C"], coordinator, "confirmed_poor")
    rows = {r.key for r in selectors.error_report(user=district_officer, campaign=campaign)}
    assert rows == {"1008", "*"}
    progress = selectors.campaign_progress(user=district_officer, campaign=campaign)
    assert progress["households_verified"] == 1


@pytest.mark.django_db
def test_worklist_puts_target_households_first(campaign, households, volunteer_a, coordinator):
    from ppaos.registry.services import household_create

    extra = household_create(actor=coordinator, community=households["A"].community, data={})
    rows = list(selectors.worklist(user=volunteer_a, campaign=campaign))
    assert [h.pk for h in rows] == [households["A"].pk, extra.pk]
    assert rows[0].on_list and not rows[1].on_list
