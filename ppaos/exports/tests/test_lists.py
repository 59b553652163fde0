"""Every exportable list: a user gets exactly the rows the list's page selector gives them,
out of scope is 404, and the pseudonymised form carries no names or IDs."""

import pytest
from django.utils import translation

from ppaos.assessment.models import Assessment
from ppaos.assessment.selectors import assessments_countable, community_assessments
from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND
from ppaos.audit.selectors import audit_search
from ppaos.exports.tests.helpers import column, read, url
from ppaos.lib import exports as lib
from ppaos.referrals import selectors as referral_selectors
from ppaos.targeting import selectors as targeting_selectors
from ppaos.targeting import services as targeting_services
from ppaos.targeting.models import LinkCandidate, TargetRecord
from ppaos.targeting.tests.conftest import visit_data


@pytest.fixture
def login(login):
    def _login(user):
        client = login(user)
        client.cookies["django_language"] = "en"
        return client

    return _login


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _no_private(response, *private: str) -> None:
    body = response.content.decode("utf-8-sig")
    for value in private:
        assert value and value not in body, value


# Targeting ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_target_records(login, coordinator, district_officer, volunteer_a, researcher, target_list):
    TargetRecord.objects.filter(target_list=target_list, subdistrict_code="100801").update(
        first_name="=HYPERLINK(1)"
    )
    for user in (coordinator, district_officer):
        client = login(user)
        table = read(client.get(url("target-records", list=target_list.pk)))
        expected = targeting_selectors.target_records_in_scope(user=user).filter(
            target_list=target_list
        )
        assert sorted(column(table, "Record")) == sorted(r.record_key for r in expected)
        assert "'=HYPERLINK(1)" in column(table, "First name")
        pseudonymised = client.get(url("target-records", list=target_list.pk, pseudonymised=True))
        assert "First name" not in read(pseudonymised)[0]
        _no_private(pseudonymised, *(r.record_key for r in expected), "HYPERLINK")
    assert login(coordinator).get(url("target-records", list=999999)).status_code == 404
    for user in (volunteer_a, researcher):
        client = login(user)
        assert client.get(url("target-records", list=target_list.pk)).status_code == 404
        assert (
            client.get(url("target-records", list=target_list.pk, pseudonymised=True)).status_code
            == 404
        )
    page = login(coordinator).get(f"/targeting/lists/{target_list.pk}/")
    assert f"/exports/target-records/csv/?list={target_list.pk}" in page.text


@pytest.mark.django_db
def test_campaign_visits_review_queue_and_error_report(
    login, coordinator, district_officer, volunteer_a, households, campaign
):
    for key in ("A", "B"):
        targeting_services.visit_record(
            campaign=campaign,
            household=households[key],
            volunteer=coordinator,
            answers={},
            **visit_data(notes="บ้านหลังคารั่ว"),
        )
    other = households["C"].memberships.get().person
    record = TargetRecord.objects.filter(target_list=campaign.target_list).first()
    LinkCandidate.objects.create(record=record, person=other, probability=0.7)
    client = login(coordinator)
    table = read(client.get(url("campaign-visits", campaign=campaign.pk)))
    visits = targeting_selectors.campaign_visits(user=coordinator, campaign=campaign)
    assert sorted(column(table, "Household code")) == sorted(v.household.code for v in visits)
    assert len(table) == 3 and "บ้านหลังคารั่ว" in column(table, "Notes")
    pseudonymised = client.get(url("campaign-visits", campaign=campaign.pk, pseudonymised=True))
    assert "Notes" not in read(pseudonymised)[0]
    _no_private(pseudonymised, households["A"].code, "บ้านหลังคารั่ว", "coord")
    # The district officer manages khet 1008 only: the campaign's visits there.
    officer_table = read(login(district_officer).get(url("campaign-visits", campaign=campaign.pk)))
    assert len(officer_table) == 3
    # The review queue: the pair's person is in khet 1009, visible to the coordinator only.
    queue = read(login(coordinator).get(url("review-queue")))
    assert column(queue, "Registry person") == [other.full_name]
    assert read(login(district_officer).get(url("review-queue")))[1:] == []
    report = read(login(coordinator).get(url("error-report", campaign=campaign.pk, by="community")))
    rows = targeting_selectors.error_report(user=coordinator, campaign=campaign, by="community")
    assert len(report) == len(rows) + 1 and column(report, "Area")[-1] == "All"
    volunteer = login(volunteer_a)
    for name in ("campaign-visits", "error-report"):
        assert volunteer.get(url(name, campaign=campaign.pk)).status_code == 404
    assert volunteer.get(url("review-queue")).status_code == 404


