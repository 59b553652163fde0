import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ppaos.areas.boundaries import ATTRIBUTION, SHARED_DIR, boundaries_load
from ppaos.areas.models import Boundary

pytestmark = pytest.mark.django_db

ADM2 = SHARED_DIR / "th_adm2_districts.geojson"
needs_shared = pytest.mark.skipif(
    not ADM2.exists(), reason=f"shared boundary file not present at {ADM2} (never committed)"
)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[100.5, 13.7], [100.6, 13.7], [100.6, 13.8], [100.5, 13.7]]],
}


def _feature(pcode, geometry=SQUARE):
    return {"type": "Feature", "properties": {"ADM2_PCODE": pcode}, "geometry": geometry}


def _write(tmp_path, features):
    path = tmp_path / "adm2.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@needs_shared
def test_shared_file_gives_the_50_bangkok_districts_and_reloads_unchanged(geography):
    first = boundaries_load(ADM2)
    assert first.level == "district"
    assert first.created == 928 and first.unmatched == []
    assert Boundary.objects.filter(level="district", code__startswith="10").count() == 50
    again = boundaries_load(ADM2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 928)
    assert Boundary.objects.count() == 928


def test_command_reports_features_it_cannot_match(geography, tmp_path, capsys):
    path = _write(
        tmp_path,
        [
            _feature("TH1008"),
            _feature("TH9999"),
            _feature("1008X"),
            _feature("TH1009", geometry={"type": "Point", "coordinates": [100.5, 13.7]}),
            _feature("TH1008"),
        ],
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("load-boundaries", str(path))
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert "1 created" in out and "4 not matched" in out
    assert "feature 2: TH9999: no DOPA district 9999" in err
    assert "feature 3:" in err and "feature 4:" in err and "feature 5:" in err
    assert list(Boundary.objects.values_list("code", flat=True)) == ["1008"]


def test_a_file_without_cod_ab_codes_is_refused(geography, tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"properties": {}}]}))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ADM1_PCODE or ADM2_PCODE"):
        call_command("load-boundaries", str(path))


def _map_data(response):
    html = response.content.decode()
    start = html.index('<script id="area-map-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_city_map_carries_only_in_scope_figures_and_the_attribution(
    client, login, district_officer, households, tmp_path
):
    boundaries_load(_write(tmp_path, [_feature("TH1008"), _feature("TH1009")]))
    response = login(district_officer).get(reverse("areas:province", args=["10"]))
    assert response.status_code == 200
    data = _map_data(response)
    features = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert features["1008"]["in_scope"] is True
    assert features["1008"]["households"] >= 1 and "people" in features["1008"]
    assert features["1009"] == {"code": "1009", "name": features["1009"]["name"], "in_scope": False}
    assert data["attribution"] == ATTRIBUTION
    assert ATTRIBUTION in response.content.decode()
    assert "leaflet-1.9.4/leaflet.js" in response.content.decode()
    assert 'id="map-empty"' not in response.content.decode()


def test_city_page_without_boundaries_says_how_to_add_them(client, login, coordinator):
    response = login(coordinator).get(reverse("areas:province", args=["10"]))
    html = response.content.decode()
    assert 'id="map-empty"' in html
    assert "ppaos load-boundaries" in html
    assert "Thailand – Subnational Administrative Boundaries" in html
    assert "area-map-data" not in html and "leaflet.js" not in html
