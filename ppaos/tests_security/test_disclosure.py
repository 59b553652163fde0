"""Issue 14: no small count can be worked out from the aggregates shown to counts-only roles
(researchers) and the public.

Every aggregate page, export and API answer in `AGGREGATE_URLS` is rendered as a researcher
and (where public) anonymously, with data that produces small counts. The disclosure layer
(ppaos.lib.disclosure) records every table it publishes; for each one this test solves the
table's linear constraints (shown figures fixed, "< 5" in 1..4, "*" at least 5, every declared
sum) with scipy's linprog and asserts that no hidden figure is determined, and that no label
is false ("< 5" only on 1..4, "*" only on 5 or more). A view that shows aggregates but renders
no recorded table fails `test_every_aggregate_url_publishes_through_the_layer`: add a new
aggregate view to `AGGREGATE_URLS` and route its figures through the layer.

The concrete attacks of the issue follow as their own tests."""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from ppaos.accounts.models import Organisation
from ppaos.areas.models import Community
from ppaos.dashboards import services as dashboard_services
from ppaos.lib.disclosure import recording
from ppaos.lib.disclosure_check import recoverable
from ppaos.lib.suppression import WITHHELD
from ppaos.livelihoods import services as livelihood_services
from ppaos.livelihoods.tests.factories import assess, household_with_head, programme
from ppaos.referrals.models import Referral, Service

THRESHOLD = 5

# (name, path builder, who may see it: "researcher" and/or "public"). Every aggregate view,
# export and API answer shown to roles that see counts only, or to the public.
AGGREGATE_URLS = [
    ("home", lambda d: "/", ("researcher",)),
    ("dashboards:city", lambda d: "/dashboards/", ("researcher",)),
    ("dashboards:district", lambda d: "/dashboards/d/1008/", ("researcher",)),
    ("dashboards:community", lambda d: f"/dashboards/c/{d['A'].pk}/", ("researcher",)),
    (
        "exports:dashboard-areas",
        lambda d: "/exports/dashboard-areas/csv/?district=1008",
        ("researcher",),
    ),
    ("referrals:reports", lambda d: "/referrals/reports/", ("researcher",)),
    (
        "exports:referral-report",
        lambda d: "/exports/referral-report/csv/?group=district",
        ("researcher",),
    ),
    ("assessment:community", lambda d: f"/analysis/c/{d['A'].pk}/", ("researcher",)),
    ("assessment:district", lambda d: "/analysis/d/1008/", ("researcher",)),
    (
        "livelihoods:mobility_community",
        lambda d: f"/livelihoods/mobility/c/{d['A'].pk}/",
        ("researcher",),
    ),
    ("livelihoods:mobility_district", lambda d: "/livelihoods/mobility/d/1008/", ("researcher",)),
    ("livelihoods:programmes", lambda d: "/livelihoods/", ("researcher",)),
    (
        "livelihoods:programme",
        lambda d: f"/livelihoods/programmes/{d['programme'].pk}/",
        ("researcher",),
    ),
    (
        "livelihoods:programme_mobility",
        lambda d: f"/livelihoods/programmes/{d['programme'].pk}/mobility/",
        ("researcher",),
    ),
    (
        "exports:programme-mobility",
        lambda d: f"/exports/programme-mobility/csv/?programme={d['programme'].pk}",
        ("researcher",),
    ),
    ("areas:province", lambda d: "/areas/p/10/", ("researcher",)),
    ("areas:district", lambda d: "/areas/d/1008/", ("researcher",)),
    ("areas:subdistrict", lambda d: "/areas/s/100801/", ("researcher",)),
    ("areas:community", lambda d: f"/communities/{d['A'].pk}/", ("researcher",)),
    ("api:community-detail", lambda d: f"/api/communities/{d['A'].pk}/", ("researcher",)),
    ("api:community-list", lambda d: "/api/communities/", ("researcher",)),
    ("community:databook", lambda d: f"/communities/{d['A'].pk}/databook/", ("researcher",)),
    ("community:public", lambda d: f"/public/communities/{d['A'].pk}/", ("public",)),
]

