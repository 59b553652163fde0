import pytest
from django.urls import reverse

from ppaos.tests_security.test_scope_by_url import CASES

pytestmark = pytest.mark.django_db
NAMES = sorted(n for n in CASES if n.split(":")[0] in ("referrals", "assessment"))
INSIDERS = {"referrals:act": "coordinator", "referrals:plan_change": "volunteer_c"}


@pytest.mark.parametrize("name", NAMES)
def test_positive_control(name, city, client, request, coordinator, volunteer_c):
    for kwargs, _users in CASES[name]:
        url = reverse(name, kwargs=kwargs(city))
        client.force_login(coordinator)
        g = client.get(url).status_code
        client.force_login(volunteer_c)
        v = client.get(url).status_code
        print(name, url, "coord", g, "vol_c", v)
