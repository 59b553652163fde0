"""`ppaos demo-community`: this fiscal year's fund for every demo community, deterministic,
within budget, flagged synthetic, replaced on a re-run, real funds untouched; in Bangkok's
procurement mode every step of the flow is taken, each by its own side, and no cash moves; in
a province set to the cash ledger, expenditures with receipts."""

import pytest
from django.core.management import call_command

from ppaos.accounts.models import User
from ppaos.accounts.services import demo_users_create
from ppaos.areas.models import Community, Province
from ppaos.community import procurement
from ppaos.community.models import (
    Expenditure,
    FundYear,
    Procurement,
    ProcurementEvent,
    Proposal,
    ProposalStatus,
)
from ppaos.community.programme import FundMode
from ppaos.community.selectors import acts_for_community, acts_for_district, fund_ledger
from ppaos.demo.registry import demo_load

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(FundYear.objects.values_list("community__code", "year_be", "budget", "is_demo")),
        sorted(Expenditure.objects.values_list("proposal__title", "amount", "spent_on")),
        sorted(
            Procurement.objects.values_list("proposal__title", "status", "amount", "procured_on")
        ),
    )


def test_demo_takes_every_step_of_district_procurement(
    geography, communities, district_officer, capsys
):
    demo_load(seed=2566, households=120)
    demo_users_create()
    real = FundYear.objects.create(
        community=communities["A"], year_be=2569, budget=1000, created_by=district_officer
    )
    call_command("demo-community", "--seed", "7")
    first = _snapshot()
    assert "requests to the district office" in capsys.readouterr().out
    assert set(FundYear.objects.filter(is_demo=True).values_list("mode", flat=True)) == {
        FundMode.PROCUREMENT
    }
    assert not Expenditure.objects.exists()  # no cash in Bangkok
    # Every step, each by its own side: one confirmed, one delivered, one waiting to be bought.
    assert sorted(Procurement.objects.values_list("status", flat=True)) == [
        "delivered",
        "received",
        "requested",
    ]
    for event in ProcurementEvent.objects.select_related("procurement__proposal__fund_year"):
        community = event.procurement.proposal.fund_year.community
        side = acts_for_community if event.kind in ("requested", "received") else acts_for_district
        assert side(user=event.actor, community=community), event
    assert all(p.is_demo for p in Procurement.objects.all())
    for year in FundYear.objects.filter(is_demo=True):
        ledger = fund_ledger(fund_year=year)
        assert 0 <= ledger.delivered <= ledger.spent <= ledger.approved <= ledger.budget
    call_command("demo-community", "--seed", "7")
    assert _snapshot() == first
    assert FundYear.objects.filter(pk=real.pk).exists()


def test_demo_community_funds_as_cash_ledgers(geography, communities, district_officer, capsys):
    demo_load(seed=2566, households=120)
    demo_users_create()
    procurement.fund_rule_set(
        actor=User.objects.get(username="coordinator"),
        province=Province.objects.get(code="10"),
        mode=FundMode.CASH,
    )
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
