"""The community fund as Bangkok runs it: fiscal years, and request → district purchase →
delivery → the community's receipt, each by its own side, each audited and locked
optimistically; the per-province rule (cash ledger kept as an option); the pages by URL."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import Province
from ppaos.audit.models import AuditEvent
from ppaos.community import procurement, services
from ppaos.community.models import FundYear, Procurement, ProcurementStatus
from ppaos.community.programme import FundMode, fiscal_year_be, fiscal_year_bounds
from ppaos.community.selectors import fund_ledger, fund_rule
from ppaos.conftest import PASSWORD
from ppaos.exports.tests.helpers import column, read
from ppaos.exports.tests.helpers import url as export_url
from ppaos.lib.versioning import StaleEditError

pytestmark = pytest.mark.django_db


def ask(proposal, leader, amount="50000", day=dt.date(2026, 1, 15)):
    return procurement.procurement_request(
        actor=leader,
        proposal=proposal,
        items="ปูนซีเมนต์ 20 ถุง, ทราย 2 คิว",
        amount_requested=Decimal(amount),
        requested_on=day,
    )


def buy(item, officer, amount="48000", day=dt.date(2026, 2, 1), version=None):
    return procurement.procurement_purchase(
        actor=officer,
        procurement=item,
        expected_version=item.version if version is None else version,
        procured_on=day,
        method="specific",
        amount=Decimal(amount),
        supplier="ร้านวัสดุก่อสร้างรุ่งเรือง",
        reference="PO 12/2569",
    )


def hand_over(item, officer, day=dt.date(2026, 2, 10)):
    return procurement.procurement_deliver(
        actor=officer,
        procurement=item,
        expected_version=item.version,
        delivered_on=day,
        delivery_note="ส่งมอบครบ",
    )


def confirm(item, leader, day=dt.date(2026, 2, 11), complete=True, note=""):
    return procurement.procurement_confirm(
        actor=leader,
        procurement=item,
        expected_version=item.version,
        received_on=day,
        complete=complete,
        note=note,
    )


@pytest.mark.parametrize(
    "day,year",
    [
        (dt.date(2025, 9, 30), 2568),
        (dt.date(2025, 10, 1), 2569),
        (dt.date(2026, 9, 30), 2569),
        (dt.date(2026, 10, 1), 2570),
    ],
)
def test_fiscal_years_run_october_to_september(day, year):
    assert fiscal_year_be(day) == year
    first, last = fiscal_year_bounds(year)
    assert first <= day <= last
    assert (last - first).days in (364, 365)


def test_bangkok_opens_fiscal_years_in_procurement_mode(bangkok_year):
    assert bangkok_year.mode == FundMode.PROCUREMENT
    assert bangkok_year.starts_on == dt.date(2025, 10, 1)
    assert bangkok_year.ends_on == dt.date(2026, 9, 30)
    assert bangkok_year.budget == Decimal("200000.00")
    # Elsewhere, without a configuration row: the cash ledger.
    assert fund_rule(province_code="50").mode == FundMode.CASH


def test_every_step_by_its_own_side_audited(bangkok_approved, leader_a, district_officer):
    item = ask(bangkok_approved, leader_a)
    assert item.status == ProcurementStatus.REQUESTED and item.version == 1
    item = buy(item, district_officer)
    assert item.status == ProcurementStatus.PROCURED and item.amount == Decimal("48000.00")
    ledger = fund_ledger(fund_year=bangkok_approved.fund_year)
    assert ledger.spent == Decimal("48000.00") and ledger.delivered == 0
    item = hand_over(item, district_officer)
    assert item.status == ProcurementStatus.DELIVERED
    item = confirm(item, leader_a)
    assert item.status == ProcurementStatus.RECEIVED and item.received_complete
    assert item.version == 4
    steps = [(e.kind, e.actor) for e in item.events.all()]
    assert steps == [
        ("requested", leader_a),
        ("procured", district_officer),
        ("delivered", district_officer),
        ("received", leader_a),
    ]
    audit = AuditEvent.objects.filter(object_type="community.procurement", object_id=str(item.pk))
    assert list(audit.order_by("id").values_list("action", "actor")) == [
        ("create", leader_a.pk),
        ("update", district_officer.pk),
        ("update", district_officer.pk),
        ("update", leader_a.pk),
    ]
    ledger = fund_ledger(fund_year=bangkok_approved.fund_year)
    assert (ledger.spent, ledger.delivered, ledger.balance) == (
        Decimal("48000.00"),
        Decimal("48000.00"),
        Decimal("152000.00"),
    )
    assert ledger.rows == []  # no cash moved


def test_each_side_only_takes_its_own_steps(
    bangkok_approved, leader_a, district_officer, coordinator
):
    with pytest.raises(PermissionDenied):
        ask(bangkok_approved, district_officer)
    item = ask(bangkok_approved, leader_a)
    with pytest.raises(PermissionDenied):
        buy(item, leader_a)
    item = buy(item, coordinator)  # the city acts for the district office too
    with pytest.raises(PermissionDenied):
        hand_over(item, leader_a)
    item = hand_over(item, district_officer)
    for other in (district_officer, coordinator):
        with pytest.raises(PermissionDenied):
            confirm(item, other)
    item.refresh_from_db()
    assert item.status == ProcurementStatus.DELIVERED and item.version == 3


def test_a_stale_page_is_refused_and_nothing_changes(bangkok_approved, leader_a, district_officer):
    item = ask(bangkok_approved, leader_a)
    buy(item, district_officer, version=1)
    with pytest.raises(ValidationError) as error:
        buy(Procurement.objects.get(pk=item.pk), district_officer, "1000", version=1)
    assert isinstance(error.value, StaleEditError)  # the message is in the active language
    item.refresh_from_db()
    assert item.amount == Decimal("48000.00") and item.version == 2
    assert item.events.count() == 2


@pytest.mark.parametrize(
    "step,kwargs,field",
    [
        ("request", {"amount": "50000.01"}, "amount_requested"),
        ("request", {"day": dt.date(2026, 1, 9)}, "requested_on"),
        ("request", {"day": dt.date(2100, 1, 1)}, "requested_on"),
        ("purchase", {"amount": "50000.01"}, "amount"),
        ("purchase", {"day": dt.date(2026, 1, 14)}, "procured_on"),
        ("purchase", {"day": dt.date(2026, 10, 1)}, "procured_on"),
        ("deliver", {"day": dt.date(2026, 1, 31)}, "delivered_on"),
        ("confirm", {"day": dt.date(2026, 2, 9)}, "received_on"),
        ("confirm", {"complete": False}, "note"),
    ],
)
def test_steps_are_checked(bangkok_approved, leader_a, district_officer, step, kwargs, field):
    """Within the bangkok_approved amount, in order, not in the future, purchases within the fiscal
    year, and an incomplete receipt says what is missing."""
    steps = {
        "request": lambda: ask(bangkok_approved, leader_a, **kwargs),
        "purchase": lambda: buy(ask(bangkok_approved, leader_a), district_officer, **kwargs),
        "deliver": lambda: hand_over(
            buy(ask(bangkok_approved, leader_a), district_officer), district_officer, **kwargs
        ),
        "confirm": lambda: confirm(
            hand_over(buy(ask(bangkok_approved, leader_a), district_officer), district_officer),
            leader_a,
            **kwargs,
        ),
    }
    with pytest.raises(ValidationError) as error:
        steps[step]()
    assert field in error.value.error_dict


def test_only_approved_proposals_are_requested_once(bangkok_year, bangkok_approved, leader_a):
    pending = services.proposal_create(
        actor=leader_a,
        fund_year=bangkok_year,
        title="ไฟส่องสว่าง",
        purpose="ซอยมืด",
        amount_requested=Decimal("24000"),
        proposer_name="คณะกรรมการชุมชน",
    )
    with pytest.raises(ValidationError):
        ask(pending, leader_a, "1000")
    ask(bangkok_approved, leader_a)
    with pytest.raises(ValidationError):
        ask(bangkok_approved, leader_a)
    assert Procurement.objects.count() == 1


def test_no_cash_in_procurement_mode_and_no_requests_in_cash_mode(
    english, bangkok_approved, leader_a, coordinator, communities
):
    with pytest.raises(ValidationError) as error:
        services.expenditure_record(
            actor=leader_a,
            proposal=bangkok_approved,
            spent_on=dt.date(2026, 2, 1),
            amount=Decimal("100"),
            payee="ร้าน",
            description="ไม้",
            receipt=None,
        )
    assert "pays no cash" in str(error.value)
    procurement.fund_rule_set(
        actor=coordinator, province=Province.objects.get(code="10"), mode=FundMode.CASH
    )
    # The open year keeps its mode; the next one opened follows the new rule.
    assert FundYear.objects.get(pk=bangkok_approved.fund_year_id).mode == FundMode.PROCUREMENT
    cash = services.fund_year_open(actor=leader_a, community=communities["A"], year_be=2570)
    assert cash.mode == FundMode.CASH
    proposal = services.proposal_create(
        actor=leader_a,
        fund_year=cash,
        title="t",
        purpose="p",
        amount_requested=Decimal("100"),
        proposer_name="n",
    )
    services.decision_record(
        actor=leader_a,
        proposal=proposal,
        meeting_date=dt.date(2026, 11, 1),
        attendance=10,
        votes_for=8,
        votes_against=1,
    )
    with pytest.raises(ValidationError):
        ask(proposal, leader_a, "100", dt.date(2026, 11, 2))


def test_the_province_rule_is_set_by_the_city_only_and_audited(
    coordinator, district_officer, communities
):
    bangkok = Province.objects.get(code="10")
    with pytest.raises(PermissionDenied):
        procurement.fund_rule_set(actor=district_officer, province=bangkok, mode=FundMode.CASH)
    row = procurement.fund_rule_set(
        actor=coordinator,
        province=bangkok,
        mode=FundMode.PROCUREMENT,
        budget=Decimal("180000"),
        source="ระเบียบ กทม. (test)",
    )
    assert fund_rule(province_code="10").budget == Decimal("180000.00")
    year = services.fund_year_open(actor=coordinator, community=communities["A"], year_be=2569)
    assert year.budget == Decimal("180000.00")
    with pytest.raises(ValidationError):  # a stale form
        procurement.fund_rule_set(
            actor=coordinator, province=bangkok, mode=FundMode.CASH, expected_version=0
        )
    with pytest.raises(ValidationError):
        procurement.fund_rule_set(actor=coordinator, province=bangkok, mode="barter")
    assert AuditEvent.objects.filter(
        object_type="community.fundprovincerule", object_id=str(row.pk)
    ).exists()


# Pages, by URL ---------------------------------------------------------------------------


def test_the_whole_flow_by_the_pages(english_login, bangkok_approved, leader_a, district_officer):
    client = english_login(leader_a)
    page = client.get(f"/community/fund/years/{bangkok_approved.fund_year_id}/")
    assert "Request the items from the district office" in page.text
    assert "Record an expenditure" not in page.text
    response = client.post(
        f"/community/fund/proposals/{bangkok_approved.pk}/request/",
        {"items": "ปูน 20 ถุง", "amount_requested": "50000", "requested_on": "15/1/2569"},
    )
    item = Procurement.objects.get()
    assert response.status_code == 302 and response.url == f"/community/fund/requests/{item.pk}/"
    # Not the leader's step: no form, and posting it anyway is 404.
    page = client.get(response.url)
    assert 'id="step-form"' not in page.text and 'id="waiting"' in page.text
    assert client.post(response.url, {"procured_on": "1/2/2569"}).status_code == 404
    client = english_login(district_officer)
    assert "1 request waiting" in client.get("/community/fund/").text
    assert item.number in client.get("/community/fund/requests/").text
    response = client.post(
        f"/community/fund/requests/{item.pk}/",
        {
            "procured_on": "1/2/2569",
            "method": "specific",
            "amount": "48000",
            "supplier": "ร้านวัสดุ",
            "reference": "PO 1",
            "version": 1,
        },
    )
    assert response.status_code == 302
    stale = client.post(
        f"/community/fund/requests/{item.pk}/",
        {"delivered_on": "10/2/2569", "delivery_note": "ครบ", "version": 1},
    )
    assert stale.status_code == 200 and "meanwhile" in stale.text
    client.post(
        f"/community/fund/requests/{item.pk}/",
        {"delivered_on": "10/2/2569", "delivery_note": "ครบ", "version": 2},
    )
    client = english_login(leader_a)
    response = client.post(
        f"/community/fund/requests/{item.pk}/",
        {"received_on": "11/2/2569", "complete": "0", "note": "", "version": 3},
    )
    assert response.status_code == 200 and "missing or damaged" in response.text
    client.post(
        f"/community/fund/requests/{item.pk}/",
        {"received_on": "11/2/2569", "complete": "0", "note": "ขาด 2 ถุง", "version": 3},
    )
    item.refresh_from_db()
    assert item.status == ProcurementStatus.RECEIVED and item.received_complete is False
    page = client.get(f"/community/fund/requests/{item.pk}/").text
    assert "ขาด 2 ถุง" in page and "with problems" in page
    # No cash in this mode: the expenditure form is not there.
    assert client.get(
        f"/community/fund/proposals/{bangkok_approved.pk}/expenditures/new/"
    ).status_code == (404)


@pytest.mark.parametrize(
    "username,community",
    [
        ("volunteer_a", "A"),
        ("researcher", "A"),
        ("agency_officer", "A"),
        ("district_officer", "C"),
    ],
)
def test_requests_are_404_out_of_scope(
    english_login, request, communities, district_officer, coordinator, username, community
):
    leader = request.getfixturevalue("leader_a")
    target = communities[community]
    if community != "A":
        leader = user_create(username="leader_c", password=PASSWORD)
        role_assign(user=leader, role=Role.COMMUNITY_LEADER, community=target)
    year = services.fund_year_open(actor=coordinator, community=target, year_be=2569)
    proposal = services.proposal_create(
        actor=leader,
        fund_year=year,
        title="t",
        purpose="p",
        amount_requested=Decimal("100"),
        proposer_name="n",
    )
    services.decision_record(
        actor=leader,
        proposal=proposal,
        meeting_date=dt.date(2026, 1, 10),
        attendance=10,
        votes_for=8,
        votes_against=1,
    )
    item = ask(proposal, leader, "100")
    client = english_login(request.getfixturevalue(username))
    for url in (
        f"/community/fund/requests/{item.pk}/",
        f"/community/fund/proposals/{proposal.pk}/request/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"version": 1}).status_code == 404, url
    item.refresh_from_db()
    assert item.status == ProcurementStatus.REQUESTED


def test_district_officer_cannot_request_and_leader_has_no_queue(
    english_login, bangkok_approved, leader_a, district_officer
):
    url = f"/community/fund/proposals/{bangkok_approved.pk}/request/"
    assert english_login(district_officer).get(url).status_code == 404
    client = english_login(leader_a)
    assert client.get("/community/fund/requests/").status_code == 404
    assert client.get("/community/fund/rules/").status_code == 404


def test_rules_page_for_the_city_only(english_login, coordinator, district_officer):
    assert english_login(district_officer).get("/community/fund/rules/").status_code == 404
    assert english_login(district_officer).get("/community/fund/rules/10/").status_code == 404
    client = english_login(coordinator)
    page = client.get("/community/fund/rules/")
    assert 'data-province="10" data-mode="procurement"' in page.text
    assert client.get("/community/fund/rules/50/").status_code == 404  # not their province
    response = client.post(
        "/community/fund/rules/10/", {"mode": "cash", "budget": "", "source": "test"}
    )
    assert response.status_code == 302
    assert fund_rule(province_code="10").mode == FundMode.CASH


def test_the_new_pages_have_no_english_in_thai(client, bangkok_approved, leader_a, coordinator):
    """Thai pages (the default language): every word of the fund's new pages is Thai."""
    item = ask(bangkok_approved, leader_a)
    client.force_login(coordinator)
    pages = [
        f"/community/fund/years/{bangkok_approved.fund_year_id}/",
        f"/community/fund/requests/{item.pk}/",
        "/community/fund/requests/",
        "/community/fund/rules/",
        "/community/fund/rules/10/",
        f"/communities/{bangkok_approved.fund_year.community_id}/fund/",
        f"/public/communities/{bangkok_approved.fund_year.community_id}/",
    ]
    allowed = {"PPAOS", "English", "CSV", "Excel", "coord", "leader_a"}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
        text = unescape(re.sub(r"<[^>]+>", " ", html))
        words = set(re.findall(r"[A-Za-z][A-Za-z_-]{2,}", text)) - allowed
        assert not words, (url, sorted(words))


def test_requests_export(english_login, bangkok_approved, leader_a, district_officer, volunteer_a):
    item = buy(ask(bangkok_approved, leader_a), district_officer)
    year = bangkok_approved.fund_year_id
    client = english_login(district_officer)
    assert (
        f"/exports/fund-requests/csv/?year={year}"
        in client.get(f"/community/fund/years/{year}/").text
    )
    table = read(client.get(export_url("fund-requests", year=year)))
    assert column(table, "Request") == [item.number]
    assert column(table, "amount (baht)") == ["48000.00"]
    assert column(table, "Supplier (shop or contractor)") == ["ร้านวัสดุก่อสร้างรุ่งเรือง"]
    pseudonymised = english_login(leader_a).get(
        export_url("fund-requests", year=year, pseudonymised=True)
    )
    assert "ร้านวัสดุก่อสร้างรุ่งเรือง" not in pseudonymised.content.decode("utf-8-sig")
    assert english_login(volunteer_a).get(export_url("fund-requests", year=year)).status_code == 404
