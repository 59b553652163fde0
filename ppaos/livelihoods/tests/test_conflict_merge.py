"""A stale save of an enrolment or income record merges, never reverts (issue 15)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ppaos.lib.testing_forms import form_on
from ppaos.livelihoods import services
from ppaos.livelihoods.models import Enrolment, IncomeRecord
from ppaos.livelihoods.tests.factories import head, programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(households, communities, coordinator):
    p = programme(coordinator, [communities["A"]])
    e = services.enrolment_create(
        actor=coordinator, programme=p, person=head(households["A"]), start_date=dt.date(2025, 7, 1)
    )
    return p, e


def test_enrolment_stale_save_keeps_the_other_stage_change(enrolled, login, district_officer):
    p, e = enrolled
    client = login(district_officer)
    url = reverse("livelihoods:enrolment_edit", args=[e.pk])
    data = form_on(client.get(url))
    marketing = p.stages.get(position=3)
    services.enrolment_update(  # someone else moves the member to another stage
        actor=district_officer,
        enrolment=Enrolment.objects.get(pk=e.pk),
        expected_version=e.version,
        stage=marketing,
        status="active",
        end_date=None,
    )
    warned = client.post(url, data | {"status": "left", "end_date": "31/12/2568"})
    assert warned.status_code == 200 and not warned.context["form"].merge_conflicts
    resent = form_on(warned)
    assert resent["stage"] == str(marketing.pk) and resent["status"] == "left"
    assert client.post(url, resent).status_code == 302
    e.refresh_from_db()
    assert (e.stage, e.status, e.end_date) == (marketing, "left", dt.date(2025, 12, 31))


def test_income_stale_save_offers_both_values(enrolled, login, coordinator):
    _p, e = enrolled
    record = services.income_record(
        actor=coordinator,
        enrolment=e,
        data={"round_name": "2568-2", "monthly_income": "5200", "source": "programme"},
    )
    client = login(coordinator)
    url = reverse("livelihoods:income_edit", args=[record.pk])
    data = form_on(client.get(url))
    services.income_update(
        actor=coordinator,
        record=IncomeRecord.objects.get(pk=record.pk),
        expected_version=record.version,
        data={"monthly_income": "6000", "source": "wages"},
    )
    warned = client.post(url, data | {"monthly_income": "7000"})
    [conflict] = warned.context["form"].merge_conflicts
    assert conflict["name"] == "monthly_income"
    resent = form_on(warned)
    assert resent["source"] == "wages"  # only the other person changed it
    assert client.post(url, resent | {"choose_monthly_income": "theirs"}).status_code == 302
    record.refresh_from_db()
    assert (record.monthly_income, record.source) == (Decimal("6000.00"), "wages")
