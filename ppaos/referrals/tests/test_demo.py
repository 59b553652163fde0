"""The demo, end to end on the pilot's synthetic data (the issue's "done means")."""

import pytest
from django.core import mail

from ppaos.accounts.models import User
from ppaos.accounts.services import demo_users_create
from ppaos.demo.referrals import demo_referrals_load
from ppaos.demo.registry import demo_load
from ppaos.referrals import selectors, services
from ppaos.referrals.models import Benefit, HouseholdPlan, Referral, Service, Status
from ppaos.registry.models import Household


def client_sees_overdue(client, referral) -> bool:
    home = client.get("/").text
    return referral.number in home and 'id="inbox-overdue">1<' in home


@pytest.mark.django_db
def test_demo_referrals_journey(geography, login):
    demo_load(seed=2566)
    demo_users_create()
    summary = demo_referrals_load(seed=2566)
    assert summary.referrals >= 8 and summary.plans == 2
    # An overdue referral for every provider of the catalogue (each agency, the district office).
    providers = {
        services.receiving_organisation(
            service=s,
            household=Household.objects.filter(
                is_demo=True, subdistrict__district_id="1008"
            ).first(),
        ).pk
        for s in Service.objects.filter(is_active=True)
    }
    overdue = selectors.overdue_all().filter(is_demo=True)
    assert summary.overdue == overdue.count() >= len(providers) >= 2
    assert providers <= set(overdue.values_list("organisation_id", flat=True))
    assert not mail.outbox  # history is replayed without e-mail
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"draft", "sent", "accepted", "in_progress", "rejected", "completed"} <= statuses

    officer = User.objects.get(username="district1008")
    agency = User.objects.get(username="agency")
    agency_org = agency.role_assignments.get(role="agency_officer").organisation_id
    # An overdue referral is flagged, and its officers notified, once.
    (late,) = [r for r in selectors.overdue_for(user=officer) if r.organisation_id == agency_org]
    assert late.events.filter(kind="overdue").count() == 1
    assert late.notifications.filter(kind="overdue", recipient=agency).exists()
    assert services.referrals_notify_overdue()["flagged"] == 0
    assert client_sees_overdue(login(agency), late)
    # The district officer sees who is eligible but excluded for the agency's relief grant...
    client = login(officer)
    page = client.get("/referrals/eligibility/?service=family_relief_grant")
    assert page.status_code == 200
    report = selectors.exclusion_report(
        households=selectors.households_in_area(code="1008"), service_code="family_relief_grant"
    )
    candidate = next(e for e in report.rows if e.open_referral is None)
    assert candidate.person.full_name in page.text
    # ...refers one, the agency accepts and completes with a benefit.
    referral = services.referral_create(
        actor=officer,
        household=candidate.household,
        person=candidate.person,
        service=candidate.service,
        consent_given=True,
        consent_by=candidate.person.full_name,
    )
    services.referral_send(actor=officer, referral=referral)
    assert referral in selectors.agency_inbox(user=agency)
    enrolled_before = selectors.referral_report(
        referrals=selectors.referrals_reportable(user=officer)
    ).people_enrolled
    services.referral_accept(actor=agency, referral=referral)
    services.referral_complete(actor=agency, referral=referral, outcome="ok", enrolled=True)
    assert referral.status == Status.COMPLETED
    assert Benefit.objects.filter(referral=referral).exists()
    # The reports and the excluded list update.
    after = selectors.referral_report(referrals=selectors.referrals_reportable(user=officer))
    assert after.people_enrolled == enrolled_before + 1
    again = selectors.exclusion_report(
        households=selectors.households_in_area(code="1008"), service_code="family_relief_grant"
    )
    assert candidate.person not in [e.person for e in again.rows]
    # A household plan shows its referral's outcome.
    plan = HouseholdPlan.objects.filter(is_demo=True).first()
    plan_page = client.get(f"/referrals/households/{plan.household_id}/")
    assert plan_page.status_code == 200 and 'id="plan-interventions"' in plan_page.text
    # Re-running the demo replaces its own rows.
    demo_referrals_load(seed=2566)
    assert Referral.objects.filter(is_demo=True).count() == summary.referrals
