"""A province's figures as its researchers see them, per area: the content of a roll-up package.

Nothing here is computed anew for the package. The counts are the current dashboard refresh's
(`ppaos.dashboards`), and every figure of an area is labelled as the hierarchy's one decision
labels it for a researcher of the whole province (`ppaos.dashboards.hierarchy.decision_for`,
cached per refresh): a count, "< 5" or "*", the same as on every page that researcher may
open. The error rates and their intervals are built from the shown counts only, as the
dashboards build them (`ppaos.dashboards.selectors.Summary`). Mobility (households that moved
up, stayed, fell back between the latest two rounds) is protected over the whole hierarchy
at once (`ppaos.lib.disclosure.decide`, each area's moves adding up to its households and
each parent the sum of its children), and never shows a figure the researcher's own mobility
page hides.

What leaves: DOPA codes and names of areas, community codes and names, counts and rates.
What never does: people, households, their names, IDs, pseudonyms or database ids."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, FilteredRelation, Q
from django.utils import timezone

from ppaos.accounts.models import RoleAssignment
from ppaos.accounts.scope import ROLE_CAPABILITIES, VIEW_COUNTS
from ppaos.areas.models import Community, District, Province
from ppaos.assessment.models import Assessment
from ppaos.dashboards import hierarchy
from ppaos.dashboards.models import Figure, Refresh
from ppaos.dashboards.selectors import METRICS, MONTHLY, NOT_PERSONAL, Summary
from ppaos.lib.disclosure import Published, decide
from ppaos.lib.suppression import (
    WITHHELD,
    is_hidden,
    small_count_threshold,
    suppressed_label,
    withheld_label,
)
from ppaos.livelihoods import mobility
from ppaos.livelihoods.selectors import area_mobility, assessed_rounds

SCHEMA = "ppaos-rollup"
SCHEMA_VERSION = 1
SNAPSHOT = tuple(sorted(METRICS))
MOVES = ("graduated", "same", "fell_back", "unscored")
MOBILITY = (*MOVES, "households")


class FiguresChangedError(RuntimeError):
    """The figures changed while the package was built (a refresh ran): build it again."""


class _Assignments(list):
    def select_related(self, *fields):
        return self


class ProvinceResearcher:
    """Whom a package is published for: a viewer who may count every community of the
    province and see no one (the role whose only capability is `view_counts`). Not a stored
    user: `ppaos.accounts.scope.scope_for` reads its one role assignment, so every selector
    answers it exactly as it answers the province's researchers."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None

    def __init__(self, province_code: str):
        role = next(r for r, caps in ROLE_CAPABILITIES.items() if caps == {VIEW_COUNTS})
        self.role_assignments = _Assignments([RoleAssignment(role=role, province_id=province_code)])

    def get_username(self) -> str:
        return "(roll-up)"


@dataclass
class AreaRef:
    level: str
    code: str
    parent: str
    name_th: str
    name_en: str
    key: tuple  # the area's identity in ppaos.dashboards.hierarchy


def _label(value):
    if value is None:
        return suppressed_label()
    if value is WITHHELD:
        return withheld_label()
    return value


def province_areas(province: Province) -> tuple[list[AreaRef], dict[int, tuple]]:
    """The province, its districts and communities; community pk → its ancestors' keys."""
    refs = [
        AreaRef(
            "province", province.code, "", province.name_th, province.name_en, ("p", province.code)
        )
    ]
    for d in District.objects.filter(province=province).order_by("code"):
        refs.append(AreaRef("district", d.code, province.code, d.name_th, d.name_en, ("d", d.code)))
    chains = {}
    communities = Community.objects.filter(subdistrict__district__province=province).order_by(
        "code"
    )
    for c in communities.values("pk", "code", "name_th", "name_en", "subdistrict_id"):
        district = c["subdistrict_id"][:4]
        refs.append(
            AreaRef("community", c["code"], district, c["name_th"], c["name_en"], ("c", c["pk"]))
        )
        chains[c["pk"]] = (("c", c["pk"]), ("d", district), ("p", province.code))
    return refs, chains


