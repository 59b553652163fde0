import pytest

from ppaos.targeting.models import LinkCandidate, LinkStatus, TargetRecord, Visit
from ppaos.targeting.services import link_results_apply
from ppaos.targeting.tests.conftest import assess


def visit_form(**extra):
    data = {
        "consent_given": "on",
        "consent_by": "นางมาลี",
        "consent_purpose": "ตรวจสอบ",
        "visited_on": "10/01/2569",
        "outcome": "confirmed_poor",
        "ind_h2_safe_food": "no",
        "cap_hu1_health": "2",
        "problems": ["debt", "housing"],
        "base_version": 1,
    }
    return data | extra


@pytest.mark.django_db
def test_volunteer_records_a_visit_through_the_worklist(login, campaign, households, volunteer_a):
    client = login(volunteer_a)
    worklist = client.get(f"/targeting/campaigns/{campaign.pk}/worklist/")
    assert worklist.status_code == 200
    assert households["A"].code in worklist.text
    assert households["B"].code not in worklist.text
    url = f"/targeting/campaigns/{campaign.pk}/households/{households['A'].pk}/visit/"
    form = client.get(url)
    assert form.text.index('id="consent"') < form.text.index('id="survey"')
    response = client.post(url, visit_form())
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.survey.indicators == {"h2_safe_food": False}
    assert visit.survey.problems == ["debt", "housing"]
    assert str(visit.visited_on) == "2026-01-10"


@pytest.mark.django_db
def test_visit_page_refuses_answers_without_consent(login, campaign, households, volunteer_a):
    url = f"/targeting/campaigns/{campaign.pk}/households/{households['A'].pk}/visit/"
    response = login(volunteer_a).post(url, visit_form(consent_given=""))
    assert response.status_code == 200
    assert response.context["form"].errors["consent_given"]
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_volunteer_cannot_visit_outside_their_communities(login, campaign, households, volunteer_a):
    client = login(volunteer_a)
    url = f"/targeting/campaigns/{campaign.pk}/households/{households['B'].pk}/visit/"
    assert client.get(url).status_code == 404
    assert client.post(url, visit_form()).status_code == 404
    assert client.get(f"/targeting/campaigns/{campaign.pk}/").status_code == 404
    assert client.get(f"/targeting/campaigns/{campaign.pk}/report/").status_code == 404


@pytest.mark.django_db
def test_coordinator_opens_campaign_and_assigns(
    login, coordinator, volunteer_a, communities, target_list
):
    client = login(coordinator)
    response = client.post(
        "/targeting/campaigns/new/", {"name": "รอบที่ 1", "target_list": target_list.pk}
    )
    assert response.status_code == 302
    page = response["Location"]
    assigned = client.post(page, {"community": communities["A"].pk, "volunteer": volunteer_a.pk})
    assert assigned.status_code == 302
    assert 'id="assignments"' in client.get(page).text
    refused = client.post(page, {"community": communities["B"].pk, "volunteer": volunteer_a.pk})
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()


@pytest.mark.django_db
def test_report_page_shows_rates(login, coordinator, campaign, households, volunteer_a):
    assess(households["A"], "not_poor")
    client = login(volunteer_a)
    url = f"/targeting/campaigns/{campaign.pk}/households/{households['A'].pk}/visit/"
    no_answers = {"ind_h2_safe_food": "", "cap_hu1_health": "", "problems": []}
    client.post(url, visit_form(outcome="not_poor", **no_answers))
    page = login(coordinator).get(f"/targeting/campaigns/{campaign.pk}/report/")
    assert page.status_code == 200
    assert 'id="total-row"' in page.text and "1/1" in page.text
    assert "คนจนไม่จริง" in page.text and "คนจนตกหล่น" in page.text
    assert "ตกหล่นเกิน" not in page.text and "รวมเกิน" not in page.text


