"""Community objects in community C of the security suite's city (ppaos/tests_security), made
on first use and kept in the city dict: a correction, a fund year, an approved proposal and an
expenditure with its receipt."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from ppaos.community import services


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
    proposal = services.proposal_create(
        actor=actor,
        fund_year=year,
        title="ลานกีฬา",
        purpose="ที่เล่นของเด็ก",
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
    expenditure = services.expenditure_record(
        actor=actor,
        proposal=proposal,
        spent_on=dt.date(2026, 1, 20),
        amount=Decimal("500"),
        payee="ร้านค้า",
        description="ตาข่าย",
        receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    c["community_c"] = {
        "correction": correction,
        "fund_year": year,
        "proposal": proposal,
        "expenditure": expenditure,
    }
    return c["community_c"]
