"""Pages: scoping (404 outside scope), data minimisation for agencies, audit of views."""

import datetime as dt

import pytest

from ppaos.accounts.models import Organisation, Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.audit.models import AuditEvent
from ppaos.conftest import PASSWORD
from ppaos.referrals import services
from ppaos.referrals.models import Referral, Status
from ppaos.referrals.tests.conftest import at


@pytest.fixture
def other_officer(other_org):
    user = user_create(username="other_agency", password=PASSWORD)
    role_assign(user=user, role=Role.AGENCY_OFFICER, organisation=other_org)
    return user


@pytest.mark.django_db
def test_agency_sees_only_what_it_needs(sent, agency_officer, login, elder, households):
    client = login(agency_officer)
    page = client.get(f"/referrals/{sent.pk}/")
    assert page.status_code == 200
    text = page.text
    assert elder.full_name in text
    assert elder.phone in text
    assert households["A"].house_no in text  # the address
    assert "Old-age allowance" in text and "ช่วยขึ้นทะเบียนเบี้ยยังชีพ" in text  # service, note
    head = households["A"].memberships.get(relation="head").person
    for private in [
        elder.national_id,
        elder.national_id[-4:],  # not even masked
        "2501",  # birth year (B.E.)
        elder.chronic_illness,
        head.first_name,  # other members
        households["A"].code,
        "age 67",  # eligibility reasons stay with the city
        "/households/",
    ]:
        assert private not in text, private
    assert AuditEvent.objects.filter(
        actor=agency_officer, action="view", object_type="referrals.referral"
    ).exists()


@pytest.mark.django_db
def test_agency_gets_404_for_anything_not_addressed_to_it(
    referral, sent, agency_officer, other_officer, login, households, district_officer
):
    other = login(other_officer)
    assert other.get(f"/referrals/{sent.pk}/").status_code == 404
    assert other.post(f"/referrals/{sent.pk}/accept/", {"accept-version": 2}).status_code == 404
    assert other.get("/referrals/inbox/").status_code == 200
    assert sent.number not in other.get("/referrals/inbox/").text
    agency = login(agency_officer)
    draft = services.referral_create(
        actor=district_officer,
        household=households["B"],
        person=households["B"].memberships.get().person,
        service=sent.service,
    )
    for url in [
        f"/referrals/{draft.pk}/",  # a draft is not addressed to anyone yet
        f"/referrals/households/{households['A'].pk}/",
        f"/households/{households['A'].pk}/",
        "/referrals/eligibility/",
        f"/referrals/households/{households['A'].pk}/people/{sent.person_id}/old_age_allowance/",
    ]:
        assert agency.get(url).status_code == 404, url


@pytest.mark.django_db
def test_agency_home_shows_the_inbox(sent, agency_officer, login):
    home = login(agency_officer).get("/")
    assert 'id="agency-inbox"' in home.text
    assert sent.number in home.text
    assert "/areas/" not in home.text


@pytest.mark.django_db
def test_city_scope_is_by_area(sent, households, login, volunteer_a, coordinator, old_age):
    c_head = households["C"].memberships.get().person
    in_1009 = services.referral_create(
        actor=coordinator, household=households["C"], person=c_head, service=old_age
    )
    from ppaos.accounts.models import User

    officer = User.objects.get(username="khet1008")
    client = login(officer)
    assert client.get(f"/referrals/{sent.pk}/").status_code == 200
    assert client.get(f"/referrals/{in_1009.pk}/").status_code == 404
    assert client.get(f"/referrals/households/{households['C'].pk}/").status_code == 404
    assert in_1009.number not in client.get("/referrals/?status=all").text
    # A volunteer reads the referrals of their community but cannot act or refer.
    volunteer = login(volunteer_a)
    assert volunteer.get(f"/referrals/households/{households['A'].pk}/").status_code == 200
    page = volunteer.get(f"/referrals/{sent.pk}/")
    assert page.status_code == 200 and 'id="form-close"' not in page.text
    assert volunteer.post(f"/referrals/{sent.pk}/close/", {"close-version": 2}).status_code == 404
    url = f"/referrals/households/{households['A'].pk}/people/{sent.person_id}/old_age_allowance/"
    assert volunteer.get(url).status_code == 404


