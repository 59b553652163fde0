"""ppaos.urls plus `/bench/baseline/households/<community>/`, for bench/latency.py only."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from ppaos.urls import urlpatterns as ppaos_urlpatterns

PAGE = 50
# The household list page's rows: a community's households by code with their current
# member counts, the first page.
SQL = """
SELECT h.id, h.code, h.house_no, h.moo, h.village, h.soi, h.road, h.is_demo,
       count(m.id) FILTER (WHERE m.end_date IS NULL) AS members
FROM registry_household h
LEFT JOIN registry_membership m ON m.household_id = h.id
WHERE h.community_id = %s
GROUP BY h.id
ORDER BY h.code
LIMIT %s
"""
COLUMNS = ("id", "code", "house_no", "moo", "village", "soi", "road", "is_demo", "members")


def baseline(request, community: int):
    """The floor: Django's request cycle and one raw query, no ORM, scope or template."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, [community, PAGE])
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"results": rows})


urlpatterns = [
    path("bench/baseline/households/<int:community>/", baseline),
    *ppaos_urlpatterns,
]
