"""A stale save of a household plan's responsible person and goal merges (issue 15)."""

import pytest

from ppaos.lib.testing_forms import form_on
from ppaos.referrals import services
from ppaos.referrals.models import HouseholdPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(households, district_officer):
    return services.plan_open(
        actor=district_officer,
        household=households["A"],
        responsible=district_officer,
        goal="Out of poverty in a year",
    )


@pytest.mark.parametrize("choice", ["theirs", "mine"])
def test_plan_goal_changed_by_both_is_offered_and_the_choice_saved(
    plan, households, login, district_officer, choice
):
    client = login(district_officer)
    page = client.get(f"/referrals/households/{households['A'].pk}/")
    data = form_on(page, "goal")
    assert data["version"] == str(plan.version)
    services.plan_update(
        actor=district_officer,
        plan=HouseholdPlan.objects.get(pk=plan.pk),
        expected_version=plan.version,
        responsible=district_officer,
        goal="Two incomes by March",
    )
    url = f"/referrals/plans/{plan.pk}/plan/"
    warned = client.post(url, data | {"goal": "A steady job"})
    [conflict] = warned.context["plan_form"].merge_conflicts
    assert (conflict["theirs"], conflict["mine"]) == ("Two incomes by March", "A steady job")
    resent = form_on(warned, "goal")
    assert client.post(url, resent | {"choose_goal": choice}).status_code == 302
    expected = "Two incomes by March" if choice == "theirs" else "A steady job"
    assert HouseholdPlan.objects.get(pk=plan.pk).goal == expected
