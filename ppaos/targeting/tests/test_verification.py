"""Verification you can trust: outcomes against the assessed survey, the review queue, the
exclusion-error sample and its estimate."""

import pytest
from django.core.exceptions import ValidationError

from ppaos.audit.models import AuditEvent
from ppaos.registry.services import household_create
from ppaos.targeting import selectors, services, verification
from ppaos.targeting.models import ExclusionSample, VerificationReview
from ppaos.targeting.sampling import sample_size, wilson_fpc
from ppaos.targeting.services_verification import (
    exclusion_sample_draw,
    verification_review_decide,
)
from ppaos.targeting.tests.conftest import assess, visit_data


def _visit(campaign, household, volunteer, outcome):
    return services.visit_record(
        campaign=campaign, household=household, volunteer=volunteer, **visit_data(outcome=outcome)
    )


@pytest.fixture
def everywhere(campaign, communities, coordinator):
    """The campaign also covers communities B and C (the coordinator visits them)."""
    for key in ("B", "C"):
        services.campaign_assign(
            campaign=campaign, community=communities[key], volunteer=coordinator
        )
    return campaign


@pytest.mark.django_db
def test_a_disagreement_either_way_goes_to_the_queue(
    everywhere, households, volunteer_a, coordinator
):
    assess(households["A"], "poor")  # listed; volunteer says not poor
    assess(households["B"], "not_poor")  # listed; volunteer says poor
    assess(households["C"], "not_poor")  # not listed; volunteer says newly found poor
    _visit(everywhere, households["A"], volunteer_a, "not_poor")
    _visit(everywhere, households["B"], coordinator, "confirmed_poor")
    _visit(everywhere, households["C"], coordinator, "confirmed_poor")
    queue = verification.review_queue(user=coordinator, campaign=everywhere)
    assert {c.visit.household_id for c in queue} == {h.pk for h in households.values()}
    total = selectors.error_report(user=coordinator, campaign=everywhere)[-1]
    assert total.awaiting_review == 3 and total.inclusion.total == 0
    assert total.excluded_found == 0  # a claim the survey contradicts counts for nothing yet


@pytest.mark.django_db
def test_agreement_is_not_queued_and_an_incomplete_survey_checks_nothing(
    everywhere, households, volunteer_a, coordinator
):
    assess(households["A"], "poor")
    assess(households["B"], "incomplete")
    _visit(everywhere, households["A"], volunteer_a, "confirmed_poor")
    _visit(everywhere, households["B"], coordinator, "not_poor")
    _visit(everywhere, households["C"], coordinator, "confirmed_poor")  # no survey at all
    assert verification.review_queue(user=coordinator, campaign=everywhere) == []
    total = selectors.error_report(user=coordinator, campaign=everywhere)[-1]
    assert (total.inclusion.count, total.inclusion.total) == (0, 1)
    assert total.not_checked == 2 and total.excluded_found == 0


@pytest.mark.django_db
def test_the_visits_own_survey_is_what_is_compared(campaign, households, volunteer_a):
    assess(households["A"], "poor")  # an older round
    visit = services.visit_record(
        campaign=campaign,
        household=households["A"],
        volunteer=volunteer_a,
        answers={"h2_safe_food": True},
        **visit_data(outcome="not_poor"),
    )
    (check,) = verification.visit_checks([visit])
    assert check.survey_status == "none" and check.state == verification.UNCHECKED
    from ppaos.assessment.models import Assessment

    older = Assessment.objects.get(household=households["A"])
    assert check.assessment is None and older.survey_id != visit.survey_id


@pytest.mark.django_db
def test_a_decision_settles_the_status_once_and_is_audited(
    campaign, households, volunteer_a, coordinator
):
    assess(households["A"], "poor")
    visit = _visit(campaign, households["A"], volunteer_a, "not_poor")
    with pytest.raises(ValidationError) as error:  # overriding the survey needs a reason
        verification_review_decide(visit=visit, actor=coordinator, decision="not_poor")
    assert "note" in error.value.message_dict
    verification_review_decide(visit=visit, actor=coordinator, decision="poor")
    with pytest.raises(ValidationError):
        verification_review_decide(visit=visit, actor=coordinator, decision="not_poor", note="x")
    assert VerificationReview.objects.get().decision == "poor"
    event = AuditEvent.objects.filter(changes__has_key="verification_review").get()
    assert event.object_id == str(households["A"].pk) and event.actor == coordinator
    total = selectors.error_report(user=coordinator, campaign=campaign)[-1]
    assert (total.inclusion.count, total.inclusion.total) == (0, 1)
    assert total.awaiting_review == 0 and total.listed_poor == 1


