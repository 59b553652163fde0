"""Issue 15: the referral letter and the household card, as Thai PDFs, audited and scoped."""

import io

import pytest
from pypdf import PdfReader

from ppaos.audit.models import AuditEvent
from ppaos.referrals import printing, services
from ppaos.referrals.tests.conftest import at

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_letter_holds_what_the_person_and_the_agency_need(sent, elder):
    html = printing.letter_html(referral=sent)
    assert sent.number in html
    assert elder.full_name in html
    assert "เบี้ยยังชีพผู้สูงอายุ" in html and "หน่วยงานทดสอบ" in html  # service, agency
    assert "บัตรประจำตัวประชาชน" in html  # the documents to bring, from the catalogue
    assert "2569" in html  # Buddhist-era dates
    assert "<svg" in html and f"/referrals/{sent.pk}/" in html  # the QR code to the case
    for private in (elder.national_id, elder.chronic_illness, "ช่วยขึ้นทะเบียนเบี้ยยังชีพ"):
        assert private not in html, private  # no ID, health detail or note on paper


def test_the_letter_pdf_is_audited_and_scoped(sent, district_officer, agency_officer, login):
    client = login(district_officer)
    response = client.get(f"/referrals/{sent.pk}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert sent.number in pdf_text(response.content)
    assert AuditEvent.objects.filter(
        actor=district_officer,
        action="export",
        object_type="referrals.referral",
        object_id=str(sent.pk),
    ).exists()
    # The agency it is addressed to may print it too.
    assert login(agency_officer).get(f"/referrals/{sent.pk}/letter.pdf").status_code == 200


def test_the_letter_is_404_out_of_scope(sent, volunteer_a, communities, login):
    from ppaos.accounts.models import Role
    from ppaos.accounts.services import role_assign, user_create
    from ppaos.conftest import PASSWORD

    outsider = user_create(username="vol_c", password=PASSWORD)
    role_assign(user=outsider, role=Role.VOLUNTEER, community=communities["C"])
    before = AuditEvent.objects.filter(action="export").count()
    assert login(outsider).get(f"/referrals/{sent.pk}/letter.pdf").status_code == 404
    assert login(outsider).get("/referrals/999999/letter.pdf").status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == before


def test_the_household_card(sent, households, district_officer, volunteer_a, login):
    household = households["A"]
    plan = services.plan_open(
        actor=district_officer, household=household, responsible=district_officer, goal="มีรายได้พอ"
    )
    services.plan_intervention_add(
        actor=district_officer,
        plan=plan,
        problem=None,
        service=None,
        person=None,
        description="ฝึกอาชีพทำขนม",
        responsible_name="",
        target_date=None,
    )
    html = printing.card_html(household=household)
    assert household.code in html and sent.number in html
    assert "มีรายได้พอ" in html and "ฝึกอาชีพทำขนม" in html

    page = login(district_officer).get(f"/referrals/households/{household.pk}/")
    assert 'id="print-card"' in page.text
    response = login(volunteer_a).get(f"/referrals/households/{household.pk}/card.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert household.code in text and sent.number in text
    assert AuditEvent.objects.filter(
        actor=volunteer_a,
        action="export",
        object_type="registry.household",
        object_id=str(household.pk),
    ).exists()
    # Another community's household: not found.
    other = households["B"]
    assert login(volunteer_a).get(f"/referrals/households/{other.pk}/card.pdf").status_code == 404


def test_the_card_shows_the_level(households, coordinator):
    from ppaos.referrals.printing import Level

    level = Level(round_name="2568", level=2, name="อยู่ลำบาก", status="poor", score="3/20")
    household = households["A"]
    context = printing.card_context(household=household)
    assert context["level"] is None  # not assessed
    context["level"] = level
    from django.template.loader import render_to_string

    html = render_to_string(printing.CARD_TEMPLATE, context)
    assert "อยู่ลำบาก" in html and "2568" in html


def test_sent_at_is_in_the_letter(referral, district_officer):
    sent = services.referral_send(actor=district_officer, referral=referral, at=at())
    assert "15 มกราคม 2569" in printing.letter_html(referral=sent)
