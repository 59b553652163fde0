"""Issue 15: district offices answer their own services' referrals; the catalogue warns of
services nobody can accept; a refused send is an error and keeps no draft; a re-posted action
says what happened."""

import json
from io import StringIO

import pytest
from django.contrib.messages import constants
from django.core.management import call_command

from ppaos.accounts.models import Organisation, Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import District
from ppaos.conftest import PASSWORD
from ppaos.referrals import notifications, selectors, services
from ppaos.referrals.models import Referral, Service, Status
from ppaos.referrals.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(geography) -> dict[str, Organisation]:
    return {
        code: Organisation.objects.create(
            name_th=f"สำนักงานเขตทดสอบ {code}",
            kind="district_office",
            district=District.objects.get(code=code),
        )
        for code in ("1008", "1009")
    }


@pytest.fixture
def bag(offices) -> Service:
    return Service.objects.create(
        code="survival_bag",
        name_th="ถุงยังชีพ",
        name_en="Survival bag",
        category="relief",
        provider_is_district_office=True,
        sla_days=7,
        required_documents=["บัตรประจำตัวประชาชน", "สำเนาทะเบียนบ้าน"],
    )


def head(household):
    return household.memberships.get(relation="head").person


def sent_bag(actor, household, service):
    referral = services.referral_create(
        actor=actor,
        household=household,
        person=head(household),
        service=service,
        consent_given=True,
        consent_by="ตัวเอง",
        at=at(),
    )
    return services.referral_send(actor=actor, referral=referral, at=at())


def test_district_officer_answers_their_office_referrals(
    bag, offices, households, district_officer, coordinator, login
):
    mine = sent_bag(district_officer, households["A"], bag)
    theirs = sent_bag(coordinator, households["C"], bag)  # khet 1009's office
    assert mine.organisation == offices["1008"] and theirs.organisation == offices["1009"]
    # They are told of it like an agency officer.
    assert district_officer in notifications.agency_officers(offices["1008"].pk)
    assert district_officer not in notifications.agency_officers(offices["1009"].pk)
    assert mine.notifications.filter(recipient=district_officer, kind="new").exists()

    client = login(district_officer)
    home = client.get("/referrals/")
    assert 'id="nav-inbox"' in home.text
    inbox = client.get("/referrals/inbox/")
    assert inbox.status_code == 200
    assert mine.number in inbox.text and theirs.number not in inbox.text
    page = client.get(f"/referrals/{mine.pk}/")
    assert 'id="form-accept"' in page.text and 'id="print-letter"' in page.text

    assert client.post(f"/referrals/{mine.pk}/accept/", {"accept-version": 2}).status_code == 302
    done = client.post(
        f"/referrals/{mine.pk}/complete/",
        {"version": 3, "outcome": "มอบถุงยังชีพแล้ว", "benefit_from": "15/01/2569"},
    )
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.status == Status.COMPLETED

    # Another district's referral: not found, whatever is asked.
    assert client.get(f"/referrals/{theirs.pk}/").status_code == 404
    assert client.post(f"/referrals/{theirs.pk}/accept/", {"accept-version": 2}).status_code == 404
    assert client.get(f"/referrals/{theirs.pk}/letter.pdf").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SENT


def test_other_roles_do_not_answer_for_district_offices(
    bag, offices, households, district_officer, volunteer_a, agency_officer, login
):
    referral = sent_bag(district_officer, households["A"], bag)
    for user in (volunteer_a, agency_officer):
        assert not selectors.district_office_ids(user)
        assert 'id="nav-inbox"' not in login(user).get("/").text
    assert login(volunteer_a).get("/referrals/inbox/").status_code == 404
    assert login(agency_officer).get(f"/referrals/{referral.pk}/").status_code == 404