@pytest.mark.django_db
def test_district_officer_refers_from_the_excluded_list(
    district_officer, login, households, elder, old_age
):
    client = login(district_officer)
    page = client.get("/referrals/eligibility/?service=old_age_allowance")
    assert elder.full_name in page.text
    assert "not receiving" in page.text
    url = f"/referrals/households/{households['A'].pk}/people/{elder.pk}/old_age_allowance/"
    assert url in page.text
    form = client.get(url)
    assert "หน่วยงานทดสอบ" in form.text
    # Sending without consent or a reason is refused; nothing is sent, or kept.
    response = client.post(url, {"note": "x", "consent_by": "", "submit": "send"})
    assert response.status_code == 400
    assert not Referral.objects.exists()
    response = client.post(url, {"note": "x", "consent_by": "", "submit": "draft"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == Status.DRAFT
    response = client.post(
        f"/referrals/{referral.pk}/send/",
        {"version": referral.version, "consent_given": "on", "consent_by": "นางบุญมา"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert referral.consent_by == "นางบุญมา"
    assert AuditEvent.objects.filter(actor=district_officer, object_type="referrals.list").exists()


@pytest.mark.django_db
def test_agency_acts_through_the_pages(sent, agency_officer, login):
    client = login(agency_officer)
    refused = client.post(
        f"/referrals/{sent.pk}/reject/", {"reject-version": 2, "reject-reason": ""}
    )
    assert refused.status_code == 400
    assert "Give the reason" in refused.text
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    # A form opened before someone else changed the referral is refused, with the reason.
    stale = client.post(f"/referrals/{sent.pk}/accept/", {"accept-version": 1})
    assert stale.status_code == 400 and "someone else changed" in stale.text
    client.post(f"/referrals/{sent.pk}/accept/", {"accept-version": 2})
    response = client.post(
        f"/referrals/{sent.pk}/complete/",
        {
            "version": 3,
            "outcome": "Registered",
            "enrolled": "on",
            "benefit_amount": "600",
            "benefit_from": "01/02/2569",
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == Status.COMPLETED
    assert sent.benefit.since == dt.date(2026, 2, 1)


@pytest.mark.django_db
def test_catalogue_is_kept_by_coordinators(coordinator, district_officer, login, old_age):
    assert login(district_officer).get("/referrals/services/").status_code == 200
    assert (
        login(district_officer).get("/referrals/services/old_age_allowance/edit/").status_code
        == 404
    )
    client = login(coordinator)
    bad = client.post(
        "/referrals/services/old_age_allowance/rules/new/",
        {"effective_from": "01/10/2569", "eligibility": '{"eval": 1}', "amount": "600"},
    )
    assert bad.status_code == 200 and "unknown operator" in bad.text
    good = client.post(
        "/referrals/services/old_age_allowance/rules/new/",
        {
            "effective_from": "01/10/2569",
            "eligibility": '{">=": [{"var": "age"}, 60]}',
            "amount": "700",
            "is_confirmed": "on",
        },
    )
    assert good.status_code == 302
    rule = old_age.rules.get(effective_from=dt.date(2026, 10, 1))
    assert rule.amount == 700 and rule.created_by == coordinator
    client.post(
        "/referrals/services/old_age_allowance/edit/",
        {"name_th": old_age.name_th, "sla_days": 20, "required_documents": "บัตร\nทะเบียนบ้าน"},
    )
    old_age.refresh_from_db()
    assert old_age.sla_days == 20 and old_age.required_documents == ["บัตร", "ทะเบียนบ้าน"]
    assert AuditEvent.objects.filter(object_type="referrals.service", action="update").exists()


@pytest.mark.django_db
def test_household_page_shows_eligibility_and_plan(
    district_officer, login, households, elder, old_age
):
    client = login(district_officer)
    page = client.get(f"/referrals/households/{households['A'].pk}/")
    assert page.status_code == 200
    assert "≥ 60, Thai nationality, not receiving" in page.text  # age depends on today
    assert 'id="form-new-plan"' in page.text
    registry_page = client.get(f"/households/{households['A'].pk}/")
    assert f"/referrals/households/{households['A'].pk}/" in registry_page.text
    assert Organisation.objects.filter(name_th="หน่วยงานทดสอบ").exists()
    assert at().tzinfo is not None


@pytest.mark.django_db
def test_agency_transfers_and_loses_access(sent, agency_officer, other_officer, other_org, login):
    client = login(agency_officer)
    response = client.post(
        f"/referrals/{sent.pk}/transfer/",
        {
            "transfer-version": sent.version,
            "transfer-organisation": other_org.pk,
            "transfer-reason": "Their programme",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/referrals/inbox/"
    assert client.get(f"/referrals/{sent.pk}/").status_code == 404
    page = login(other_officer).get(f"/referrals/{sent.pk}/")
    assert page.status_code == 200 and "Their programme" in page.text
