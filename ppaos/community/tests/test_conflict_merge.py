"""A stale save of a fund's budget or a province's fund rule merges, never reverts (issue 15)."""

from decimal import Decimal

import pytest

from ppaos.areas.models import Province
from ppaos.community import procurement, services
from ppaos.community.models import FundProvinceRule, FundYear
from ppaos.community.programme import FundMode
from ppaos.lib.testing_forms import form_on

pytestmark = pytest.mark.django_db


def test_budget_changed_by_both_is_offered_and_mine_is_applied(fund_year, login, district_officer):
    client = login(district_officer)
    url = f"/community/fund/years/{fund_year.pk}/"
    data = form_on(client.get(url), "budget")
    services.fund_year_set_budget(
        actor=district_officer,
        fund_year=FundYear.objects.get(pk=fund_year.pk),
        expected_version=fund_year.version,
        budget=Decimal("210000"),
    )
    warned = client.post(url, data | {"budget": "220000"})
    [conflict] = warned.context["budget_form"].merge_conflicts
    assert conflict["name"] == "budget"
    resent = form_on(warned, "budget")
    assert client.post(url, resent | {"choose_budget": "mine"}).status_code == 302
    assert FundYear.objects.get(pk=fund_year.pk).budget == Decimal("220000.00")


def test_fund_rule_stale_save_keeps_the_other_source(cash_ledger, login, coordinator):
    client = login(coordinator)
    url = "/community/fund/rules/10/"
    data = form_on(client.get(url), "mode")
    procurement.fund_rule_set(
        actor=coordinator,
        province=Province.objects.get(code="10"),
        mode=FundMode.CASH,
        source="ระเบียบ กทม. 2568",
        expected_version=cash_ledger.version,
    )
    warned = client.post(url, data | {"mode": FundMode.PROCUREMENT})
    assert warned.status_code == 200 and not warned.context["form"].merge_conflicts
    resent = form_on(warned, "mode")
    assert resent["source"] == "ระเบียบ กทม. 2568"
    assert client.post(url, resent).status_code == 302
    row = FundProvinceRule.objects.get(pk=cash_ledger.pk)
    assert (row.mode, row.source) == (FundMode.PROCUREMENT, "ระเบียบ กทม. 2568")
