"""Map data for the dashboards: district outlines coloured by a chosen figure, and the scoped
household points (GeoJSON, no names) for roles that may see households."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.areas.boundaries import ATTRIBUTION
from ppaos.areas.models import Boundary, BoundaryLevel, District
from ppaos.lib.suppression import suppressed_label
from ppaos.registry.models import Household

# At most this many household points in one answer; beyond it the map asks to zoom in.
MAX_POINTS = 2000

FIGURES = [
    ("households", _("households")),
    ("people", _("people")),
    ("households_verified", _("households verified")),
    ("people_verified", _("people verified")),
    ("referrals_made", _("referrals made")),
    ("referrals_completed", _("referrals completed")),
    ("inclusion", _("inclusion error (%)")),
    ("exclusion", _("exclusion error (%)")),
]
FIGURE_KEYS = {key for key, _label in FIGURES}


def map_settings() -> dict:
    """What every dashboard map needs: tiles (optional) and the credits to show."""
    attribution = [ATTRIBUTION]
    if settings.MAP_TILE_URL and settings.MAP_TILE_ATTRIBUTION:
        attribution.append(settings.MAP_TILE_ATTRIBUTION)
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": " · ".join(attribution),
        "suppressed_label": suppressed_label(),
    }


def district_features(*, district_codes: list[str], summaries: dict, in_scope: set[str]):
    """GeoJSON features of the districts' outlines with their figures (None: suppressed).

    A district outside `in_scope` carries no figures at all (they never reach the browser)."""
    outlines = Boundary.objects.filter(
        level=BoundaryLevel.DISTRICT, code__in=district_codes
    ).order_by("code")
    names = {d.code: d.name for d in District.objects.filter(code__in=district_codes)}
    features = []
    for boundary in outlines:
        properties = {"code": boundary.code, "name": names.get(boundary.code, boundary.code)}
        if boundary.code in in_scope:
            summary = summaries.get(boundary.code)
            properties["in_scope"] = True
            properties["values"] = {
                key: (summary.figure(key) if summary else 0) for key in FIGURE_KEYS
            }
        else:
            properties["in_scope"] = False
        features.append(
            {"type": "Feature", "properties": properties, "geometry": boundary.geometry}
        )
    return features


def can_see_points(user) -> bool:
    return scope_for(user).can(VIEW_PEOPLE)


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> "BBox":
        """`west,south,east,north` in degrees (Leaflet's toBBoxString); ValueError if not."""
        parts = [float(p) for p in text.split(",")]
        if len(parts) != 4:
            raise ValueError("bbox needs four numbers")
        west, south, east, north = parts
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise ValueError("bbox out of range")
        return cls(west, south, east, north)


def households_in_view(
    *, user, bbox: BBox, area_code: str = "", community=None
) -> QuerySet[Household]:
    """Households with coordinates inside the box that the user may see (VIEW_PEOPLE)."""
    area = scope_for(user).area(VIEW_PEOPLE)
    queryset = Household.objects.filter(
        area.q("community"),
        latitude__gte=Decimal(str(bbox.south)),
        latitude__lte=Decimal(str(bbox.north)),
        longitude__gte=Decimal(str(bbox.west)),
        longitude__lte=Decimal(str(bbox.east)),
    )
    if area_code:
        queryset = queryset.filter(community__subdistrict__code__startswith=area_code)
    if community is not None:
        queryset = queryset.filter(community=community)
    return queryset.order_by()


def points_geojson(queryset: QuerySet[Household], *, limit: int | None = None) -> dict:
    """At most `limit` (MAX_POINTS) points as GeoJSON (id, code, link; no names); past it,
    none and `too_many`."""
    limit = MAX_POINTS if limit is None else limit
    rows = list(queryset.values_list("pk", "code", "latitude", "longitude")[: limit + 1])
    if len(rows) > limit:
        return {"type": "FeatureCollection", "features": [], "too_many": True, "limit": limit}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {
                "id": pk,
                "code": code,
                "url": reverse("registry:household_detail", args=[pk]),
            },
        }
        for pk, code, lat, lon in rows
    ]
    return {"type": "FeatureCollection", "features": features, "too_many": False, "limit": limit}
