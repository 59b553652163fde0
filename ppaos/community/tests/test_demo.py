"""`ppaos demo-community`: funds for every demo community, deterministic, within budget,
flagged synthetic, replaced on a re-run, real funds untouched."""

import pytest
from django.core.management import call_command

from ppaos.accounts.services import demo_users_create
from ppaos.areas.models import Community
from ppaos.community.models import Expenditure, FundYear, Proposal, ProposalStatus
from ppaos.community.selectors import fund_ledger
from ppaos.registry.demo import demo_load

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(
        FundYear.objects.values_list("community__code", "year_be", "budget", "is_demo")
    ), sorted(Expenditure.objects.values_list("proposal__title", "amount", "spent_on"))


def test_demo_community_funds(geography, communities, district_officer, capsys):
    demo_load(seed=2566, households=120)
    demo_users_create()
    real = FundYear.objects.create(
        community=communities["A"], year_be=2569, budget=1000, created_by=district_officer
    )
    call_command("demo-community", "--seed", "7")
    first = _snapshot()
    assert "fund years" in capsys.readouterr().out
    demo_communities = Community.objects.filter(is_demo=True)
    assert FundYear.objects.filter(is_demo=True).count() == demo_communities.count()
    assert not FundYear.objects.filter(is_demo=False).exclude(pk=real.pk).exists()
    assert Expenditure.objects.exists() and not Expenditure.objects.filter(is_demo=False).exists()
    for year in FundYear.objects.filter(is_demo=True):
        ledger = fund_ledger(fund_year=year)
        assert 0 <= ledger.spent <= ledger.approved <= ledger.budget
        assert all(line.left >= 0 for line in ledger.proposals)
    # The leader's community has one proposal left for the community to decide.
    assert Proposal.objects.filter(
        status=ProposalStatus.PROPOSED,
        fund_year__community__roleassignment__role="community_leader",
    ).exists()
    assert all(e.receipt for e in Expenditure.objects.all())
    call_command("demo-community", "--seed", "7")
    assert _snapshot() == first
    assert FundYear.objects.filter(pk=real.pk).exists()