# Referrals ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_referral_lists_by_side(
    login, district_officer, coordinator, volunteer_a, agency_officer, researcher, sent, elder
):
    city = login(district_officer)
    table = read(city.get(url("referrals")))
    expected = referral_selectors.referrals_managed(user=district_officer)
    assert column(table, "Referral") == [r.number for r in expected]
    assert column(table, "Person") == [elder.full_name]
    assert read(city.get(url("referrals", status="completed")))[1:] == []
    pseudonymised = city.get(url("referrals", pseudonymised=True))
    _no_private(pseudonymised, elder.first_name, sent.number, sent.household.code)
    assert login(volunteer_a).get(url("referrals")).status_code == 404
    assert login(researcher).get(url("referrals", pseudonymised=True)).status_code == 404
    # The agency: its inbox (names included: it serves the person), never the city's list.
    agency = login(agency_officer)
    inbox = read(agency.get(url("referral-inbox")))
    assert column(inbox, "Referral") == [sent.number]
    assert "Household code" not in inbox[0]
    assert agency.get(url("referrals")).status_code == 404
    overdue = read(agency.get(url("referrals-overdue")))
    assert len(overdue) == 1 + referral_selectors.overdue_for(user=agency_officer).count()
    # Reports: counts only, for counters and agencies alike.
    report = read(login(researcher).get(url("referral-report", group="service")))
    # 1 referral: a small count, hidden from counts-only roles (ppaos.lib.disclosure).
    assert column(report, "Referrals")[-1] == "< 5" and column(report, "Name")[-1] == "All"
    assert login(volunteer_a).get(url("referral-report")).status_code == 200
    assert login(district_officer).get(url("referral-inbox")).status_code == 404
    page = login(district_officer).get("/referrals/?status=all")
    assert 'href="/exports/referrals/csv/?status=all"' in page.text


# Assessment ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_assessments_of_an_area(login, coordinator, volunteer_a, researcher, scenario):
    assessment_run(round_name=ROUND)
    a = scenario["X"].community
    client = login(coordinator)
    table = read(client.get(url("assessments", community=a.pk, round=ROUND)))
    expected = community_assessments(user=coordinator, round_name=ROUND, community=a)
    assert sorted(column(table, "Household code")) == sorted(x.household.code for x in expected)
    assert len(table) == 4
    mine = read(login(volunteer_a).get(url("assessments", area="10", round=ROUND)))
    assert sorted(column(mine, "Household code")) == ["T-X", "T-Y", "T-Z"]
    researcher_client = login(researcher)
    assert researcher_client.get(url("assessments", area="10", round=ROUND)).status_code == 404
    pseudonymised = researcher_client.get(
        url("assessments", area="10", round=ROUND, pseudonymised=True)
    )
    counted = assessments_countable(user=researcher, round_name=ROUND, area_code="10")
    assert len(read(pseudonymised)) == counted.count() + 1
    _no_private(pseudonymised, "T-X", "T-V")
    nope = url("assessments", area="10", round="nope", pseudonymised=True)
    assert researcher_client.get(nope).status_code == 404
    assert login(volunteer_a).get(url("assessments", area="1009", round=ROUND)).status_code == 404
    assert Assessment.objects.exists()


# Audit log ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_log(login, coordinator, district_officer, households):
    client = login(coordinator)
    table = read(client.get(url("audit-log", action="create")))
    assert len(table) == 1 + audit_search(action="create").count()
    assert set(column(table, "Action")) == {"create"}
    assert login(district_officer).get(url("audit-log")).status_code == 404
    page = login(coordinator).get("/audit/?action=create")
    assert 'href="/exports/audit-log/csv/?action=create"' in page.text


def test_every_list_declares_valid_columns():
    specs = lib.all_specs()
    assert {
        "households",
        "household-members",
        "target-records",
        "campaign-visits",
        "review-queue",
        "error-report",
        "referrals",
        "referral-inbox",
        "referrals-overdue",
        "referral-report",
        "assessments",
        "audit-log",
    } <= set(specs)
    for spec in specs.values():
        headers = [c.header for c in spec.columns]
        assert len(headers) == len(set(headers)), spec.name


# Registry -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_household_members(login, volunteer_a, researcher, households):
    a, b = households["A"], households["B"]
    head = a.memberships.get().person
    client = login(volunteer_a)
    table = read(client.get(url("household-members", household=a.pk)))
    assert column(table, "Name") == [head.full_name]
    pseudonymised = client.get(url("household-members", household=a.pk, pseudonymised=True))
    assert read(pseudonymised)[0][0] == "Pseudonym"
    _no_private(pseudonymised, head.first_name, head.last_name)
    assert client.get(url("household-members", household=b.pk)).status_code == 404
    researcher_client = login(researcher)
    for pseudo in (False, True):
        address = url("household-members", household=a.pk, pseudonymised=pseudo)
        assert researcher_client.get(address).status_code == 404
    page = login(volunteer_a).get(f"/households/{a.pk}/")
    assert f"/exports/household-members/csv/?household={a.pk}" in page.text
