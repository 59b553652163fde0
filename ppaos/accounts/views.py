"""What every role's home page shows from this layer: who the user is assigned as and the
communities of their area. The page itself is `ppaos.dashboards.home`, which adds the area's
protected counts and each role's next actions from the apps above (accounts never imports
them)."""

from ppaos.accounts.scope import (
    ANSWER_REFERRALS,
    LEAD_COMMUNITY,
    MANAGE_CITY,
    MANAGE_TARGETING,
    RECORD_VISITS,
    VIEW_COUNTS,
    scope_for,
)
from ppaos.areas.models import Community

# The home page of the first capability the user holds, most responsible first.
HOME_TEMPLATES = (
    (MANAGE_CITY, "accounts/home_coordinator.html"),
    (MANAGE_TARGETING, "accounts/home_district.html"),
    (RECORD_VISITS, "accounts/home_volunteer.html"),
    (LEAD_COMMUNITY, "accounts/home_leader.html"),
    (VIEW_COUNTS, "accounts/home_researcher.html"),
    (ANSWER_REFERRALS, "accounts/home_agency.html"),
)


def home_template(scope) -> str:
    """The home page template for the user's capabilities."""
    for capability, template in HOME_TEMPLATES:
        if scope.holds(capability):
            return template
    return "accounts/home_none.html"


def home_context(request) -> tuple[str, dict]:
    """(the home template for the user's capabilities, the base context: assignments, and
    the communities of the area for roles that may count)."""
    scope = scope_for(request.user)
    context = {
        "assignments": request.user.role_assignments.select_related(
            "province", "district", "community__subdistrict", "organisation"
        )
    }
    if scope.can(VIEW_COUNTS):
        context["communities"] = Community.objects.filter(
            scope.area(VIEW_COUNTS).community_q()
        ).select_related("subdistrict__district")[:50]
    return home_template(scope), context