# Levels (round 2568-1 → 2568-2) of community A's households: in 2568-2, 6 at level 1, 9 at
# level 2 and 2 at level 3 (households assessed 17: the 2 used to be 17 - 6 - 9).
PAIRS = [(1, 2)] * 3 + [(2, 2)] * 6 + [(1, 1)] * 6 + [(2, 3)] * 2


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


@pytest.fixture
def data(households, communities, coordinator):
    heads = []
    for n, (before, after) in enumerate(PAIRS, start=500):
        household, person = household_with_head(coordinator, communities["A"], n)
        assess(household, "2568-1", before)
        assess(household, "2568-2", after)
        heads.append((household, person))
    other, _person = household_with_head(coordinator, communities["C"], 600)
    assess(other, "2568-1", 1)
    assess(other, "2568-2", 2)
    p = programme(coordinator, [communities["A"], communities["B"]])
    for _household, person in heads:
        livelihood_services.enrolment_create(
            actor=coordinator, programme=p, person=person, start_date=dt.date(2025, 7, 1)
        )
    agency = Organisation.objects.create(name_th="หน่วยงาน", kind="government_agency")
    service = Service.objects.create(
        code="relief", name_th="ถุงยังชีพ", category="relief", provider=agency
    )
    # Referrals sent: 11 from A (Nov 1, Dec 5, Jan 5; 2 completed), 1 from C (1009). With
    # only November hidden, the total of the months used to give it away.
    sent = [dt.date(2025, 11, 3)] + [dt.date(2025, 12, 2)] * 5 + [dt.date(2026, 1, 5)] * 5
    for i, day in enumerate(sent):
        household, person = heads[i]
        Referral.objects.create(
            household=household,
            person=person,
            service=service,
            organisation=agency,
            status="completed" if i < 2 else "sent",
            sent_at=_at(day),
            completed_at=_at(day + dt.timedelta(days=9)) if i < 2 else None,
            due_on=day + dt.timedelta(days=15),
            created_by=coordinator,
        )
    Referral.objects.create(
        household=other,
        person=other.memberships.first().person,
        service=service,
        organisation=agency,
        status="sent",
        sent_at=_at(dt.date(2026, 1, 6)),
        due_on=dt.date(2026, 1, 21),
        created_by=coordinator,
    )
    dashboard_services.refresh_run()
    return {**communities, "programme": p}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def _client(client, login, researcher, who: str):
    if who == "researcher":
        return login(researcher)
    client.logout()
    return client


def _get(client, path: str, user):
    if path.startswith("/api/"):
        from rest_framework.test import APIClient

        api = APIClient()
        api.force_authenticate(user)
        return api.get(path)
    return client.get(path)


def _check(published, where: str) -> None:
    for table in published:
        for key, shown in table.shown.items():
            true = table.true[key]
            if shown is None:
                assert 0 < true < THRESHOLD, (where, table.name, key, true)
            elif shown is WITHHELD:
                assert true >= THRESHOLD, (where, table.name, key, true)
            else:
                assert shown == true, (where, table.name, key)
        assert recoverable(table) == [], (where, table.name)


@pytest.mark.parametrize(
    ("name", "path", "who"),
    [(name, path, who) for name, path, audience in AGGREGATE_URLS for who in audience],
    ids=[f"{name}-{who}" for name, _path, audience in AGGREGATE_URLS for who in audience],
)
def test_every_aggregate_url_publishes_through_the_layer(
    data, client, login, researcher, name, path, who
):
    web = _client(client, login, researcher, who)
    with recording() as published:
        response = _get(web, path(data), researcher if who == "researcher" else None)
    assert response.status_code == 200, (name, response.status_code)
    assert published, f"{name} shows aggregates without ppaos.lib.disclosure"
    _check(published, name)


# The concrete attacks of the issue ---------------------------------------------------------


def _numbers(text: str) -> int | None:
    text = text.strip().replace(",", "")
    return int(text) if text.isdigit() else None


