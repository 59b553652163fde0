"""Plausible coordinates for demo households, so the map has points to show.

Each demo community gets a centre inside its district's outline (a seeded random point, kept a
few hundred metres from the edge when it can be); its households are spread around it by a
deterministic jitter of their id, in one UPDATE per community. Only `is_demo` rows change."""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from ppaos.areas.models import Boundary, BoundaryLevel, Community
from ppaos.registry.models import Household

# Households lie within ± SPREAD degrees (about 280 m) of their community's centre.
SPREAD = Decimal("0.0025")
STEPS = 1000  # jitter steps on each side of the centre
TRIES = 2000


@dataclass
class CoordinatesReport:
    communities: int = 0
    households: int = 0
    without_outline: set[str] = field(default_factory=set)


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _in_ring(x: float, y: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def inside(lon: float, lat: float, polygons) -> bool:
    """Point in (multi)polygon, even-odd over each polygon's rings (holes excluded)."""
    for rings in polygons:
        crossings = sum(_in_ring(lon, lat, ring) for ring in rings)
        if crossings % 2 == 1:
            return True
    return False


def point_inside(rng: random.Random, polygons, margin: float = 0.0) -> tuple[float, float]:
    """A seeded random (lon, lat) inside the outline, `margin` degrees from it if possible."""
    xs = [p[0] for rings in polygons for p in rings[0]]
    ys = [p[1] for rings in polygons for p in rings[0]]
    fallback = None
    for _ in range(TRIES):
        lon, lat = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        if not inside(lon, lat, polygons):
            continue
        fallback = fallback or (lon, lat)
        corners = [(lon + dx, lat + dy) for dx in (-margin, margin) for dy in (-margin, margin)]
        if all(inside(x, y, polygons) for x, y in corners):
            return lon, lat
    if fallback:
        return fallback
    return sum(xs) / len(xs), sum(ys) / len(ys)


def demo_coordinates(*, seed: int) -> CoordinatesReport:
    """Set latitude/longitude of every demo household (and empty demo community centres)."""
    rng = random.Random(seed)
    report = CoordinatesReport()
    communities = list(
        Community.objects.filter(households__is_demo=True)
        .distinct()
        .select_related("subdistrict")
        .order_by("code")
    )
    codes = {c.subdistrict.district_id for c in communities}
    outlines = {
        b.code: _polygons(b.geometry)
        for b in Boundary.objects.filter(level=BoundaryLevel.DISTRICT, code__in=codes)
    }
    table = Household._meta.db_table
    update = (
        f"UPDATE {table} SET "  # noqa: S608 (table name from model metadata)
        f"latitude = CAST(%s + (((id * 7919 + %s) %% {2 * STEPS + 1}) - {STEPS}) * %s "
        f"AS DECIMAL(9, 6)), "
        f"longitude = CAST(%s + (((id * 104729 + %s) %% {2 * STEPS + 1}) - {STEPS}) * %s "
        f"AS DECIMAL(9, 6)) "
        f"WHERE community_id = %s AND is_demo"
    )
    step = SPREAD / STEPS
    with transaction.atomic(), connection.cursor() as cursor:
        for community in communities:
            polygons = outlines.get(community.subdistrict.district_id)
            if not polygons:
                report.without_outline.add(community.subdistrict.district_id)
                continue
            lon, lat = point_inside(rng, polygons, margin=float(SPREAD))
            centre_lat = Decimal(f"{lat:.6f}")
            centre_lon = Decimal(f"{lon:.6f}")
            if community.is_demo and community.latitude is None:
                Community.objects.filter(pk=community.pk).update(
                    latitude=centre_lat, longitude=centre_lon
                )
            cursor.execute(
                update, [centre_lat, seed, step, centre_lon, seed * 31, step, community.pk]
            )
            report.communities += 1
            report.households += cursor.rowcount
    return report
