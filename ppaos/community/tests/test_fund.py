"""The community fund as a cash ledger (the per-province option; Bangkok's default is district
procurement, see test_procurement): fiscal-year budget (default from the setting), proposals,
the community's decision, expenditures with validated receipts within the fiscal year, the
running balance, overspending refused, the right roles only."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ppaos.audit.models import AuditEvent
from ppaos.community import services
from ppaos.community.models import Expenditure, FundYear, ProposalStatus
from ppaos.community.selectors import fund_ledger

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cash_ledger")]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (250, 250, 240)).save(out, format="PNG")
    return out.getvalue()


def receipt(name="receipt.png", content=None):
    return SimpleUploadedFile(name, _png() if content is None else content)


def spend(proposal, user, amount, day=dt.date(2026, 2, 1), **extra):
    return services.expenditure_record(
        actor=user,
        proposal=proposal,
        spent_on=day,
        amount=Decimal(amount),
        payee=extra.get("payee", "ร้านวัสดุก่อสร้างรุ่งเรือง"),
        description=extra.get("description", "ปูนและทราย"),
        receipt=extra.get("receipt", receipt()),
    )


def test_a_year_opens_with_the_configured_budget(settings, communities, leader_a):
    year = services.fund_year_open(actor=leader_a, community=communities["A"], year_be=2569)
    assert year.budget == Decimal("200000.00")
    settings.COMMUNITY_FUND_BUDGET = "150000"
    other = services.fund_year_open(actor=leader_a, community=communities["A"], year_be=2570)
    assert other.budget == Decimal("150000.00")
    with pytest.raises(ValidationError):
        services.fund_year_open(actor=leader_a, community=communities["A"], year_be=2569)
    with pytest.raises(ValidationError):
        services.fund_year_open(actor=leader_a, community=communities["A"], year_be=2026)


def test_leader_opens_a_year_but_only_officers_set_its_budget(
    english_login, leader_a, district_officer, communities
):
    url = f"/communities/{communities['A'].pk}/fund/"
    page = english_login(leader_a).get(url)
    assert 'name="budget"' not in page.text
    response = english_login(leader_a).post(url, {"year_be": 2569, "budget": "999999"})
    assert response.status_code == 302
    assert FundYear.objects.get().budget == Decimal("200000.00")
    response = english_login(district_officer).post(url, {"year_be": 2570, "budget": "250000"})
    assert FundYear.objects.get(year_be=2570).budget == Decimal("250000.00")


def test_ledger_totals_and_running_balance(approved, leader_a):
    spend(approved, leader_a, "20000", dt.date(2026, 2, 1))
    spend(approved, leader_a, "15000.50", dt.date(2026, 1, 20))
    ledger = fund_ledger(fund_year=approved.fund_year)
    assert ledger.budget == Decimal("200000.00")
    assert ledger.approved == Decimal("50000.00")
    assert ledger.spent == Decimal("35000.50")
    assert ledger.balance == Decimal("164999.50")
    assert ledger.unallocated == Decimal("150000.00")
    # In date order, each row with the balance left after it.
    assert [(r.expenditure.amount, r.balance) for r in ledger.rows] == [
        (Decimal("15000.50"), Decimal("184999.50")),
        (Decimal("20000.00"), Decimal("164999.50")),
    ]
    assert ledger.proposals[0].left == Decimal("14999.50")
    assert all(isinstance(r.balance, Decimal) for r in ledger.rows)


def test_overspending_an_approval_is_refused(english, approved, leader_a):
    spend(approved, leader_a, "45000")
    with pytest.raises(ValidationError) as error:
        spend(approved, leader_a, "5000.01")
    assert "Overspending refused" in str(error.value)
    assert "5,000.00" in str(error.value)
    spend(approved, leader_a, "5000")
    assert fund_ledger(fund_year=approved.fund_year).proposals[0].left == 0
    assert Expenditure.objects.count() == 2


def test_approvals_cannot_exceed_the_budget(english, fund_year, leader_a, approved):
    big = services.proposal_create(
        actor=leader_a,
        fund_year=fund_year,
        title="ศูนย์เด็กเล็ก",
        purpose="ปรับปรุงอาคาร",
        amount_requested=Decimal("180000"),
        proposer_name="กลุ่มแม่บ้าน",
    )
    decision = {
        "actor": leader_a,
        "proposal": big,
        "meeting_date": dt.date(2026, 3, 1),
        "attendance": 50,
        "votes_for": 40,
        "votes_against": 10,
    }
    with pytest.raises(ValidationError) as error:
        services.decision_record(**decision, approved_amount=Decimal("180000"))
    assert "Only 150,000.00 baht" in str(error.value)
    made = services.decision_record(**decision, approved_amount=Decimal("150000"))
    assert made.approved
    big.refresh_from_db()
    assert big.status == ProposalStatus.APPROVED
    assert fund_ledger(fund_year=fund_year).unallocated == 0
    with pytest.raises(ValidationError):
        services.proposal_create(
            actor=leader_a,
            fund_year=fund_year,
            title="x",
            purpose="x",
            amount_requested=Decimal("200000.01"),
            proposer_name="x",
        )


def test_budget_cannot_go_below_what_is_approved(fund_year, district_officer, approved):
    with pytest.raises(ValidationError):
        services.fund_year_set_budget(
            actor=district_officer,
            fund_year=fund_year,
            expected_version=fund_year.version,
            budget=Decimal("49999"),
        )
    changed = services.fund_year_set_budget(
        actor=district_officer,
        fund_year=fund_year,
        expected_version=fund_year.version,
        budget=Decimal("50000"),
    )
    assert changed.budget == Decimal("50000.00") and changed.version == 2
    with pytest.raises(ValidationError):  # a stale form
        services.fund_year_set_budget(
            actor=district_officer, fund_year=fund_year, expected_version=1, budget=Decimal("1")
        )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"votes_for": 30, "votes_against": 20, "votes_abstain": 0, "attendance": 40}, "votes_for"),
        ({"meeting_date": dt.date(2100, 1, 1)}, "meeting_date"),
        ({"attendance": 0, "votes_for": 0, "votes_against": 0}, "attendance"),
        ({"approved_amount": Decimal("60000.01")}, "approved_amount"),
    ],
)
def test_decisions_are_checked(fund_year, leader_a, change, field):
    proposal = services.proposal_create(
        actor=leader_a,
        fund_year=fund_year,
        title="ลานกีฬา",
        purpose="ให้เด็กมีที่เล่น",
        amount_requested=Decimal("60000"),
        proposer_name="กลุ่มเยาวชน",
    )
    data = {
        "meeting_date": dt.date(2026, 1, 10),
        "attendance": 40,
        "votes_for": 30,
        "votes_against": 5,
        "votes_abstain": 5,
    } | change
    with pytest.raises(ValidationError) as error:
        services.decision_record(actor=leader_a, proposal=proposal, **data)
    assert field in error.value.error_dict


def test_a_rejected_proposal_approves_nothing_and_cannot_be_spent(fund_year, leader_a):
    proposal = services.proposal_create(
        actor=leader_a,
        fund_year=fund_year,
        title="ทัศนศึกษา",
        purpose="พาผู้สูงอายุเที่ยว",
        amount_requested=Decimal("30000"),
        proposer_name="ชมรมผู้สูงอายุ",
    )
    decision = services.decision_record(
        actor=leader_a,
        proposal=proposal,
        meeting_date=dt.date(2026, 1, 10),
        attendance=30,
        votes_for=10,
        votes_against=15,
        votes_abstain=5,
    )
    assert not decision.approved and decision.approved_amount == 0
    with pytest.raises(ValidationError):
        spend(proposal, leader_a, "100")


def test_paid_before_the_meeting_in_the_future_or_outside_the_fiscal_year_is_refused(
    approved, leader_a, fund_year
):
    assert fund_year.mode == "cash"
    # Fiscal year 2569 ends on 30 Sep 2026: a payment on 1 Oct 2026 belongs to 2570.
    for day in (dt.date(2026, 1, 9), dt.date(2100, 1, 1), dt.date(2026, 10, 1)):
        with pytest.raises(ValidationError) as error:
            spend(approved, leader_a, "100", day)
        assert "spent_on" in error.value.error_dict


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("receipt.exe", b"MZ\x90\x00", "Use a .pdf, .jpg or .png file"),
        ("receipt.png", b"<script>alert(1)</script>", "not the PDF or image its name says"),
        ("receipt.pdf", _png(), "not the PDF or image its name says"),
        ("receipt.jpg", b"\xff\xd8\xffbroken", "not the PDF or image its name says"),
    ],
)
def test_receipts_of_the_wrong_kind_are_refused(
    english_login, leader_a, approved, name, content, message
):
    response = english_login(leader_a).post(
        f"/community/fund/proposals/{approved.pk}/expenditures/new/",
        {
            "spent_on": "1/2/2569",
            "amount": "1000",
            "payee": "ร้านค้า",
            "description": "ไม้",
            "receipt": receipt(name, content),
        },
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Expenditure.objects.exists()


def test_oversized_receipt_is_refused(english, monkeypatch, approved, leader_a):
    monkeypatch.setattr(services.fund, "MAX_RECEIPT", 10)
    with pytest.raises(ValidationError) as error:
        spend(approved, leader_a, "100")
    assert "larger than 5 MB" in str(error.value)


def test_expenditure_by_form_with_receipt_stored_privately(
    english_login, leader_a, approved, settings, communities
):
    client = english_login(leader_a)
    response = client.post(
        f"/community/fund/proposals/{approved.pk}/expenditures/new/",
        {
            "spent_on": "1/2/2569",
            "amount": "12500.75",
            "payee": "ร้านวัสดุก่อสร้างรุ่งเรือง",
            "description": "ปูนซีเมนต์ 20 ถุง",
            "receipt": SimpleUploadedFile("../../ใบเสร็จ.PDF", PDF),
        },
    )
    assert response.status_code == 302
    expenditure = Expenditure.objects.get()
    assert expenditure.amount == Decimal("12500.75")
    assert expenditure.spent_on == dt.date(2026, 2, 1)
    stored = Path(expenditure.receipt.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT) / "community" / "receipts")
    assert stored.suffix == ".pdf" and ".." not in expenditure.receipt.name
    assert stored.read_bytes() == PDF
    ledger = client.get(f"/community/fund/years/{approved.fund_year_id}/")
    assert "12,500.75" in ledger.text and "187,499.25" in ledger.text
    download = client.get(f"/community/fund/expenditures/{expenditure.pk}/receipt/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        object_type="community.expenditure", action="view", actor=leader_a
    ).exists()
    assert AuditEvent.objects.filter(object_type="community.expenditure", action="create").exists()
    assert AuditEvent.objects.filter(object_type="community.decision", action="create").exists()


def test_decision_and_proposal_by_form(english_login, leader_a, fund_year):
    client = english_login(leader_a)
    response = client.post(
        f"/community/fund/years/{fund_year.pk}/proposals/new/",
        {
            "title": "ไฟส่องสว่างในซอย",
            "purpose": "ซอยมืด",
            "amount_requested": "24000",
            "proposer_name": "คณะกรรมการชุมชน",
        },
    )
    assert response.status_code == 302
    proposal = fund_year.proposals.get()
    response = client.post(
        f"/community/fund/proposals/{proposal.pk}/decision/",
        {
            "meeting_date": "15/1/2569",
            "attendance": "35",
            "votes_for": "30",
            "votes_against": "2",
            "votes_abstain": "3",
            "approved_amount": "",
            "minutes_note": "เห็นชอบ",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.decision.approved_amount == Decimal("24000.00")
    assert proposal.decision.meeting_date == dt.date(2026, 1, 15)
    # Decided once: the form is gone.
    assert client.get(f"/community/fund/proposals/{proposal.pk}/decision/").status_code == 404


@pytest.mark.parametrize(
    "username,community",
    [
        ("volunteer_a", "A"),
        ("researcher", "A"),
        ("agency_officer", "A"),
        ("leader_a", "B"),
        ("district_officer", "C"),
    ],
)
def test_fund_pages_for_the_right_roles_only(
    english_login, request, communities, leader_a, username, community
):
    year = services.fund_year_open(actor=leader_a, community=communities[community], year_be=2569)
    proposal = services.proposal_create(
        actor=leader_a,
        fund_year=year,
        title="t",
        purpose="p",
        amount_requested=Decimal("100"),
        proposer_name="n",
    )
    client = english_login(request.getfixturevalue(username))
    for url in (
        f"/communities/{communities[community].pk}/fund/",
        f"/community/fund/years/{year.pk}/",
        f"/community/fund/years/{year.pk}/proposals/new/",
        f"/community/fund/proposals/{proposal.pk}/decision/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x", "year_be": 2570}).status_code == 404, url
    assert year.proposals.count() == 1 and FundYear.objects.count() == 1


def test_leader_cannot_change_the_budget(english_login, leader_a, fund_year):
    response = english_login(leader_a).post(
        f"/community/fund/years/{fund_year.pk}/", {"budget": "1", "version": 1}
    )
    assert response.status_code == 404
    fund_year.refresh_from_db()
    assert fund_year.budget == Decimal("200000.00")


def test_district_officer_reaches_every_fund_of_the_district(
    english_login, district_officer, communities
):
    client = english_login(district_officer)
    page = client.get("/community/fund/")
    assert page.status_code == 200
    assert communities["A"].name in page.text and communities["B"].name in page.text
    assert communities["C"].name not in page.text


def test_receipt_of_another_community_is_404(english_login, approved, leader_a, volunteer_a):
    expenditure = spend(approved, leader_a, "100")
    assert (
        english_login(volunteer_a)
        .get(f"/community/fund/expenditures/{expenditure.pk}/receipt/")
        .status_code
        == 404
    )