def _metric(metric: str, period, round_name: str):
    if period is not None:
        return ("month", metric, period.isoformat())
    if round_name:
        return ("round", round_name, metric)
    return metric


def _raw(refresh: Refresh, chains: dict[int, tuple]) -> dict[tuple, dict]:
    """Area key → {metric identity: count} summed from the communities' figures, with the
    derived figures the hierarchy decides too (households assessed per round, trend totals)."""
    values: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    rows = (
        Figure.objects.filter(refresh=refresh, community_id__in=list(chains))
        .values_list("community_id", "metric", "period", "round_name", "value")
        .order_by()
    )
    for community, metric, period, round_name, value in rows.iterator(chunk_size=20000):
        key = _metric(metric, period, round_name)
        for area in chains[community]:
            mine = values[area]
            mine[key] += int(value)
            if isinstance(key, tuple) and key[0] == "round" and metric.startswith("level_"):
                mine[("round", round_name, "assessed")] += int(value)
            elif isinstance(key, tuple) and key[0] == "month":
                mine[("months", metric)] += int(value)
    return values


def _shown(decision, area: tuple, metric, raw: int, limit: int):
    """The figure as the decision labels it; a small count it would show means the figures
    changed under the decision (refused rather than published)."""
    if isinstance(metric, str) and metric in NOT_PERSONAL:
        return raw
    ident = (area, metric)
    value = decision.shown(ident, decision.value(ident, raw))
    if not is_hidden(value) and 0 < value < limit:
        raise FiguresChangedError(f"{area} {metric}")
    return value


def _rate(proportion) -> dict | None:
    if proportion is None or proportion.rate is None:
        return None
    return {
        "rate": round(proportion.rate, 4),
        "low": round(proportion.low, 4),
        "high": round(proportion.high, 4),
    }


def _errors(snapshot: dict) -> dict:
    summary = Summary(dict(snapshot), suppressed=True)
    exclusion = _rate(summary.exclusion)
    missing = summary.missing
    if exclusion is not None and missing is not None:
        exclusion["missing"] = [round(x, 1) for x in missing]
    return {"inclusion": _rate(summary.inclusion), "exclusion": exclusion}


def _transitions(province: Province, chains: dict, from_round: str, to_round: str) -> dict:
    """Area key → {move: households} between the two rounds (one GROUP BY over communities)."""
    rows = (
        Assessment.objects.filter(
            round_name=to_round, household__community__subdistrict__district__province=province
        )
        .annotate(
            before=FilteredRelation(
                "household__assessments",
                condition=Q(household__assessments__round_name=from_round),
            )
        )
        .filter(before__id__isnull=False)
        .order_by()
        .values(community=F("household__community_id"), a=F("before__level"), b=F("level"))
        .annotate(n=Count("id"))
    )
    values: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(MOBILITY, 0))
    for r in rows:
        a, b = r["a"], r["b"]
        move = (
            "unscored"
            if a is None or b is None
            else ("graduated" if b > a else "fell_back" if b < a else "same")
        )
        for area in chains.get(r["community"], ()):
            values[area][move] += r["n"]
            values[area]["households"] += r["n"]
    return values


@dataclass
class Moves:
    from_round: str = ""
    to_round: str = ""
    # Area key → {move: count, None or WITHHELD}.
    areas: dict = field(default_factory=dict)
    # The whole province's mobility figures as one protected table (for the tests' proof).
    published: Published | None = None


