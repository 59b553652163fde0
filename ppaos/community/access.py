"""Permission-checked fetchers for the community pages. Out of scope looks exactly like not
found: 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.areas.models import Community
from ppaos.community.models import Correction, Expenditure, FundYear, Procurement, Proposal
from ppaos.community.selectors import (
    corrections_visible,
    expenditures_managed,
    fund_communities,
    fund_years_managed,
    procurements_managed,
    proposals_managed,
)


def community_countable(*, user, pk: int) -> Community:
    """A community whose figures the user may count (the data book)."""
    require_capability(user, VIEW_COUNTS)
    return get_object_or_404(countable_community(user=user, pk=pk))


def sees_people(*, user, community: Community) -> bool:
    """Registry roles of this community see exact counts; everyone else suppressed ones."""
    return scope_for(user).area(VIEW_PEOPLE).contains_community(community)


def community_with_people(*, user, pk: int) -> Community:
    """A community whose households the user may see (to propose corrections in it)."""
    community = get_object_or_404(Community.objects.select_related("subdistrict"), pk=pk)
    if not sees_people(user=user, community=community):
        raise Http404("Community outside scope")
    return community


def correction_for_user(*, user, pk: int) -> Correction:
    return get_object_or_404(corrections_visible(user=user), pk=pk)


def community_for_fund(*, user, pk: int) -> Community:
    return get_object_or_404(fund_communities(user=user), pk=pk)


def fund_year_for_user(*, user, pk: int) -> FundYear:
    return get_object_or_404(fund_years_managed(user=user), pk=pk)


def proposal_for_user(*, user, pk: int) -> Proposal:
    return get_object_or_404(proposals_managed(user=user), pk=pk)


def expenditure_for_user(*, user, pk: int) -> Expenditure:
    return get_object_or_404(expenditures_managed(user=user), pk=pk)


def procurement_for_user(*, user, pk: int) -> Procurement:
    return get_object_or_404(procurements_managed(user=user), pk=pk)
