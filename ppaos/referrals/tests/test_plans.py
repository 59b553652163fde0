"""Household development plans: problems → interventions → referrals → visits → exit check."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ppaos.referrals import services
from ppaos.referrals.models import HouseholdPlan, PlanIntervention, Status
from ppaos.referrals.tests.conftest import ON, at


@pytest.fixture
def plan(households, district_officer):
    return services.plan_open(
        actor=district_officer,
        household=households["A"],
        responsible=district_officer,
        goal="Out of poverty in a year",
    )


@pytest.mark.django_db
def test_plan_follows_its_referrals_to_the_exit(
    plan, households, elder, old_age, district_officer, agency_officer
):
    with pytest.raises(ValidationError):  # one open plan per household
        services.plan_open(
            actor=district_officer, household=households["A"], responsible=district_officer
        )
    problem = services.plan_problem_add(actor=district_officer, plan=plan, code="income")
    step = services.plan_intervention_add(
        actor=district_officer,
        plan=plan,
        problem=problem,
        service=old_age,
        person=elder,
        description="Register the old-age allowance",
        responsible_name="Khet office",
    )
    checklist = {c["code"]: c["passed"] for c in services.plan_exit_checklist(plan=plan, on=ON)}
    assert checklist == {
        "interventions": False,
        "referrals": True,
        "visits": False,
        "income": False,
    }
    with pytest.raises(ValidationError) as error:
        services.plan_exit_check(actor=district_officer, plan=plan, exit=True, on=ON)
    assert "cannot exit yet" in error.value.messages[0]

    referral = services.referral_create(
        actor=district_officer,
        household=households["A"],
        person=elder,
        service=old_age,
        intervention=step,
        consent_given=True,
        consent_by="นางบุญมา",
        at=at(),
    )
    step.refresh_from_db()
    assert step.status == PlanIntervention.Status.REFERRED
    services.referral_send(actor=district_officer, referral=referral, at=at())
    assert not services.plan_exit_checklist(plan=plan, on=ON)[1]["passed"]  # referral open
    services.referral_accept(actor=agency_officer, referral=referral)
    services.referral_complete(actor=agency_officer, referral=referral, outcome="ok", enrolled=True)
    step.refresh_from_db()
    assert step.status == PlanIntervention.Status.DONE
    services.plan_visit_record(
        actor=district_officer, plan=plan, visited_on=ON, progress="better", notes="Paid"
    )
    head = households["A"].memberships.get(relation="head").person
    head.monthly_income = Decimal(4000)  # (4,000 + 0) / 2 members × 12 = 24,000 < 38,000
    head.save()
    assert services.plan_exit_checklist(plan=plan, on=ON)[3]["passed"] is False
    head.monthly_income = Decimal(7000)  # 42,000 a year per person
    head.save()
    assert all(c["passed"] for c in services.plan_exit_checklist(plan=plan, on=ON))
    services.plan_exit_check(actor=district_officer, plan=plan, exit=True, notes="Stable", on=ON)
    plan.refresh_from_db()
    assert plan.status == HouseholdPlan.Status.EXITED
    assert plan.exit_checked_on == ON
    assert referral.status == Status.COMPLETED
    # The history stays; a new plan can be opened later.
    services.plan_open(
        actor=district_officer, household=households["A"], responsible=district_officer
    )


@pytest.mark.django_db
def test_plan_pages(plan, households, login, volunteer_a, leader_a, district_officer):
    url = f"/referrals/plans/{plan.pk}/"
    volunteer = login(volunteer_a)  # volunteers of the community follow plans up
    response = volunteer.post(url + "problem/", {"code": "debt", "description": "Loan shark"})
    assert response.status_code == 302
    assert plan.problems.get().description == "Loan shark"
    bad = volunteer.post(url + "intervention/", {"description": ""})
    assert bad.status_code == 400
    response = volunteer.post(
        url + "visit/", {"visited_on": "15/01/2569", "progress": "same", "notes": "Nobody home"}
    )
    assert response.status_code == 302
    assert plan.visits.get().visited_on == dt.date(2026, 1, 15)
    page = volunteer.get(f"/referrals/households/{households['A'].pk}/")
    assert "Loan shark" in page.text and 'id="exit-check"' in page.text
    assert login(leader_a).post(url + "problem/", {"code": "debt"}).status_code == 404
    officer = login(district_officer)
    assert officer.post(f"/referrals/plans/{plan.pk}/nonsense/", {}).status_code == 404
