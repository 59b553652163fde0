"""The engine on the registry: facts, rule versions, household services, the excluded."""

import datetime as dt
from decimal import Decimal

import pytest

from ppaos.conftest import make_person
from ppaos.referrals import services
from ppaos.referrals.eligibility import evaluate_for_household, scan
from ppaos.referrals.models import Benefit, Level, Service, ServiceRule
from ppaos.referrals.selectors import exclusion_report, households_in_area
from ppaos.referrals.tests.conftest import ON
from ppaos.registry.models import Household, Person
from ppaos.registry.services import person_add_to_household


def results(household, code, on=ON):
    return [e for e in evaluate_for_household(household=household, on=on) if e.service.code == code]


@pytest.mark.django_db
def test_old_age_allowance_reason_and_tier(households, elder, old_age):
    (head, parent) = sorted(
        results(households["A"], "old_age_allowance"), key=lambda e: e.person.pk
    )
    assert head.eligible is False
    assert head.reasons == "age 46 < 60"
    assert parent.eligible is True
    assert parent.summary == "age 67 ≥ 60, Thai nationality, not receiving"
    assert parent.amount == Decimal(600)
    assert parent.excluded


@pytest.mark.django_db
def test_a_benefit_makes_the_person_receiving(households, elder, old_age, coordinator):
    services.benefit_record(
        actor=coordinator, person=elder, service=old_age, since=dt.date(2025, 1, 1), source="manual"
    )
    (parent,) = [e for e in results(households["A"], "old_age_allowance") if e.person == elder]
    assert parent.receiving and not parent.excluded
    assert parent.summary.endswith(", receiving")
    # Before the benefit started, the same person was excluded.
    (before,) = [
        e
        for e in results(households["A"], "old_age_allowance", on=dt.date(2024, 12, 31))
        if e.person == elder
    ]
    assert before.excluded


@pytest.mark.django_db
def test_the_rule_in_force_on_the_day_applies(households, elder, old_age, coordinator):
    services.service_rule_add(
        actor=coordinator,
        service=old_age,
        effective_from=dt.date(2026, 1, 1),
        eligibility={"and": [{">=": [{"var": "age"}, 70]}, {"var": "thai"}]},
        amount=900,
        note="hypothetical new rule",
        is_confirmed=False,
    )
    (late,) = [e for e in results(households["A"], "old_age_allowance") if e.person == elder]
    assert late.eligible is False
    assert late.reasons == "age 67 < 70"
    (early,) = [
        e
        for e in results(households["A"], "old_age_allowance", on=dt.date(2025, 12, 31))
        if e.person == elder
    ]
    assert early.eligible is True and early.rule.effective_from == dt.date(2011, 10, 1)


@pytest.mark.django_db
def test_household_service_uses_income_per_person(households, elder, agency_org, coordinator):
    """Household A: head 9,000 baht a month, the elder 0 → 4,500 per person a month,
    54,000 a year: above a 38,000 line; with a third member earning nothing, 36,000: below."""
    service = Service.objects.create(
        code="relief",
        name_th="สงเคราะห์",
        category="relief",
        level=Level.HOUSEHOLD,
        provider=agency_org,
    )
    ServiceRule.objects.create(
        service=service,
        effective_from=dt.date(2024, 10, 1),
        eligibility={"<": [{"var": "household.income_per_person_year"}, 38000]},
    )
    head = households["A"].memberships.get(relation="head").person
    head.monthly_income = Decimal(9000)
    head.save()
    (result,) = results(households["A"], "relief")
    assert result.person == head  # household services are evaluated once, on the head
    assert (result.eligible, result.reasons) == (
        False,
        "household income per person a year 54,000 ≥ 38,000",
    )
    person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(12, birth_date=dt.date(2015, 5, 5)),
        relation="grandchild",
    )
    (result,) = results(households["A"], "relief")
    assert (result.eligible, result.reasons) == (
        True,
        "household income per person a year 36,000 < 38,000",
    )


