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


# Across pages: one figure, one label; no hidden figure worked out from several pages ---------


def _area_pages(communities) -> list[str]:
    """Every page and API answer that shows an area's counts, at every level."""
    paths = {"/", "/dashboards/", "/areas/p/10/"}
    for community in communities:
        sub = community.subdistrict_id
        paths |= {
            f"/areas/d/{sub[:4]}/",
            f"/areas/s/{sub}/",
            f"/communities/{community.pk}/",
            f"/api/communities/{community.pk}/",
            f"/dashboards/d/{sub[:4]}/",
            f"/dashboards/c/{community.pk}/",
        }
    return sorted(paths)


def _hierarchy_sums(idents: set, communities) -> list[tuple[tuple, tuple]]:
    """What every reader knows without any page declaring it: each area's figure is the sum
    of its children's (the whole scope, province, district, subdistrict, community)."""
    from ppaos.dashboards.hierarchy import _ancestors

    children: dict[tuple, set] = {}
    for community in communities:
        chain = _ancestors(community.pk, community.subdistrict_id)
        for child, parent in zip(chain, chain[1:], strict=False):
            children.setdefault(parent, set()).add(child)
    metrics = {metric for _area, metric in idents}
    return [
        (tuple((kid, metric) for kid in sorted(kids, key=repr)), (parent, metric))
        for parent, kids in children.items()
        for metric in metrics
        if (parent, metric) in idents or any((kid, metric) in idents for kid in kids)
    ]


def cross_page_problems(published, communities) -> list:
    """Everything a reader of all `published` tables together can find out: a figure shown
    exactly on one page and hidden on another, or any hidden figure whose least and greatest
    value, subject to every label and every sum of every page (an area's figure being the same
    variable wherever it is shown, and each parent the sum of its children), are equal."""
    from scipy.optimize import linprog

    problems: list = []
    labels: dict = {}  # variable → set of labels (int, None, WITHHELD)
    true: dict = {}
    sums: list = []
    for n, table in enumerate(published):

        def var(key, n=n, table=table):
            return table.idents.get(key, ("page", n, table.name, key))

        for key, shown in table.shown.items():
            v = var(key)
            labels.setdefault(v, []).append(shown)
            if true.setdefault(v, table.true[key]) != table.true[key]:
                problems.append(("different values", v, true[v], table.true[key]))
        sums += [(tuple(var(k) for k in parts), var(total)) for parts, total in table.sums]
    idents = {v for v in labels if v[0] != "page"}
    sums += _hierarchy_sums(idents, communities)
    variables = sorted(
        {v for parts, total in sums for v in (*parts, total)} | set(labels), key=repr
    )
    bounds = {}
    for v in variables:
        seen = labels.get(v, [])
        exact = [s for s in seen if not (s is None or s is WITHHELD)]
        hidden = [s for s in seen if s is None or s is WITHHELD]
        if exact and hidden:
            problems.append(("shown on one page, hidden on another", v, seen))
        if exact:
            bounds[v] = (exact[0], exact[0])
        elif any(s is None for s in hidden):
            bounds[v] = (1, THRESHOLD - 1)
        elif hidden:
            bounds[v] = (THRESHOLD, None)
        else:
            bounds[v] = (0, None)  # never published: unknown to the reader
    index = {v: i for i, v in enumerate(variables)}
    rows, rhs = [], []
    for parts, total in sums:
        row = [0.0] * len(variables)
        for p in parts:
            row[index[p]] += 1
        row[index[total]] -= 1
        rows.append(row)
        rhs.append(0.0)
    box = [bounds[v] for v in variables]
    for v in variables:
        if v not in labels or bounds[v][0] == bounds[v][1]:
            continue
        objective = [0.0] * len(variables)
        objective[index[v]] = 1.0
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=box)
        high = linprog([-c for c in objective], A_eq=rows, b_eq=rhs, bounds=box)
        assert low.status == 0, (v, low.message)
        if high.status == 0 and -high.fun - low.fun < 1 - 1e-6:
            problems.append(("worked out across pages", v, true.get(v), low.fun))
    return problems