def test_reposting_a_finished_action_says_so(bag, households, district_officer, login):
    referral = sent_bag(district_officer, households["A"], bag)
    services.referral_accept(actor=district_officer, referral=referral)
    services.referral_complete(actor=district_officer, referral=referral, outcome="มอบแล้ว")
    client = login(district_officer)
    again = client.post(f"/referrals/{referral.pk}/accept/", {"accept-version": 2}, follow=True)
    assert again.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    (message,) = list(again.context["messages"])
    assert str(message) == "This referral is already completed; nothing was changed."
    assert message.level == constants.WARNING
    assert 'class="warning"' in again.text
    assert client.post(f"/referrals/{referral.pk}/send/", {"version": 4}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED and referral.version == 4


def test_reposting_out_of_scope_is_still_404(sent, agency_officer, other_org, login):
    services.referral_accept(actor=agency_officer, referral=sent)
    stranger = user_create(username="stranger", password=PASSWORD)
    role_assign(user=stranger, role=Role.AGENCY_OFFICER, organisation=other_org)
    assert login(stranger).post(f"/referrals/{sent.pk}/accept/", {}).status_code == 404
    # The agency itself, re-posting: told, not refused.
    answer = login(agency_officer).post(f"/referrals/{sent.pk}/accept/", {"accept-version": 2})
    assert answer.status_code == 302


def test_send_without_consent_is_an_error_and_keeps_no_draft(
    households, elder, old_age, district_officer, login
):
    client = login(district_officer)
    url = f"/referrals/households/{households['A'].pk}/people/{elder.pk}/old_age_allowance/"
    refused = client.post(url, {"note": "x", "consent_by": "", "submit": "send"})
    assert refused.status_code == 400
    assert not Referral.objects.exists()
    (message,) = list(refused.context["messages"])
    assert message.level == constants.ERROR and str(message).startswith("Not sent:")
    assert 'class="error" role="alert"' in refused.text
    assert "Record the person&#x27;s consent" in refused.text
    # Saving a draft without consent is allowed: a draft is kept only when asked for.
    drafted = client.post(url, {"note": "x", "submit": "draft"})
    assert drafted.status_code == 302
    assert Referral.objects.get().status == Status.DRAFT


def _catalogue(tmp_path, services_rows):
    path = tmp_path / "catalogue.json"
    path.write_text(
        json.dumps(
            {
                "organisations": [
                    {
                        "key": "welfare",
                        "name_th": "สำนักงานสวัสดิการทดสอบ",
                        "kind": "government_agency",
                    }
                ],
                "services": services_rows,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_the_catalogue_warns_of_services_nobody_can_accept(tmp_path, households, offices):
    rows = [
        {"code": "relief", "name_th": "เงินช่วยเหลือ", "category": "relief", "provider": "welfare"},
        {"code": "bag", "name_th": "ถุงยังชีพ", "category": "relief", "provider": "district_office"},
    ]
    path = _catalogue(tmp_path, rows)
    result = services.catalogue_load(path=path)
    warnings = "\n".join(result.warnings)
    assert "สำนักงานสวัสดิการทดสอบ: nobody can accept its referrals (relief)" in warnings
    # Households live in khet 1008 (A, B) and 1009 (C): one line per district office.
    assert "สำนักงานเขตทดสอบ 1008 (district 1008): nobody can accept" in warnings
    assert "สำนักงานเขตทดสอบ 1009 (district 1009): nobody can accept" in warnings
    out = StringIO()
    call_command("load-services", str(path), stdout=out)
    assert out.getvalue().count("Warning: ") == 3

    agency = user_create(username="welfare_officer", password=PASSWORD)
    role_assign(
        user=agency,
        role=Role.AGENCY_OFFICER,
        organisation=Organisation.objects.get(name_th="สำนักงานสวัสดิการทดสอบ"),
    )
    officer = user_create(username="khet1008b", password=PASSWORD)
    role_assign(user=officer, role=Role.DISTRICT_OFFICER, district=offices["1008"].district)
    (left,) = services.catalogue_load(path=path).warnings
    assert "1009" in left and "bag" in left


def test_the_demo_has_an_acceptor_for_every_provider(geography):
    from ppaos.accounts.services import demo_users_create
    from ppaos.demo.referrals import demo_acceptors_create
    from ppaos.demo.registry import demo_load

    demo_load(seed=2566)
    demo_users_create()
    services.catalogue_load()
    assert demo_acceptors_create()
    assert demo_acceptors_create() == []  # runs again safely
    gaps = [line for line in services.catalogue_acceptor_gaps() if "1008" in line]
    assert gaps == []
    for service in Service.objects.filter(provider__isnull=False):
        assert notifications.agency_officers(service.provider_id).exists(), service.code
