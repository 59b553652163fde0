"""What a user may see and do, computed once per request from their role assignments.

Every selector that returns households or people filters through `Scope`; nothing else
decides visibility. An `AreaSet` is a union of DOPA code prefixes (a province "10", a
district "1008") and community ids. An installation may serve several provinces
(`PPAOS_PROVINCES`): a coordinator assigned to one province holds its capabilities there
only, since the province's code is the prefix of every area in it.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from ppaos.accounts.models import Role, RoleAssignment
from ppaos.areas.provinces import served_provinces

VIEW_PEOPLE = "view_people"
EDIT_PEOPLE = "edit_people"
VIEW_COUNTS = "view_counts"
VIEW_AUDIT = "view_audit"
# Open campaigns, assign volunteers, review linkage, read error reports for the area.
MANAGE_TARGETING = "manage_targeting"
# Import national target lists (city-wide data): coordinators and admins.
IMPORT_TARGETS = "import_targets"
# Review corrections that communities propose to their registry data, and set a community
# fund's yearly budget: district offices and the city (never one's own proposal).
REVIEW_CORRECTIONS = "review_corrections"
# Record a community fund's proposals, the community's decisions and its expenditures.
MANAGE_FUND = "manage_fund"
# Answer referrals addressed to the district office of the area (accept, start, complete,
# reject, transfer): the office's own staff act as the agency for its services.
ANSWER_DISTRICT_REFERRALS = "answer_district_referrals"
# Decide national IDs held because another record already has them (city-wide question).
REVIEW_DUPLICATE_IDS = "review_duplicate_ids"
# Keep the city's own settings: the service catalogue and its rules, indicator-set versions,
# a recomputation of every figure. Those who hold it must use two-factor login when
# PPAOS_2FA_REQUIRED is set.
MANAGE_CITY = "manage_city"
# Record verification visits and surveys on a campaign's worklist (assigned by community).
RECORD_VISITS = "record_visits"
# Speak for a community: its data book, its fund's decisions, corrections and life events.
LEAD_COMMUNITY = "lead_community"
# Answer referrals addressed to one's organisation (by organisation, not by area).
ANSWER_REFERRALS = "answer_referrals"
# Read the national roll-up: every province's protected figures, imported from their signed
# packages (ppaos.rollup).
VIEW_NATIONAL_ROLLUP = "view_national_rollup"

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {VIEW_PEOPLE, EDIT_PEOPLE, VIEW_COUNTS, VIEW_AUDIT, MANAGE_TARGETING, IMPORT_TARGETS}
        | {REVIEW_CORRECTIONS, MANAGE_FUND, REVIEW_DUPLICATE_IDS, MANAGE_CITY}
        | {VIEW_NATIONAL_ROLLUP}
    ),
    Role.COORDINATOR: frozenset(
        {VIEW_PEOPLE, EDIT_PEOPLE, VIEW_COUNTS, VIEW_AUDIT, MANAGE_TARGETING, IMPORT_TARGETS}
        | {REVIEW_CORRECTIONS, MANAGE_FUND, REVIEW_DUPLICATE_IDS, MANAGE_CITY}
        | {VIEW_NATIONAL_ROLLUP}
    ),
    Role.DISTRICT_OFFICER: frozenset(
        {VIEW_PEOPLE, EDIT_PEOPLE, VIEW_COUNTS, MANAGE_TARGETING, REVIEW_CORRECTIONS, MANAGE_FUND}
        | {ANSWER_DISTRICT_REFERRALS}
    ),
    Role.VOLUNTEER: frozenset({VIEW_PEOPLE, EDIT_PEOPLE, VIEW_COUNTS, RECORD_VISITS}),
    # Leaders read their community's people and propose corrections; they never edit them.
    Role.COMMUNITY_LEADER: frozenset({VIEW_PEOPLE, VIEW_COUNTS, MANAGE_FUND, LEAD_COMMUNITY}),
    # Researchers work on aggregates (and, later, pseudonymised exports), never names.
    Role.RESEARCHER: frozenset({VIEW_COUNTS}),
    # Agency officers see referrals addressed to their organisation, not the registry.
    Role.AGENCY_OFFICER: frozenset({ANSWER_REFERRALS}),
}


def roles_with(capability: str) -> list[str]:
    """The roles that hold `capability`: for queries of who may act ("the volunteers of this
    community", "the leaders to notify"), so no other module names a role."""
    return [role for role, held in ROLE_CAPABILITIES.items() if capability in held]


@dataclass(frozen=True)
class AreaSet:
    prefixes: frozenset[str] = frozenset()
    community_ids: frozenset[int] = frozenset()
    # Subdistrict codes of the communities above, so area pages know where they lie.
    community_areas: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.prefixes and not self.community_ids

    def q(self, community_path: str = "community") -> Q:
        """A filter for rows reached through `community_path` (e.g. "household__community")."""
        if self.is_empty:
            return Q(pk__in=[])
        condition = Q()
        for prefix in sorted(self.prefixes):
            condition |= Q(**{f"{community_path}__subdistrict__code__startswith": prefix})
        if self.community_ids:
            condition |= Q(**{f"{community_path}_id__in": sorted(self.community_ids)})
        return condition

    def community_q(self) -> Q:
        """The same filter applied to `Community` itself."""
        if self.is_empty:
            return Q(pk__in=[])
        condition = Q()
        for prefix in sorted(self.prefixes):
            condition |= Q(subdistrict__code__startswith=prefix)
        if self.community_ids:
            condition |= Q(id__in=sorted(self.community_ids))
        return condition

    def touches(self, area_code: str) -> bool:
        """True if any part of this set lies inside the area, or the area inside it."""
        for prefix in self.prefixes:
            if area_code.startswith(prefix) or prefix.startswith(area_code):
                return True
        return any(code.startswith(area_code) for code in self.community_areas)

    def provinces(self) -> frozenset[str]:
        """The served provinces (`PPAOS_PROVINCES`) this set covers whole: a coordinator
        scoped to a province covers that one; a city-wide prefix ("") covers all."""
        return frozenset(p for p in served_provinces() if self.covers_whole(p))

    def covers_whole(self, area_code: str) -> bool:
        return any(area_code.startswith(prefix) for prefix in self.prefixes)

    def contains_community(self, community) -> bool:
        return community.pk in self.community_ids or self.covers_whole(community.subdistrict_id)


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str]
    areas: dict[str, AreaSet] = field(default_factory=dict)
    organisation_ids: frozenset[int] = frozenset()

    def can(self, capability: str) -> bool:
        """The user holds `capability` over some area."""
        return not self.areas.get(capability, AreaSet()).is_empty

    def holds(self, capability: str) -> bool:
        """The user holds `capability` at all, with or without an area (an agency officer's
        capabilities go with their organisation)."""
        return any(capability in ROLE_CAPABILITIES.get(role, ()) for role in self.roles)

    def area(self, capability: str) -> AreaSet:
        return self.areas.get(capability, AreaSet())

    def provinces(self, capability: str) -> frozenset[str]:
        """The served provinces where the user holds `capability` over the whole province."""
        return self.area(capability).provinces()

    def home_province(self, capability: str = VIEW_COUNTS) -> str:
        """The province the user's province pages open on: the home province when their
        area reaches into it, else the first served province it does (a coordinator of
        province 75 opens on 75, not on Bangkok's 404)."""
        area = self.area(capability)
        for code in (settings.HOME_PROVINCE, *sorted(served_provinces())):
            if area.touches(code):
                return code
        return settings.HOME_PROVINCE