def _publish_everything(data, login, researcher):
    communities = list(Community.objects.all())
    web = login(researcher)
    published = []
    extra = [p(data) for _n, p, audience in AGGREGATE_URLS if "researcher" in audience]
    for path in sorted(set(_area_pages(communities) + extra)):
        with recording() as tables:
            response = _get(web, path, researcher)
        assert response.status_code == 200, path
        published += tables
    return published, communities


def test_no_figure_can_be_worked_out_across_pages(data, login, researcher):
    """Every page, export and API answer a researcher can open, read together: an area's
    figure has one label everywhere, and no hidden figure follows from all the sums at once."""
    published, communities = _publish_everything(data, login, researcher)
    assert any(t.idents for t in published)
    assert cross_page_problems(published, communities) == []


def test_per_page_protection_is_caught_across_pages(data, login, researcher, monkeypatch):
    """The check above fails on protection page by page (the behaviour before the hierarchy's
    one decision): district 1008 holds A (18 households) and B (1). The district's pages
    withhold A's 18 to protect B's 1, and A's own pages show 18: 19 - 18 = 1."""
    from ppaos.dashboards import hierarchy
    from ppaos.lib.disclosure import Decision

    monkeypatch.setattr(hierarchy, "decision_for", lambda user: Decision({}))
    published, communities = _publish_everything(data, login, researcher)
    problems = cross_page_problems(published, communities)
    kinds = {p[0] for p in problems}
    assert "shown on one page, hidden on another" in kinds, problems
    assert "worked out across pages" in kinds, problems


@pytest.fixture
def seven_and_two(households, communities, coordinator):
    """District 1008: community A with 7 households, B with 2 (C, in 1009, with 1)."""
    for n in range(700, 706):
        household_with_head(coordinator, communities["A"], n)
    household_with_head(coordinator, communities["B"], 706)
    dashboard_services.refresh_run()
    return communities


def _seven_and_two_pages(communities) -> list[str]:
    a, b = communities["A"], communities["B"]
    return [
        "/dashboards/d/1008/",
        "/areas/d/1008/",
        "/areas/s/100801/",
        "/areas/s/100803/",
        f"/dashboards/c/{a.pk}/",
        f"/communities/{a.pk}/",
        f"/api/communities/{a.pk}/",
        f"/dashboards/c/{b.pk}/",
        f"/communities/{b.pk}/",
    ]


def _publish(paths, login, researcher) -> list:
    web = login(researcher)
    published = []
    for path in paths:
        with recording() as tables:
            assert _get(web, path, researcher).status_code == 200, path
        published += tables
    return published


def test_seven_withheld_beside_two_is_withheld_on_its_own_pages(
    seven_and_two, login, researcher, monkeypatch
):
    """The 7 withheld on the district's pages (to protect the 2) is withheld on community A's
    own dashboard, area page and API answer too; page by page it was shown there, and
    9 - 7 = 2."""
    from ppaos.dashboards import hierarchy
    from ppaos.lib.disclosure import Decision

    communities = list(Community.objects.all())
    a_households = (("c", seven_and_two["A"].pk), "households")
    published = _publish(_seven_and_two_pages(seven_and_two), login, researcher)
    labels = {
        t.shown[k] for t in published for k, ident in t.idents.items() if ident == a_households
    }
    assert labels == {WITHHELD}, labels
    assert cross_page_problems(published, communities) == []

    monkeypatch.setattr(hierarchy, "decision_for", lambda user: Decision({}))
    hierarchy.invalidate()  # the dashboards' rendered parts are kept per decision stamp
    published = _publish(_seven_and_two_pages(seven_and_two), login, researcher)
    labels = {
        t.shown[k] for t in published for k, ident in t.idents.items() if ident == a_households
    }
    assert labels == {WITHHELD, 7}, labels  # page by page: hidden on one, shown on another
    problems = cross_page_problems(published, communities)
    assert ("worked out across pages", (("c", seven_and_two["B"].pk), "households"), 2, 2.0) in [
        p[:3] + (round(p[3], 6),) for p in problems if p[0] == "worked out across pages"
    ], problems