@pytest.mark.django_db
def test_review_queue_side_by_side_and_decisions_are_kept(
    login, coordinator, target_list, households
):
    record = TargetRecord.objects.filter(target_list=target_list).first()
    person_a = households["A"].memberships.get().person
    person_b = households["B"].memberships.get().person
    pairs = [(record.pk, person_a.pk, 0.7), (record.pk, person_b.pk, 0.6)]
    counts = link_results_apply(target_list=target_list, pairs=pairs)
    assert counts["review"] == 1
    client = login(coordinator)
    queue = client.get("/targeting/review/")
    assert len(queue.context["queue"]) == 2
    first = LinkCandidate.objects.get(person=person_b)
    pair = client.get(f"/targeting/review/{first.pk}/")
    assert 'id="compare"' in pair.text and person_b.first_name in pair.text
    client.post(f"/targeting/review/{first.pk}/", {"decision": "reject"})
    second = LinkCandidate.objects.get(person=person_a)
    client.post(f"/targeting/review/{second.pk}/", {"decision": "accept"})
    record.refresh_from_db()
    assert record.link_status == LinkStatus.ACCEPTED and record.person == person_a
    # Linkage runs again with the rejected pair scoring high: the decisions stand.
    again = link_results_apply(target_list=target_list, pairs=[(record.pk, person_b.pk, 0.99)])
    record.refresh_from_db()
    assert again["kept"] == 1 and record.person == person_a


@pytest.mark.django_db
def test_rejected_pair_is_never_auto_linked(coordinator, target_list, households):
    record = TargetRecord.objects.filter(target_list=target_list).first()
    person_b = households["B"].memberships.get().person
    link_results_apply(target_list=target_list, pairs=[(record.pk, person_b.pk, 0.6)])
    LinkCandidate.objects.update(decision="rejected")
    link_results_apply(target_list=target_list, pairs=[(record.pk, person_b.pk, 0.99)])
    record.refresh_from_db()
    assert record.link_status == LinkStatus.NEW and record.person is None


@pytest.mark.django_db
def test_review_pages_are_scoped(login, volunteer_a, district_officer, target_list, households):
    record = TargetRecord.objects.get(target_list=target_list, subdistrict_code="100801")
    person = households["C"].memberships.get().person  # lives in khet 1009
    link_results_apply(target_list=target_list, pairs=[(record.pk, person.pk, 0.7)])
    candidate = LinkCandidate.objects.get()
    assert login(district_officer).get(f"/targeting/review/{candidate.pk}/").status_code == 404
    assert login(volunteer_a).get("/targeting/review/").status_code == 404


@pytest.mark.django_db
def test_agency_officer_has_no_targeting(login, agency_officer):
    client = login(agency_officer)
    for url in ["/targeting/import/", "/targeting/review/", "/targeting/campaigns/new/"]:
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_visit_to_a_closed_campaign_is_refused_on_the_form(
    login, campaign, households, volunteer_a
):
    campaign.is_open = False
    campaign.save(update_fields=["is_open"])
    url = f"/targeting/campaigns/{campaign.pk}/households/{households['A'].pk}/visit/"
    response = login(volunteer_a).post(url, visit_form())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_linkage_again_updates_review_pairs_and_adds_new_ones(target_list, households):
    """A pair offered again gets the new probability (one row, its decision kept); a new pair
    is added; the record's band and probability follow the best pair."""
    first, second = TargetRecord.objects.filter(target_list=target_list).order_by("pk")
    a, b, c = (households[k].memberships.get().person for k in "ABC")
    link_results_apply(
        target_list=target_list, pairs=[(first.pk, a.pk, 0.7), (second.pk, b.pk, 0.99)]
    )
    counts = link_results_apply(
        target_list=target_list,
        pairs=[(first.pk, a.pk, 0.8), (first.pk, c.pk, 0.6), (first.pk, b.pk, 0.3)],
    )
    assert counts == {"auto": 0, "review": 1, "new": 1, "kept": 0}
    pairs = {(x.person_id, x.probability, x.decision) for x in first.candidates.all()}
    assert pairs == {(a.pk, 0.8, "pending"), (c.pk, 0.6, "pending")}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.link_status, first.link_probability, first.person_id) == ("review", 0.8, None)
    assert (second.link_status, second.link_probability, second.person_id) == ("new", None, None)
