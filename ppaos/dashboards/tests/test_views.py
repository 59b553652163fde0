"""Dashboard pages and household points: everything inside the user's scope, 404 outside it,
small counts hidden from counts-only roles, no points for roles that may not see households."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ppaos.audit.models import AuditEvent
from ppaos.dashboards import maps, services
from ppaos.dashboards.models import Refresh
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed(city):
    services.refresh_run()
    return city


def figure(response, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', response.content.decode())
    assert match, f"no {name} card"
    return match.group(1).strip()


def map_data(response) -> dict:
    import json

    text = response.content.decode()
    block = re.search(r'id="dashboard-map-data" type="application/json">(.*?)</script>', text)
    return json.loads(block.group(1)) if block else {}


def test_coordinator_sees_the_city_and_drills_down(
    refreshed, outlines, login, coordinator, communities
):
    client = login(coordinator)
    page = client.get(reverse("dashboards:city"))
    assert page.status_code == 200
    assert figure(page, "households") == "6"
    assert figure(page, "households_verified") == "5"
    assert figure(page, "referrals_completed") == "1"
    assert "Figures as of" in page.content.decode()
    assert reverse("dashboards:district", args=["1008"]) in page.content.decode()
    assert map_data(page)["points_url"].startswith(reverse("dashboards:points"))
    assert 'data-round="2568-2"' in page.content.decode()
    assert 'id="trends"' in page.content.decode()
    district = client.get(reverse("dashboards:district", args=["1008"]))
    assert figure(district, "households") == "5"
    assert reverse("dashboards:community", args=[communities["A"].pk]) in district.content.decode()
    community = client.get(reverse("dashboards:community", args=[communities["A"].pk]))
    assert figure(community, "households") == "4"
    assert reverse("registry:household_detail", args=[refreshed["a2"].pk]) in (
        community.content.decode()
    )


def test_without_boundaries_the_page_says_how_to_add_them(
    refreshed, login, coordinator, researcher
):
    """No outlines loaded: the page works and says how to add them, also for a role whose map
    still carries the household points."""
    from ppaos.areas.models import Boundary

    assert not Boundary.objects.exists()
    for user in (coordinator, researcher):
        page = login(user).get(reverse("dashboards:city"))
        assert page.status_code == 200
        assert 'id="map-empty"' in page.content.decode()
        assert "load-boundaries" in page.content.decode()
    assert map_data(page) == {}  # the researcher: no points, no outlines, no map
    coordinator_page = login(coordinator).get(reverse("dashboards:city"))
    assert map_data(coordinator_page)["points_url"]


def test_outlines_loaded_no_how_to(refreshed, outlines, login, coordinator):
    page = login(coordinator).get(reverse("dashboards:city"))
    assert 'id="map-empty"' not in page.content.decode()


def test_other_provinces_by_query(refreshed, login, coordinator):
    client = login(coordinator)
    assert client.get(reverse("dashboards:city") + "?province=50").status_code == 404
    assert client.get(reverse("dashboards:city") + "?province=99").status_code == 404


def test_district_officer_sees_only_their_district(
    refreshed, outlines, login, district_officer, communities
):
    client = login(district_officer)
    assert figure(client.get(reverse("dashboards:city")), "households") == "5"
    assert client.get(reverse("dashboards:district", args=["1009"])).status_code == 404
    url = reverse("dashboards:community", args=[communities["C"].pk])
    assert client.get(url).status_code == 404
    features = map_data(client.get(reverse("dashboards:city")))["features"]
    outside = [f for f in features if not f["properties"]["in_scope"]]
    assert [f["properties"]["code"] for f in outside] == ["1009"]
    assert "values" not in outside[0]["properties"]


def test_volunteer_limited_to_their_communities(refreshed, login, volunteer_a, communities):
    client = login(volunteer_a)
    page = client.get(reverse("dashboards:city"))
    assert figure(page, "households") == "4"
    assert figure(page, "communities") == "1"
    district = client.get(reverse("dashboards:district", args=["1008"]))
    assert communities["B"].name_th not in district.content.decode()
    assert client.get(reverse("dashboards:district", args=["1009"])).status_code == 404
    url = reverse("dashboards:community", args=[communities["B"].pk])
    assert client.get(url).status_code == 404


def test_researcher_gets_suppressed_aggregates_and_no_households(
    refreshed, outlines, login, researcher, communities
):
    client = login(researcher)
    page = client.get(reverse("dashboards:city"))
    # 6 = 5 in khet 1008 + 1 in khet 1009 ("< 5"): shown, the total would give the 1 away, so
    # it is withheld ("*", ppaos.lib.disclosure) rather than shown or called "< 5".
    assert figure(page, "households") == "*"
    assert figure(page, "referrals_made") == "&lt; 5"
    assert figure(page, "communities") == "3"  # communities identify no one
    assert 'id="suppressed-note"' in page.content.decode()
    assert "hidden: small counts" in page.content.decode()  # the error rates
    data = map_data(page)
    assert data["points_url"] is None
    khet = next(f for f in data["features"] if f["properties"]["code"] == "1008")
    assert khet["properties"]["values"]["households"] == 5
    assert khet["properties"]["values"]["referrals_made"] is None
    community = client.get(reverse("dashboards:community", args=[communities["A"].pk]))
    assert figure(community, "households") == "&lt; 5"
    assert 'id="household-table"' not in community.content.decode()


def test_agency_officer_has_no_dashboard(refreshed, login, agency_officer):
    client = login(agency_officer)
    assert client.get(reverse("dashboards:city")).status_code == 404
    assert client.get(reverse("dashboards:points") + "?bbox=100,13,101,14").status_code == 404


def test_page_before_any_refresh(city, login, coordinator, researcher):
    page = login(coordinator).get(reverse("dashboards:city"))
    assert 'id="figures-missing"' in page.content.decode()
    assert 'id="refresh-button"' in page.content.decode()
    page = login(researcher).get(reverse("dashboards:city"))
    assert 'id="refresh-button"' not in page.content.decode()


# Household points ---------------------------------------------------------------------------


@pytest.fixture
def placed(refreshed):
    """Every household at 13.75 N, 100.5 E except C1, far away at 14.5 N."""
    Household.objects.update(latitude=Decimal("13.750000"), longitude=Decimal("100.500000"))
    Household.objects.filter(pk=refreshed["c1"].pk).update(latitude=Decimal("14.500000"))
    return refreshed


def points(client, bbox="100.4,13.7,100.6,13.8", **extra):
    query = "&".join([f"bbox={bbox}"] + [f"{k}={v}" for k, v in extra.items()])
    return client.get(reverse("dashboards:points") + "?" + query)


def test_points_are_scoped_bounded_and_nameless(placed, login, coordinator, volunteer_a):
    answer = points(login(coordinator))
    assert answer.status_code == 200
    body = answer.json()
    codes = {f["properties"]["code"] for f in body["features"]}
    assert placed["c1"].code not in codes  # outside the box
    assert len(codes) == 5
    feature = body["features"][0]
    assert set(feature["properties"]) == {"id", "code", "url"}
    assert "สมชาย" not in answer.content.decode()
    assert AuditEvent.objects.filter(action="export", object_label__startswith="map").exists()
    box_c = points(login(coordinator), bbox="100.4,14.4,100.6,14.6").json()
    assert [f["properties"]["code"] for f in box_c["features"]] == [placed["c1"].code]
    mine = points(login(volunteer_a), bbox="99,13,101,15").json()
    assert {f["properties"]["id"] for f in mine["features"]} == {
        placed[k].pk for k in ("a1", "a2", "a3", "a4")
    }


def test_points_out_of_scope_never_returned(placed, login, district_officer, communities):
    client = login(district_officer)
    everything = points(client, bbox="99,13,101,15").json()
    assert placed["c1"].pk not in {f["properties"]["id"] for f in everything["features"]}
    # asking for community C or area 1009 explicitly gives nothing either
    assert (
        points(client, bbox="99,13,101,15", community=communities["C"].pk).json()["features"] == []
    )
    assert points(client, bbox="99,13,101,15", area="1009").json()["features"] == []


def test_points_refused_to_counts_only_roles(placed, login, researcher):
    assert points(login(researcher)).status_code == 404


def test_points_limit_and_bad_box(placed, login, coordinator, monkeypatch):
    monkeypatch.setattr(maps, "MAX_POINTS", 3)
    body = points(login(coordinator)).json()
    assert body["too_many"] and body["features"] == []
    assert "zoom in" in body["message"]
    assert points(login(coordinator), bbox="nonsense").status_code == 400
    assert points(login(coordinator), bbox="101,13,100,14").status_code == 400


# Refresh as a background task ---------------------------------------------------------------


def test_coordinator_refreshes_in_the_background(city, login, coordinator):
    client = login(coordinator)
    answer = client.post(reverse("dashboards:refresh_start"))
    refresh = Refresh.objects.get()
    assert answer.url == reverse("dashboards:refresh", args=[refresh.pk])
    assert refresh.status == Refresh.Status.DONE  # the test task backend runs it at once
    detail = client.get(answer.url)
    assert 'data-status="done"' in detail.content.decode()
    polled = client.get(answer.url, headers={"HX-Request": "true"})
    assert polled.content.decode().startswith('<div id="job"')
    assert figure(client.get(reverse("dashboards:city")), "households") == "6"


def test_only_coordinators_refresh_and_see_their_own(
    city, login, coordinator, district_officer, researcher
):
    for user in (district_officer, researcher):
        assert login(user).post(reverse("dashboards:refresh_start")).status_code == 404
    refresh = services.refresh_create(actor=coordinator)
    url = reverse("dashboards:refresh", args=[refresh.pk])
    assert login(district_officer).get(url).status_code == 404
    assert not Refresh.objects.exclude(pk=refresh.pk).exists()


def test_tiles_are_optional_and_credited(refreshed, outlines, login, coordinator, settings):
    data = map_data(login(coordinator).get(reverse("dashboards:city")))
    assert data["tile_url"] == ""
    assert data["attribution"].startswith("Boundaries: OCHA")
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example tiles"
    page = login(coordinator).get(reverse("dashboards:city"))
    data = map_data(page)
    assert data["tile_url"] == settings.MAP_TILE_URL
    assert "© Example tiles" in data["attribution"]
    assert "© Example tiles" in page.content.decode()
