"""The city map in a real Chromium: Leaflet draws the loaded districts under the strict CSP,
out-of-scope districts stay grey, and clicking an in-scope district opens its page."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppaos.areas.boundaries import ATTRIBUTION, boundaries_load
from ppaos.conftest import PASSWORD
from ppaos.lib.testing_browser import live_login

pytest_plugins = ["ppaos.lib.testing_browser"]

pytestmark = pytest.mark.browser


def _square(x, y):
    ring = [[x, y], [x + 0.05, y], [x + 0.05, y + 0.05], [x, y + 0.05], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_map_draws_scoped_districts_and_links_them(
    live_server, phone_page, district_officer, households, tmp_path
):
    path = tmp_path / "adm2.geojson"
    features = [
        {"type": "Feature", "properties": {"ADM2_PCODE": p}, "geometry": _square(x, 13.7)}
        for p, x in (("TH1008", 100.50), ("TH1009", 100.60))
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    boundaries_load(path)
    page = phone_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # (a console "404" is the browser's own /favicon.ico request, not the map)
    page.on("console", lambda m: errors.append(m.text) if "Security Policy" in m.text else None)
    live_login(page, live_server, district_officer.username, PASSWORD)
    page.goto(live_server.url + reverse("areas:province", args=["10"]))
    shapes = page.locator("#area-map path.leaflet-interactive")
    expect(shapes).to_have_count(2)
    expect(page.locator("#area-map .leaflet-control-attribution")).to_contain_text(ATTRIBUTION)
    fills = shapes.evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    assert "#d9d9d9" in fills and len(set(fills)) == 2
    page.select_option("#area-map-figure", "people")
    in_scope = shapes.nth(fills.index(next(f for f in fills if f != "#d9d9d9")))
    in_scope.click()
    page.wait_for_url("**" + reverse("areas:district", args=["1008"]))
    assert errors == []


def test_district_names_in_tooltips_are_text_not_html(
    live_server, phone_page, district_officer, households, tmp_path
):
    """Issue 14 (7): a name carrying markup shows as its characters; no element is made."""
    from ppaos.areas.models import District

    path = tmp_path / "adm2.geojson"
    feature = {"type": "Feature", "properties": {"ADM2_PCODE": "TH1008"}}
    feature["geometry"] = _square(100.5, 13.7)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    boundaries_load(path)
    District.objects.filter(code="1008").update(name_th='<b id="injected">ป้อมปราบ</b>')
    page = phone_page
    live_login(page, live_server, district_officer.username, PASSWORD)
    page.goto(live_server.url + reverse("areas:province", args=["10"]))
    page.locator("#area-map path.leaflet-interactive").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text('<b id="injected">ป้อมปราบ</b>')
    assert page.locator("#injected").count() == 0
