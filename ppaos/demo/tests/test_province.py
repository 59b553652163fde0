from io import StringIO

import pytest
from django.core.management import call_command

from ppaos.accounts.models import User
from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.demo.province import demo_province_load
from ppaos.referrals.models import LocalProvider, Referral, Status
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db


def test_demo_province_routes_referrals_to_local_governments(geography, settings):
    settings.PROVINCES = ["10", "75"]
    summary = demo_province_load(seed=2566, households=40)
    assert (summary.local_governments, summary.villages, summary.households) == (6, 10, 40)
    households = Household.objects.filter(subdistrict__code__startswith="75")
    assert households.count() == 40 and households.filter(moo="").count() < 40
    referrals = Referral.objects.filter(household__in=households)
    assert referrals.count() == summary.referrals > 0
    functions = set(referrals.values_list("organisation__local_provider__function", flat=True))
    assert functions == {"office", "health_fund"}
    diapers = referrals.filter(service__code="adult_diapers")
    assert set(diapers.values_list("organisation__local_provider__function", flat=True)) == {
        "health_fund"
    }
    accepted = referrals.filter(status=Status.ACCEPTED).first()
    assert accepted is not None
    acceptor = accepted.events.get(to_status=Status.ACCEPTED).actor
    assert acceptor.role_assignments.get().organisation == accepted.organisation
    assert scope_for(User.objects.get(username="coordinator75")).provinces(VIEW_PEOPLE) == {"75"}

    again = demo_province_load(seed=2566, households=40)
    assert again.households == 40 and households.count() == 40
    assert referrals.count() == again.referrals
    assert LocalProvider.objects.count() == 10


def test_demo_province_command_reports_what_it_made(geography):
    out = StringIO()
    call_command("demo-province", "--seed", "7", "--households", "20", stdout=out)
    text = out.getvalue()
    assert "Demo province 75: 6 อปท., 10 villages, 20 households" in text
    assert "coordinator75" in text and "fund6750102" in text