def mobility_figures(
    *, province: Province, refs: list[AreaRef], chains: dict, viewer, limit: int
) -> Moves:
    """Households that moved up, stayed, fell back or were not scored between the latest two
    rounds, per area. Each figure is hidden where the hierarchy-wide protection or the
    researcher's own mobility page of that area hides it."""
    from_round, to_round = mobility.round_pair(assessed_rounds(), None, None)
    if not from_round or not to_round:
        return Moves()
    raw = _transitions(province, chains, from_round, to_round)
    cells, sums = {}, []
    children: dict[tuple, list] = defaultdict(list)
    for ref in refs:
        for m in MOBILITY:
            cells[(ref.key, m)] = raw.get(ref.key, {}).get(m, 0)
        sums.append((tuple((ref.key, m) for m in MOVES), (ref.key, "households")))
    for pk, chain in chains.items():
        children[chain[1]].append(("c", pk))
    districts = [ref.key for ref in refs if ref.level == "district"]
    for m in MOBILITY:
        for district, kids in children.items():
            sums.append((tuple((k, m) for k in kids), (district, m)))
        sums.append((tuple((d, m) for d in districts), (("p", province.code), m)))
    shown = decide(cells, sums, limit)
    result = {}
    for ref in refs:
        if not raw.get(ref.key):
            result[ref.key] = dict.fromkeys(MOBILITY, 0)
            continue
        if ref.level == "community":
            page = area_mobility(
                user=viewer,
                community=Community.objects.get(pk=ref.key[1]),
                from_round=from_round,
                to_round=to_round,
            )
        else:
            page = area_mobility(
                user=viewer, area_code=ref.code, from_round=from_round, to_round=to_round
            )
        mine = {}
        for m in MOBILITY:
            on_page = getattr(page, m)
            if is_hidden(on_page):
                shown[(ref.key, m)] = on_page
            mine[m] = shown[(ref.key, m)]
        result[ref.key] = mine
    published = Published("rollup-mobility", dict(cells), dict(shown), list(sums), limit)
    return Moves(from_round, to_round, result, published)


def province_figures(*, province: Province, refresh: Refresh, period: dt.date) -> dict:
    """The package's payload: figures per area, as a researcher of the province sees them."""
    viewer = ProvinceResearcher(province.code)
    limit = small_count_threshold()
    refs, chains = province_areas(province)
    decision = hierarchy.decision_for(viewer)
    raw = _raw(refresh, chains)
    months = sorted(
        {k for values in raw.values() for k in values if isinstance(k, tuple) and k[0] == "month"},
        key=lambda k: (k[1], k[2]),
    )
    rounds = sorted(
        {
            k[1]
            for values in raw.values()
            for k in values
            if isinstance(k, tuple) and k[0] == "round"
        }
    )
    moves = mobility_figures(
        province=province, refs=refs, chains=chains, viewer=viewer, limit=limit
    )
    areas = []
    for ref in refs:
        values = raw.get(ref.key, {})
        snapshot = {m: _shown(decision, ref.key, m, values.get(m, 0), limit) for m in SNAPSHOT}
        levels = {}
        for name in rounds:
            keys = {k[2] for k in values if isinstance(k, tuple) and k[:2] == ("round", name)}
            levels[name] = {
                k: _label(
                    _shown(
                        decision,
                        ref.key,
                        ("round", name, k),
                        values.get(("round", name, k), 0),
                        limit,
                    )
                )
                for k in sorted(keys)
            }
        trends = {
            m: {
                key[2][:7]: _label(_shown(decision, ref.key, key, values.get(key, 0), limit))
                for key in months
                if key[1] == m
            }
            for m in MONTHLY
        }
        totals = {
            m: _label(_shown(decision, ref.key, ("months", m), values.get(("months", m), 0), limit))
            for m in MONTHLY
        }
        areas.append(
            {
                "level": ref.level,
                "code": ref.code,
                "parent": ref.parent,
                "name_th": ref.name_th,
                "name_en": ref.name_en,
                "figures": {
                    "counts": {m: _label(v) for m, v in snapshot.items()},
                    "errors": _errors(snapshot),
                    "levels": levels,
                    "months": trends,
                    "month_totals": totals,
                    "mobility": {m: _label(v) for m, v in moves.areas.get(ref.key, {}).items()},
                },
            }
        )
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "province": {
            "code": province.code,
            "name_th": province.name_th,
            "name_en": province.name_en,
        },
        "period": period.strftime("%Y-%m"),
        "generated_at": timezone.now().isoformat(),
        "as_of": refresh.as_of.isoformat() if refresh.as_of else None,
        "threshold": limit,
        "mobility_rounds": {"from": moves.from_round, "to": moves.to_round},
        "areas": areas,
    }
