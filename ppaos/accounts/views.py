"""What every role's home page shows from this layer: who the user is assigned as and the
counts of their area. The page itself is `ppaos.dashboards.home`, which adds each role's next
actions from the apps above (accounts never imports them)."""

from ppaos.accounts.models import Role
from ppaos.accounts.scope import VIEW_COUNTS, scope_for
from ppaos.areas.models import Community
from ppaos.areas.selectors import counts_exact, protect_counts, total_counts

HOME_TEMPLATES = {
    Role.ADMIN: "accounts/home_coordinator.html",
    Role.COORDINATOR: "accounts/home_coordinator.html",
    Role.DISTRICT_OFFICER: "accounts/home_district.html",
    Role.VOLUNTEER: "accounts/home_volunteer.html",
    Role.COMMUNITY_LEADER: "accounts/home_leader.html",
    Role.RESEARCHER: "accounts/home_researcher.html",
    Role.AGENCY_OFFICER: "accounts/home_agency.html",
}


def home_context(request) -> tuple[str, str, dict]:
    """(the user's primary role, its home template, the base context: assignments, and the
    area's protected counts and communities for roles that may count)."""
    scope = scope_for(request.user)
    role = scope.primary_role
    context = {
        "assignments": request.user.role_assignments.select_related(
            "province", "district", "community__subdistrict", "organisation"
        )
    }
    if scope.can(VIEW_COUNTS):
        _rows, context["totals"] = protect_counts(
            [], total_counts(user=request.user), exact=counts_exact(user=request.user)
        )
        context["communities"] = Community.objects.filter(
            scope.area(VIEW_COUNTS).community_q()
        ).select_related("subdistrict__district")[:50]
    return role, HOME_TEMPLATES.get(role, "accounts/home_none.html"), context