def test_level_block_hidden_count_is_not_the_difference(data, login, researcher):
    page = login(researcher).get(f"/dashboards/c/{data['A'].pk}/")
    block = re.search(r'data-round="2568-2">(.*?)</div>', page.content.decode(), re.S).group(1)
    assessed = _numbers(re.search(r"households assessed ([^·<]*)", block).group(1))
    levels = [_numbers(v) for v in re.findall(r"<strong>([^<]*)</strong>", block)[1:]]
    hidden = [v for v in levels if v is None]
    assert hidden, "the level-3 count (2) is small and must be hidden"
    assert not (assessed is not None and len(hidden) == 1), (assessed, levels)


def test_monthly_total_does_not_give_a_hidden_month_away(data, login, researcher):
    page = login(researcher).get("/dashboards/d/1008/").content
    trend = re.search(r'data-trend="referrals_made">(.*?)</figure>', page.decode(), re.S)
    trend = trend.group(1)
    total = _numbers(re.search(r"total <strong>([^<]*)</strong>", trend).group(1))
    months = [_numbers(v) for v in re.findall(r"<title>[^:<]*: ([^<]*)</title>", trend)]
    hidden = [v for v in months if v is None]
    assert hidden, "November (1 referral) must be hidden"
    assert not (total is not None and len(hidden) == 1), (total, months)
    headline = re.search(r'data-figure="referrals_made">([^<]*)<', page.decode()).group(1)
    assert not (_numbers(headline) is not None and len(hidden) == 1), (headline, months)
    assert "running total" not in trend  # the running line would draw each hidden month


def test_mobility_export_row_totals_rebuild_no_cell(data, login, researcher):
    url = f"/exports/programme-mobility/csv/?programme={data['programme'].pk}"
    rows = list(csv.reader(io.StringIO(login(researcher).get(url).content.decode("utf-8-sig"))))
    by_level: dict[str, list[str]] = {}
    for row in rows[1:]:
        by_level.setdefault(row[1], []).append(row[4])
    for level, values in by_level.items():
        *cells, total = values
        hidden = [v for v in cells if not v.isdigit()]
        assert not (total.isdigit() and len(hidden) == 1), (level, values)


def test_referral_reports_hide_small_counts(data, login, researcher):
    page = login(researcher).get("/referrals/reports/").content.decode()
    district = re.search(r'id="by-district">(.*?)</table>', page, re.S).group(1)
    assert '<td class="num" data-label="referrals">1</td>' not in district
    assert re.search(r'data-key="1009">.*?&lt; 5', district, re.S)


def test_analysis_level_counts_are_protected(data, login, researcher):
    page = login(researcher).get(f"/analysis/c/{data['A'].pk}/")
    legend = re.search(r'id="levels">(.*?)</section>', page.content.decode(), re.S).group(1)
    level_3 = re.search(r'data-level="3">.*?<strong>([^<]*)</strong>', legend, re.S).group(1)
    assert level_3 == "&lt; 5"


def test_api_and_area_pages_hide_small_household_counts(data, login, researcher, communities):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(researcher)
    community_c = communities["C"]
    answer = api.get(f"/api/communities/{community_c.pk}/").json()
    assert answer["household_count"] is None  # 2 households
    page = login(researcher).get("/areas/s/100905/").content.decode()
    assert "&lt; 5" in page


def test_public_page_never_states_a_false_value(data, client):
    with recording() as published:
        assert client.get(f"/public/communities/{data['A'].pk}/").status_code == 200
    assert published
    _check(published, "public")
    for table in published:
        for key, shown in table.shown.items():
            if table.true[key] >= THRESHOLD:
                assert shown is not None, (table.name, key)  # never "< 5" on 5 or more


def test_a_coordinator_still_sees_exact_counts(data, login, coordinator):
    page = login(coordinator).get("/referrals/reports/").content.decode()
    assert "&lt; 5" not in page
    assert Community.objects.count() == 3
    assert timezone.now()
