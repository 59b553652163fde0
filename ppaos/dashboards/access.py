"""Permission-checked fetchers for the dashboards: out of scope is 404, like not found."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import MANAGE_CITY, VIEW_COUNTS, scope_for
from ppaos.accounts.selectors import countable_community
from ppaos.areas.models import Community, District, Province
from ppaos.dashboards.models import Refresh


def _touchable(user, code: str) -> None:
    require_capability(user, VIEW_COUNTS)
    if not scope_for(user).area(VIEW_COUNTS).touches(code):
        raise Http404("Area outside scope")


def province_for_user(*, user, code: str | None) -> Province:
    province = get_object_or_404(Province, code=code or scope_for(user).home_province())
    _touchable(user, province.code)
    return province


def district_for_user(*, user, code: str) -> District:
    district = get_object_or_404(District.objects.select_related("province"), code=code)
    _touchable(user, district.code)
    return district


def community_for_user(*, user, pk: int) -> Community:
    require_capability(user, VIEW_COUNTS)
    return get_object_or_404(countable_community(user=user, pk=pk))


def can_refresh(user) -> bool:
    """Coordinators and admins may recompute the figures (the whole city's, in one go)."""
    return scope_for(user).can(MANAGE_CITY)


def refresh_for_user(*, user, pk: int) -> Refresh:
    if not can_refresh(user):
        raise Http404("Not available for this role")
    return get_object_or_404(Refresh.objects.filter(created_by=user), pk=pk)
