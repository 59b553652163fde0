"""More exportable lists (livelihoods, community, dashboards): a user gets exactly the rows of
the page's own selector, out of scope is 404, and researchers get no people."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ppaos.community import selectors as community_selectors
from ppaos.community import services as community_services
from ppaos.dashboards import services as dashboard_services
from ppaos.exports.tests.helpers import column, read, url
from ppaos.lib import exports as lib
from ppaos.livelihoods import selectors as livelihood_selectors
from ppaos.livelihoods import services as livelihood_services
from ppaos.livelihoods.tests.factories import assess, head, household_with_head, programme

pytestmark = pytest.mark.django_db


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


# Livelihoods --------------------------------------------------------------------------------


@pytest.fixture
def enrolled(households, communities, coordinator):
    p = programme(coordinator, [communities["A"], communities["B"]])
    enrolments = {}
    for key in ("A", "B"):
        e = livelihood_services.enrolment_create(
            actor=coordinator,
            programme=p,
            person=head(households[key]),
            start_date=dt.date(2025, 7, 1),
        )
        for round_name, income in (("2568-1", 3000), ("2568-2", 4500)):
            livelihood_services.income_record(
                actor=coordinator,
                enrolment=e,
                data={"round_name": round_name, "monthly_income": income, "source": "wages"},
            )
        enrolments[key] = e
    return p, enrolments


def test_programme_enrolments(login, enrolled, coordinator, volunteer_a, researcher, communities):
    p, enrolments = enrolled
    a, b = head(enrolments["A"].household), head(enrolments["B"].household)
    for user in (coordinator, volunteer_a):
        table = read(login(user).get(url("programme-enrolments", programme=p.pk)))
        expected = livelihood_selectors.programme_enrolments(user=user, programme=p)
        assert column(table, "Member") == [e.person.full_name for e in expected]
        assert column(table, "Household code") == [e.household.code for e in expected]
        assert set(column(table, "Latest monthly income (baht)")) == {"4500.00"}
        assert set(column(table, "Latest income round")) == {"2568-2"}
    assert len(read(login(volunteer_a).get(url("programme-enrolments", programme=p.pk)))) == 2
    client = login(coordinator)
    pseudonymised = client.get(url("programme-enrolments", programme=p.pk, pseudonymised=True))
    table = read(pseudonymised)
    assert "Member" not in table[0] and "Latest monthly income (baht)" not in table[0]
    assert len(table) == 3 and "Stage" in table[0]
    _no_private(pseudonymised, a.full_name, b.first_name, enrolments["A"].household.code, "4500")
    # Researchers see no member list on the page: none in exports either.
    for pseudo in (False, True):
        address = url("programme-enrolments", programme=p.pk, pseudonymised=pseudo)
        assert login(researcher).get(address).status_code == 404
    only_c = programme(coordinator, [communities["C"]], code="P-C")
    assert (
        login(volunteer_a).get(url("programme-enrolments", programme=only_c.pk)).status_code == 404
    )
    client = login(coordinator)
    assert client.get(url("programme-enrolments", programme=999999)).status_code == 404
    assert client.get(url("programme-enrolments", programme="x")).status_code == 404
    page = client.get(f"/livelihoods/programmes/{p.pk}/")
    assert f"/exports/programme-enrolments/csv/?programme={p.pk}" in page.text


def test_programme_mobility_is_the_pages_suppressed_matrix(
    login, enrolled, coordinator, researcher, volunteer_a, communities
):
    p, _ = enrolled
    for n, (before, after) in enumerate([(1, 2)] * 3 + [(2, 2)] * 6, start=400):
        household, person = household_with_head(coordinator, communities["A"], n)
        livelihood_services.enrolment_create(
            actor=coordinator, programme=p, person=person, start_date=dt.date(2025, 7, 1)
        )
        assess(household, "2568-1", before)
        assess(household, "2568-2", after)
    # The researcher's 6 is withheld ("*"): with the column total shown it would give the 3 away.
    for user, graduated, stayed in ((coordinator, "3", "6"), (researcher, "< 5", "*")):
        table = read(login(user).get(url("programme-mobility", programme=p.pk)))
        result = livelihood_selectors.programme_mobility(user=user, programme=p)
        assert len(table) == 1 + len(result.rows) * (len(result.levels) + 1)
        assert set(column(table, "From round")) == {"2568-1"}
        cells = {(r[1], r[3]): r[4] for r in table[1:]}
        labels = dict(result.levels)
        assert cells[(labels[1], labels[2])] == graduated
        assert cells[(labels[2], labels[2])] == stayed
        pseudonymised = read(
            login(user).get(url("programme-mobility", programme=p.pk, pseudonymised=True))
        )
        assert pseudonymised == table
    only_c = programme(coordinator, [communities["C"]], code="P-C")
    assert login(volunteer_a).get(url("programme-mobility", programme=only_c.pk)).status_code == 404
    page = login(researcher).get(f"/livelihoods/programmes/{p.pk}/mobility/")
    assert f"/exports/programme-mobility/csv/?programme={p.pk}" in page.text


# Community -----------------------------------------------------------------------------------


def test_fund_ledger(
    login, approved, fund_year, leader_a, district_officer, researcher, volunteer_a
):
    for n, (day, amount) in enumerate(((20, "1200.50"), (25, "800")), start=1):
        community_services.expenditure_record(
            actor=leader_a,
            proposal=approved,
            spent_on=dt.date(2026, 1, day),
            amount=Decimal(amount),
            payee=f"=ร้านค้า{n}",
            description=f"ค่าวัสดุ{n}",
            receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
    for user in (leader_a, district_officer):
        table = read(login(user).get(url("fund-ledger", year=fund_year.pk)))
        rows = community_selectors.fund_ledger(fund_year=fund_year).rows
        assert column(table, "balance (baht)") == [f"{r.balance:.2f}" for r in rows]
        assert column(table, "What for") == ["ค่าวัสดุ1", "ค่าวัสดุ2"]
        assert column(table, "Paid to") == ["'=ร้านค้า1", "'=ร้านค้า2"]
    pseudonymised = login(leader_a).get(url("fund-ledger", year=fund_year.pk, pseudonymised=True))
    assert "Paid to" not in read(pseudonymised)[0]
    _no_private(pseudonymised, "ร้านค้า")
    for user in (researcher, volunteer_a):
        for pseudo in (False, True):
            address = url("fund-ledger", year=fund_year.pk, pseudonymised=pseudo)
            assert login(user).get(address).status_code == 404
    assert login(leader_a).get(url("fund-ledger", year=999999)).status_code == 404
    page = login(leader_a).get(f"/community/fund/years/{fund_year.pk}/")
    assert f"/exports/fund-ledger/csv/?year={fund_year.pk}" in page.text


def test_corrections(
    login, households, communities, coordinator, leader_a, district_officer, researcher
):
    a, c = households["A"], households["C"]
    person_a, person_c = head(a), head(c)
    mine = community_services.correction_propose(
        actor=leader_a,
        household=a,
        person=person_a,
        field="phone",
        value="0899999999",
        reason="ย้ายเบอร์",
    )
    other = community_services.correction_propose(
        actor=coordinator,
        household=c,
        person=person_c,
        field="phone",
        value="0812345678",
        reason="เบอร์ใหม่",
    )
    leader = login(leader_a)
    table = read(leader.get(url("community-corrections", community=communities["A"].pk)))
    expected = community_selectors.corrections_visible(user=leader_a).filter(
        community=communities["A"]
    )
    assert column(table, "Number") == [x.number for x in expected] == [mine.number]
    assert column(table, "Record") == [person_a.full_name]
    assert "0899999999" in column(table, "proposed value")[0]
    pseudonymised = leader.get(
        url("community-corrections", community=communities["A"].pk, pseudonymised=True)
    )
    assert "proposed value" not in read(pseudonymised)[0] and len(read(pseudonymised)) == 2
    _no_private(pseudonymised, mine.number, a.code, person_a.first_name, "0899999999", "ย้ายเบอร์")
    assert (
        leader.get(url("community-corrections", community=communities["C"].pk)).status_code == 404
    )
    for pseudo in (False, True):
        address = url("community-corrections", community=communities["A"].pk, pseudonymised=pseudo)
        assert login(researcher).get(address).status_code == 404
    # The reviewers' queue: the district officer reviews khet 1008 (not C, in khet 1009).
    queue = read(login(district_officer).get(url("corrections-to-review")))
    expected = community_selectors.corrections_to_review(user=district_officer)
    assert column(queue, "Number") == [x.number for x in expected] == [mine.number]
    coordinator_queue = read(login(coordinator).get(url("corrections-to-review")))
    assert column(coordinator_queue, "Number") == [mine.number]  # not their own proposal
    assert other.number not in str(coordinator_queue)
    assert login(leader_a).get(url("corrections-to-review")).status_code == 404
    assert (
        login(researcher).get(url("corrections-to-review", pseudonymised=True)).status_code == 404
    )
    page = login(leader_a).get(f"/communities/{communities['A'].pk}/corrections/")
    assert f"/exports/community-corrections/csv/?community={communities['A'].pk}" in page.text
    page = login(district_officer).get("/community/corrections/review/")
    assert 'href="/exports/corrections-to-review/csv/"' in page.text


# Dashboards ----------------------------------------------------------------------------------


def _shown(value) -> str:
    return "< 5" if value is None else str(value)


def test_dashboard_child_areas(
    login, city, coordinator, researcher, volunteer_a, agency_officer, communities
):
    dashboard_services.refresh_run()
    for user in (coordinator, researcher):
        client = login(user)
        page = client.get("/dashboards/")
        assert 'href="/exports/dashboard-areas/csv/?province=10"' in page.text
        table = read(client.get(url("dashboard-areas", province="10")))
        rows = page.context["rows"]
        assert column(table, "Area code") == [area.code for area, _ in rows]
        for metric, header in (("households", "households"), ("referrals_made", "referrals made")):
            assert column(table, header) == [_shown(s[metric]) if s else "" for _, s in rows]
        assert read(client.get(url("dashboard-areas", province="10", pseudonymised=True))) == table
        page = client.get("/dashboards/d/1008/")
        table = read(client.get(url("dashboard-areas", district="1008")))
        rows = page.context["rows"]
        assert column(table, "Area code") == [c.code for c, _ in rows]
        assert column(table, "households") == [
            _shown(s["households"]) if s else "" for _, s in rows
        ]
    # The researcher's khet 1008 referrals are few: hidden as on the page.
    table = read(login(researcher).get(url("dashboard-areas", province="10")))
    assert "< 5" in column(table, "referrals made")
    assert "< 5" not in column(
        read(login(coordinator).get(url("dashboard-areas"))), "referrals made"
    )
    volunteer = login(volunteer_a)
    assert volunteer.get(url("dashboard-areas", district="1009")).status_code == 404
    assert read(volunteer.get(url("dashboard-areas", district="1008")))[1:]
    assert login(agency_officer).get(url("dashboard-areas")).status_code == 404
    assert login(coordinator).get(url("dashboard-areas", district="9999")).status_code == 404


# Referrals -----------------------------------------------------------------------------------


def test_eligible_excluded(
    login, district_officer, coordinator, volunteer_a, researcher, households, elder, old_age
):
    client = login(district_officer)
    page = client.get("/referrals/eligibility/")
    assert 'href="/exports/eligible-excluded/csv/?service=old_age_allowance' in page.text
    table = read(client.get(url("eligible-excluded", service="old_age_allowance")))
    shown = page.context["page"].object_list
    assert column(table, "Person") == [e.person.full_name for e in shown]
    assert elder.full_name in column(table, "Person")
    assert "not receiving" in column(table, "Why")[0]
    pseudonymised = client.get(
        url("eligible-excluded", service="old_age_allowance", pseudonymised=True)
    )
    assert len(read(pseudonymised)) == len(table) and "Why" not in read(pseudonymised)[0]
    _no_private(pseudonymised, elder.first_name, households["A"].code, "not receiving")
    # Khet 1009 is outside the district officer's area: nobody, as on the page.
    assert read(login(district_officer).get(url("eligible-excluded", area="1009")))[1:] == []
    assert len(read(login(coordinator).get(url("eligible-excluded")))) > 1
    for user in (volunteer_a, researcher):
        for pseudo in (False, True):
            address = url("eligible-excluded", pseudonymised=pseudo)
            assert login(user).get(address).status_code == 404


def test_service_catalogue(login, old_age, researcher, agency_officer):
    for user in (researcher, agency_officer):
        client = login(user)
        table = read(client.get(url("service-catalogue")))
        assert column(table, "Code") == ["old_age_allowance"]
        assert column(table, "Service") == ["Old-age allowance"]
        assert column(table, "Rule in force")[0]
        assert read(client.get(url("service-catalogue", pseudonymised=True))) == table
        assert read(client.get(url("service-catalogue", fmt="xlsx"))) == table
    page = login(researcher).get("/referrals/services/")
    assert 'href="/exports/service-catalogue/csv/"' in page.text


def test_new_lists_declare_valid_columns():
    specs = lib.all_specs()
    assert {
        "programme-enrolments",
        "programme-mobility",
        "fund-ledger",
        "community-corrections",
        "corrections-to-review",
        "dashboard-areas",
        "eligible-excluded",
        "service-catalogue",
    } <= set(specs)