@pytest.mark.django_db
def test_no_income_recorded_is_unknown(households, agency_org):
    service = Service.objects.create(
        code="relief",
        name_th="สงเคราะห์",
        category="relief",
        level=Level.HOUSEHOLD,
        provider=agency_org,
    )
    ServiceRule.objects.create(
        service=service,
        effective_from=dt.date(2024, 10, 1),
        eligibility={"<": [{"var": "household.income_per_person_year"}, 38000]},
    )
    (result,) = results(households["B"], "relief")
    assert result.eligible is None
    assert result.reasons == "household income per person a year not recorded"


@pytest.mark.django_db
def test_shipped_catalogue_loads_idempotently_and_evaluates(households, elder, coordinator):
    first = services.catalogue_load()
    assert first.services_created == 13 and first.rules_created == 15
    again = services.catalogue_load()
    assert (again.services_created, again.rules_created, again.rules_kept) == (0, 0, 15)
    old_age = Service.objects.get(code="old_age_allowance")
    assert old_age.provider_is_district_office and old_age.provider is None
    assert old_age.rule_on(ON).effective_from == dt.date(2023, 8, 12)
    assert old_age.rule_on(ON).is_confirmed is False  # policy in flux: data, flagged
    assert old_age.rule_on(dt.date(2020, 1, 1)).effective_from == dt.date(2011, 10, 1)
    diapers = Service.objects.get(code="adult_diapers")
    assert not diapers.provider_is_district_office
    assert diapers.provider.name_th.startswith("กองทุนหลักประกันสุขภาพ")

    def by_code():
        return {
            e.service.code: e
            for e in evaluate_for_household(household=households["A"], on=ON)
            if e.person == elder
        }

    unknown = by_code()
    # House register, pension and care home not recorded: unknown, never a silent yes or no.
    assert unknown["old_age_allowance"].eligible is None
    assert "on the house register of this district not recorded" in (
        unknown["old_age_allowance"].reasons
    )
    assert unknown["state_welfare_card"].eligible is None
    assert unknown["state_welfare_card"].reasons == (
        "financial assets not recorded, living in state care not recorded"
    )
    assert unknown["ucs_gold_card"].eligible is True
    assert unknown["id_card"].eligible is False
    assert unknown["disability_allowance"].reasons == "no disability card"
    Person.objects.filter(pk=elder.pk).update(
        house_register="here", state_pension=False, in_state_care=False, financial_assets=5000
    )
    known = by_code()
    assert known["old_age_allowance"].amount == Decimal(600)
    assert known["old_age_allowance"].reasons == (
        "Thai nationality, age 67 ≥ 60, on the house register of this district, "
        "no state pension or regular state payment, not in a state care home"
    )
    assert known["state_welfare_card"].summary == (
        "Thai nationality, age 67 ≥ 18, income a year 0 ≤ 100,000, "
        "household income per person a year 0 ≤ 100,000, financial assets 5,000 ≤ 100,000, "
        "not in a state care home, not receiving; "
        "apply only in an announced registration round; none is announced"
    )


@pytest.mark.django_db
def test_exclusion_report_counts_and_area(households, elder, old_age, coordinator):
    report = exclusion_report(households=households_in_area(code="1008"), on=ON)
    (count,) = report.counts
    assert (count.eligible, count.receiving, count.excluded) == (1, 0, 1)
    assert [e.person for e in report.rows] == [elder]
    assert exclusion_report(households=households_in_area(code="1009"), on=ON).rows == []
    community = households["A"].community.code
    assert len(exclusion_report(households=households_in_area(code=community), on=ON).rows) == 1
    # The batch walks the registry a chunk at a time.
    assert len(list(scan(households=Household.objects.all(), on=ON, chunk_size=1))) == 4
    Benefit.objects.create(person=elder, service=old_age, since=ON, source="manual")
    (count,) = exclusion_report(households=households_in_area(code="1008"), on=ON).counts
    assert (count.eligible, count.receiving, count.excluded) == (1, 1, 0)
