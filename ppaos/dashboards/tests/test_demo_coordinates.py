"""`ppaos demo-coordinates` puts demo households inside their district's outline and leaves
real households alone."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from ppaos.dashboards.tests.conftest import square
from ppaos.demo.dashboards import inside, point_inside
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db


def test_point_inside_a_polygon_with_a_hole():
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]
    polygons = [[outer, hole]]
    assert inside(0.5, 0.5, polygons)
    assert not inside(2, 2, polygons)
    assert not inside(5, 5, polygons)
    import random

    lon, lat = point_inside(random.Random(1), polygons, margin=0.2)
    assert inside(lon, lat, polygons)


def test_demo_households_get_points_in_their_district(city, outlines, capsys):
    Household.objects.filter(pk__in=[city["a1"].pk, city["c1"].pk]).update(is_demo=True)
    call_command("demo-coordinates", "--seed", "7")
    a1 = Household.objects.get(pk=city["a1"].pk)
    c1 = Household.objects.get(pk=city["c1"].pk)
    khet_1008 = [square(100.50, 13.7)["coordinates"]]
    khet_1009 = [square(100.60, 13.7)["coordinates"]]
    assert inside(float(a1.longitude), float(a1.latitude), khet_1008)
    assert inside(float(c1.longitude), float(c1.latitude), khet_1009)
    assert a1.latitude == a1.latitude.quantize(Decimal("0.000001"))
    real = Household.objects.get(pk=city["a2"].pk)
    assert real.latitude is None and real.longitude is None
    assert "2 households in 2 communities" in capsys.readouterr().out
    again = Household.objects.get(pk=city["a1"].pk)
    call_command("demo-coordinates", "--seed", "7")
    assert Household.objects.get(pk=city["a1"].pk).latitude == again.latitude
