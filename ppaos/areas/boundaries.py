"""Province and district outlines for maps: loading OCHA COD-AB GeoJSON, and the map data."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ppaos.areas.models import Boundary, BoundaryLevel, District, Province

ATTRIBUTION = "Boundaries: OCHA / Royal Thai Survey Department (CC BY-IGO)"
HDX_TITLE = "Thailand – Subnational Administrative Boundaries"
HDX_URL = "https://data.humdata.org/dataset/cod-ab-tha"
# The copy on these machines for tests and the demo (never committed).
SHARED_DIR = settings.PROJECT_DIR.parent / "shared" / "reference" / "boundaries"


class BoundaryFileError(ValueError):
    """The file is not a GeoJSON FeatureCollection of COD-AB ADM1 or ADM2 features."""


@dataclass
class BoundaryReport:
    level: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (feature number from 1, reason)
    unmatched: list[tuple[int, str]] = field(default_factory=list)


def _level_of(features: list[dict]) -> tuple[str, str]:
    for feature in features:
        properties = feature.get("properties") or {}
        if "ADM2_PCODE" in properties:
            return BoundaryLevel.DISTRICT, "ADM2_PCODE"
        if "ADM1_PCODE" in properties:
            return BoundaryLevel.PROVINCE, "ADM1_PCODE"
    raise BoundaryFileError("no feature has an ADM1_PCODE or ADM2_PCODE property")


def _dopa_code(pcode: object, digits: int) -> str:
    code = str(pcode or "").strip().upper().removeprefix("TH")
    return code if len(code) == digits and code.isdigit() else ""


@transaction.atomic
def boundaries_load(path: Path | str, *, source: str = "") -> BoundaryReport:
    """Create or update the outlines in a COD-AB GeoJSON file (ADM1 or ADM2); idempotent.

    Features whose code is missing or not a DOPA province/district are reported, not stored."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(f"cannot read {path.name}: {exc}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise BoundaryFileError("not a GeoJSON FeatureCollection")
    level, key = _level_of(features)
    digits = 4 if level == BoundaryLevel.DISTRICT else 2
    model = District if level == BoundaryLevel.DISTRICT else Province
    known = set(model.objects.values_list("code", flat=True))
    existing = {b.code: b for b in Boundary.objects.filter(level=level)}
    source = source or path.name
    report = BoundaryReport(level=level)
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        geometry = (feature or {}).get("geometry")
        pcode = properties.get(key)
        code = _dopa_code(pcode, digits)
        if not code:
            report.unmatched.append((number, f"{key} {pcode!r} is not TH + {digits} digits"))
            continue
        if code not in known:
            report.unmatched.append((number, f"{pcode}: no DOPA {level} {code}"))
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            report.unmatched.append((number, f"{pcode}: no polygon geometry"))
            continue
        if code in seen:
            report.unmatched.append((number, f"{pcode}: appears twice in the file"))
            continue
        seen.add(code)
        boundary = existing.get(code)
        if boundary is None:
            Boundary.objects.create(level=level, code=code, geometry=geometry, source=source)
            report.created += 1
        elif boundary.geometry != geometry or boundary.source != source:
            boundary.geometry, boundary.source = geometry, source
            boundary.save()
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _figure(value):
    from ppaos.lib.suppression import is_hidden, shown

    return shown(value) if is_hidden(value) else value


def province_map_data(*, province: Province, rows) -> dict:
    """The data block for the city page's choropleth.

    `rows` are the scoped (district, counts) rows of `district_list_with_counts`; a district
    outside them is drawn grey and carries no figures."""
    counted = {district.code: counts for district, counts in rows}
    outlines = Boundary.objects.filter(
        level=BoundaryLevel.DISTRICT, code__startswith=province.code
    ).order_by("code")
    names = dict(
        (d.code, d.name) for d in District.objects.filter(province=province).order_by("code")
    )
    features = []
    for boundary in outlines:
        counts = counted.get(boundary.code)
        properties = {"code": boundary.code, "name": names.get(boundary.code, boundary.code)}
        if counts is not None:
            # A hidden figure goes as its label ("< 5", "*"): ppaos/static/ppaos/map.js shows it.
            properties.update(
                in_scope=True,
                households=_figure(counts.households),
                people=_figure(counts.people),
            )
        else:
            properties["in_scope"] = False
        features.append(
            {"type": "Feature", "properties": properties, "geometry": boundary.geometry}
        )
    return {
        "features": features,
        "attribution": ATTRIBUTION,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION if settings.MAP_TILE_URL else "",
    }
