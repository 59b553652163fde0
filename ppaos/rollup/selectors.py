"""National reads: each province's current package and its trend (one snapshot per period,
that period's latest package). No scoping by area: the national roll-up holds protected
aggregates only, and the pages are gated by `view_national_rollup` (views)."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from ppaos.rollup.models import Area, Level, Package

# The figures a trend shows, per snapshot.
TREND = ("households", "households_verified", "referrals_made")


def current_package(*, province_code: str) -> Package | None:
    """The province's latest package: the latest period, then the latest generated."""
    return (
        Package.objects.filter(province_code=province_code)
        .order_by("-period", "-generated_at", "-id")
        .first()
    )


def snapshots(*, province_code: str) -> list[Package]:
    """One package per period (that period's latest), oldest period first."""
    latest: dict = {}
    for p in Package.objects.filter(province_code=province_code).order_by(
        "period", "generated_at", "id"
    ):
        latest[p.period] = p
    return [latest[k] for k in sorted(latest)]


@dataclass
class Row:
    """One area of a national table: its figures in the current package and its trend."""

    area: Area
    trend: list[tuple] = field(default_factory=list)  # (period, {metric: value})

    @property
    def counts(self) -> dict:
        return self.area.figures.get("counts", {})

    @property
    def errors(self) -> dict:
        return self.area.figures.get("errors", {})

    @property
    def mobility(self) -> dict:
        return self.area.figures.get("mobility", {})


def _trends(packages: list[Package], level: str, codes: set[str]) -> dict[str, list]:
    trends: dict[str, list] = {code: [] for code in codes}
    rows = (
        Area.objects.filter(package__in=packages, level=level, code__in=codes)
        .select_related("package")
        .order_by("package__period")
    )
    for a in rows:
        counts = a.figures.get("counts", {})
        trends[a.code].append((a.package.period, {m: counts.get(m, 0) for m in TREND}))
    return trends


def _rows(areas: QuerySet[Area], packages: list[Package], level: str) -> list[Row]:
    areas = list(areas)
    trends = _trends(packages, level, {a.code for a in areas})
    return [Row(a, trends.get(a.code, [])) for a in areas]


def province_rows() -> list[Row]:
    """Every province with a package: its own figures and trend."""
    codes = Package.objects.order_by().values_list("province_code", flat=True).distinct()
    rows = []
    for code in sorted(set(codes)):
        current = current_package(province_code=code)
        area = Area.objects.filter(package=current, level=Level.PROVINCE).first()
        if area is None:
            continue
        trend = _trends(snapshots(province_code=code), Level.PROVINCE, {code}).get(code, [])
        rows.append(Row(area, trend))
    return rows


def province_area(*, package: Package) -> Area | None:
    return Area.objects.filter(package=package, level=Level.PROVINCE).first()


def district_rows(*, package: Package) -> list[Row]:
    areas = Area.objects.filter(package=package, level=Level.DISTRICT).order_by("code")
    return _rows(areas, snapshots(province_code=package.province_code), Level.DISTRICT)


def district_area(*, package: Package, code: str) -> Area | None:
    return Area.objects.filter(package=package, level=Level.DISTRICT, code=code).first()


def community_rows(*, package: Package, district_code: str) -> list[Row]:
    areas = Area.objects.filter(
        package=package, level=Level.COMMUNITY, parent_code=district_code
    ).order_by("code")
    return _rows(areas, snapshots(province_code=package.province_code), Level.COMMUNITY)


def area_row(*, package: Package, area: Area) -> list[Row]:
    """The page's own area as a one-row table, with its trend."""
    return _rows(
        Area.objects.filter(pk=area.pk), snapshots(province_code=package.province_code), area.level
    )
