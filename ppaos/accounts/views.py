from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ppaos.accounts.models import Role
from ppaos.accounts.scope import VIEW_COUNTS, scope_for
from ppaos.areas.models import Community
from ppaos.areas.selectors import counts_exact, protect_counts, total_counts
from ppaos.targeting.selectors import volunteer_campaigns

HOME_TEMPLATES = {
    Role.ADMIN: "accounts/home_coordinator.html",
    Role.COORDINATOR: "accounts/home_coordinator.html",
    Role.DISTRICT_OFFICER: "accounts/home_district.html",
    Role.VOLUNTEER: "accounts/home_volunteer.html",
    Role.COMMUNITY_LEADER: "accounts/home_leader.html",
    Role.RESEARCHER: "accounts/home_researcher.html",
    Role.AGENCY_OFFICER: "accounts/home_agency.html",
}


@login_required
def home(request):
    """Each role lands on its own page: what it is here to do, for its own area."""
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
    template = HOME_TEMPLATES.get(role, "accounts/home_none.html")
    if role == Role.VOLUNTEER:
        # What to do next: the households left in each open campaign's worklist.
        context["campaigns"] = volunteer_campaigns(user=request.user)
    return render(request, template, context)