def _build(assignments: list[RoleAssignment], superuser: bool) -> Scope:
    prefixes: dict[str, set[str]] = {}
    communities: dict[str, set[int]] = {}
    community_areas: dict[str, set[str]] = {}
    organisations: set[int] = set()
    roles: set[str] = set()
    if superuser:
        roles.add(Role.ADMIN)
        for capability in ROLE_CAPABILITIES[Role.ADMIN]:
            prefixes.setdefault(capability, set()).add("")
    for a in assignments:
        roles.add(a.role)
        if a.organisation_id:
            organisations.add(a.organisation_id)
        for capability in ROLE_CAPABILITIES[a.role]:
            if a.province_id:
                prefixes.setdefault(capability, set()).add(a.province_id)
            elif a.district_id:
                prefixes.setdefault(capability, set()).add(a.district_id)
            elif a.community_id:
                communities.setdefault(capability, set()).add(a.community_id)
                community_areas.setdefault(capability, set()).add(a.community.subdistrict_id)
    capabilities = set(prefixes) | set(communities)
    areas = {
        c: AreaSet(
            frozenset(prefixes.get(c, ())),
            frozenset(communities.get(c, ())),
            frozenset(community_areas.get(c, ())),
        )
        for c in capabilities
    }
    return Scope(frozenset(roles), areas, frozenset(organisations))


def scope_for(user) -> Scope:
    """The user's scope, computed once and kept on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(frozenset())
    cached = getattr(user, "_ppaos_scope", None)
    if cached is None:
        assignments = list(user.role_assignments.select_related("community"))
        cached = _build(assignments, user.is_superuser)
        user._ppaos_scope = cached
    return cached
