"""Community objects in community C of the security suite's city (ppaos/tests_security), made
on first use and kept in the city dict: a correction; a fund year in Bangkok's district
procurement mode with an approved proposal and its request; and, after the province's rule is
set to the cash ledger, a second fund year with an expenditure and its receipt."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.community import procurement, services
from ppaos.community.programme import FundMode


def community_city(c: dict) -> dict:
    if "community_c" in c:
        return c["community_c"]
    household = c["households"]["C"]
    actor = household.created_by  # the coordinator
    correction = services.correction_propose(
        actor=actor,
        household=household,
        person=c["people"]["C"],
        field="phone",
        value="0812345678",
        reason="เบอร์ใหม่",
    )
    year = services.fund_year_open(actor=actor, community=household.community, year_be=2569)
    proposal = _approved(actor, year, "ลานกีฬา")
    leader = user_create(username="leader_c_fund", password="x-leader-c-password-1")
    role_assign(user=leader, role=Role.COMMUNITY_LEADER, community=household.community)
    request = procurement.procurement_request(
        actor=leader,
        proposal=proposal,
        items="ตาข่าย 2 ผืน",
        amount_requested=Decimal("5000"),
        requested_on=dt.date(2026, 1, 15),
    )
    procurement.fund_rule_set(
        actor=actor, province=household.community.subdistrict.district.province, mode=FundMode.CASH
    )
    cash_year = services.fund_year_open(actor=actor, community=household.community, year_be=2570)
    cash_proposal = _approved(actor, cash_year, "ไฟส่องทาง")
    expenditure = services.expenditure_record(
        actor=actor,
        proposal=cash_proposal,
        spent_on=dt.date(2026, 11, 20),
        amount=Decimal("500"),
        payee="ร้านค้า",
        description="หลอดไฟ",
        receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    c["community_c"] = {
        "correction": correction,
        "fund_year": year,
        "proposal": proposal,
        "procurement": request,
        "cash_proposal": cash_proposal,
        "expenditure": expenditure,
    }
    return c["community_c"]


def _approved(actor, fund_year, title: str):
    proposal = services.proposal_create(
        actor=actor,
        fund_year=fund_year,
        title=title,
        purpose="เพื่อชุมชน",
        amount_requested=Decimal("10000"),
        proposer_name="กรรมการชุมชน",
    )
    services.decision_record(
        actor=actor,
        proposal=proposal,
        meeting_date=dt.date(2026, 1, 10),
        attendance=20,
        votes_for=15,
        votes_against=2,
        votes_abstain=3,
    )
    return proposal
