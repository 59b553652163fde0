"""Scoped reads that need only the areas and the user's capabilities."""

from django.db.models import QuerySet

from ppaos.accounts.scope import VIEW_COUNTS, scope_for
from ppaos.areas.models import Community


def countable_community(*, user, pk: int) -> QuerySet[Community]:
    """The community `pk`, if the user may count it (empty otherwise: the caller 404s)."""
    area = scope_for(user).area(VIEW_COUNTS)
    return Community.objects.filter(area.community_q(), pk=pk).select_related(
        "subdistrict__district__province"
    )