@pytest.mark.django_db
def test_review_pages_are_scoped_by_url(
    login, everywhere, households, volunteer_a, coordinator, district_officer
):
    assess(households["A"], "poor")
    assess(households["C"], "not_poor")
    in_1008 = _visit(everywhere, households["A"], volunteer_a, "not_poor")
    in_1009 = _visit(everywhere, households["C"], coordinator, "confirmed_poor")
    base = f"/targeting/campaigns/{everywhere.pk}/verification/"
    client = login(district_officer)
    page = client.get(base)
    assert page.status_code == 200
    assert households["A"].code in page.text and households["C"].code not in page.text
    assert client.get(f"{base}{in_1009.pk}/").status_code == 404
    response = client.post(f"{base}{in_1009.pk}/", {"decision": "not_poor"})
    assert response.status_code == 404 and not VerificationReview.objects.exists()
    response = client.post(f"{base}{in_1008.pk}/", {"decision": "poor"})
    assert response.status_code == 302 and VerificationReview.objects.count() == 1
    assert login(volunteer_a).get(base).status_code == 404
    assert AuditEvent.objects.filter(action="view", object_type="targeting.campaign").exists()


def test_sample_size_follows_the_target_width():
    assert sample_size(width=0.10, frame=10**9) == 385
    assert sample_size(width=0.10, frame=200) == 132
    assert sample_size(width=0.20, frame=5) == 5
    assert sample_size(width=0.10, frame=0) == 0
    with pytest.raises(ValueError):
        sample_size(width=0, frame=10)


def test_wilson_with_finite_population_correction():
    plain = wilson_fpc(10, 100, 10**9)
    assert round(plain.low, 4) == 0.0552 and round(plain.high, 4) == 0.1744  # Wilson's
    corrected = wilson_fpc(10, 100, 200)
    assert plain.low < corrected.low < 0.1 < corrected.high < plain.high
    census = wilson_fpc(3, 50, 50)
    assert census.low == census.high == census.rate == 0.06
    assert wilson_fpc(0, 0, 10).rate is None


@pytest.mark.django_db
def test_the_sample_is_drawn_once_reproducibly_from_non_listed_households(
    everywhere, households, coordinator, district_officer, communities
):
    extra = [
        household_create(actor=coordinator, community=communities["A"], data={}) for _ in range(6)
    ]
    frame = selectors.exclusion_frame(campaign=everywhere)
    listed = {households["A"].pk, households["B"].pk}
    assert {h for h, _c in frame} == {households["C"].pk} | {h.pk for h in extra}
    assert not listed & {h for h, _c in frame}
    with pytest.raises(ValidationError):  # khet 1008 does not cover community C (1009)
        exclusion_sample_draw(campaign=everywhere, actor=district_officer)
    everywhere.sample_width = "0.5"
    everywhere.save()
    sample = exclusion_sample_draw(campaign=everywhere, actor=coordinator, seed=42)
    assert sample.frame_size == 7 and sample.sample_size == sample_size(width=0.5, frame=7)
    drawn = list(sample.members.values_list("household_id", flat=True))
    assert len(set(drawn)) == sample.sample_size and set(drawn) <= {h for h, _c in frame}
    import random

    again = random.Random(42).sample(range(len(frame)), sample.sample_size)
    assert drawn == [frame[i][0] for i in again]  # the same frame and seed: the same sample
    with pytest.raises(ValidationError):
        exclusion_sample_draw(campaign=everywhere, actor=coordinator)
    assert AuditEvent.objects.filter(object_type="targeting.exclusionsample").count() == 1


@pytest.mark.django_db
def test_the_exclusion_error_comes_from_the_sample(
    everywhere, households, coordinator, communities
):
    poor_unlisted = [
        household_create(actor=coordinator, community=communities["C"], data={}) for _ in range(4)
    ]
    everywhere.sample_width = "0.5"
    everywhere.save()
    sample = exclusion_sample_draw(campaign=everywhere, actor=coordinator, seed=1)
    drawn = set(sample.members.values_list("household_id", flat=True))
    statuses = {}
    for household in [households["C"], *poor_unlisted]:
        if household.pk in drawn:
            statuses[household.pk] = "poor" if household in poor_unlisted else "not_poor"
            assess(household, statuses[household.pk])
            outcome = "confirmed_poor" if statuses[household.pk] == "poor" else "not_poor"
            _visit(everywhere, household, coordinator, outcome)
    assess(households["B"], "poor")
    _visit(everywhere, households["B"], coordinator, "confirmed_poor")  # listed poor
    estimate = selectors.exclusion_estimate(user=coordinator, campaign=everywhere)
    poor = sum(1 for s in statuses.values() if s == "poor")
    assert (estimate.frame, estimate.drawn, estimate.verified) == (5, len(drawn), len(drawn))
    assert (estimate.share.count, estimate.share.n) == (poor, len(drawn))
    assert estimate.listed_poor == 1
    point, low, high = estimate.missing
    assert point == pytest.approx(5 * poor / len(drawn)) and low <= point <= high
    assert estimate.share_of_poor[0] == pytest.approx(point / (point + 1))


@pytest.mark.django_db
def test_report_page_draws_the_sample_and_states_the_estimator(
    login, everywhere, households, coordinator
):
    client = login(coordinator)
    url = f"/targeting/campaigns/{everywhere.pk}/report/"
    assert 'id="draw-sample"' in client.get(url).text
    response = client.post(f"/targeting/campaigns/{everywhere.pk}/sample/")
    assert response.status_code == 302 and ExclusionSample.objects.count() == 1
    page = client.get(url).text
    assert 'id="exclusion-estimate"' in page and 'id="estimator"' in page
    assert "วิลสัน" in page
