"""Report numbers, hand-computed: statuses, agencies, services, districts, durations, coverage."""

import datetime as dt

import pytest

from ppaos.referrals import selectors, services
from ppaos.referrals.models import Service
from ppaos.referrals.tests.conftest import ON, at


@pytest.fixture
def history(households, elder, old_age, other_org, district_officer, coordinator, agency_officer):
    """R1 (A, elder): sent ON, accepted +2 days, completed +5 with a benefit.
    R2 (B head): sent ON, accepted +4, still open. R3 (C head, khet 1009): sent 40 days
    before ON, never answered: overdue. R4 (A head): sent ON, rejected +1 day.
    A draft (B head, another service) is not counted."""
    head = {k: h.memberships.get(relation="head").person for k, h in households.items()}

    def send(household, person, days_before=0):
        referral = services.referral_create(
            actor=coordinator, household=household, person=person, service=old_age
        )
        day = ON - dt.timedelta(days=days_before)
        return services.referral_send(
            actor=coordinator, referral=referral, consent_by="x", consent_given=True, at=at(day)
        )

    r1 = send(households["A"], elder)
    services.referral_accept(actor=agency_officer, referral=r1, at=at(ON + dt.timedelta(days=2)))
    services.referral_complete(
        actor=agency_officer,
        referral=r1,
        outcome="ok",
        enrolled=True,
        at=at(ON + dt.timedelta(days=5)),
    )
    r2 = send(households["B"], head["B"])
    services.referral_accept(actor=agency_officer, referral=r2, at=at(ON + dt.timedelta(days=4)))
    send(households["C"], head["C"], days_before=40)
    r4 = send(households["A"], head["A"])
    services.referral_reject(
        actor=agency_officer, referral=r4, reason="no", at=at(ON + dt.timedelta(days=1))
    )
    skills = Service.objects.create(
        code="skills", name_th="ฝึกอาชีพ", category="development", provider=other_org
    )
    services.referral_create(
        actor=coordinator, household=households["B"], person=head["B"], service=skills
    )


@pytest.mark.django_db
def test_report_numbers(history, coordinator, old_age, agency_org):
    report = selectors.referral_report(
        referrals=selectors.referrals_reportable(user=coordinator), today=ON
    )
    total = report.total
    assert total.total == 4
    assert dict(total.statuses) == {"completed": 1, "accepted": 1, "sent": 1, "rejected": 1}
    assert (total.open, total.overdue) == (2, 1)
    assert (total.median_accept, total.mean_accept) == (3.0, 3.0)  # 2 and 4 days
    assert total.median_complete == 5.0
    assert (report.people_enrolled, report.coverage) == (1, [(old_age, 1)])
    assert [(r.key, r.total, r.overdue) for r in report.by_district] == [
        ("1008", 3, 0),
        ("1009", 1, 1),
    ]
    assert [(r.label, r.total, r.enrolled) for r in report.by_agency] == [
        (agency_org.name_th, 4, 1)
    ]
    assert [(r.key, r.total) for r in report.by_service] == [(str(old_age.pk), 4)]
    since = selectors.referral_report(
        referrals=selectors.referrals_reportable(user=coordinator), date_from=ON, today=ON
    )
    assert since.total.total == 3  # R3 was sent before the period


@pytest.mark.django_db
def test_report_scope(history, district_officer, agency_officer, researcher, volunteer_a, login):
    def total(user):
        return selectors.referral_report(
            referrals=selectors.referrals_reportable(user=user), today=ON
        ).total.total

    assert total(district_officer) == 3  # khet 1008 only
    assert total(agency_officer) == 4  # everything addressed to the agency
    assert total(researcher) == 4  # counts, no names
    page = login(district_officer).get("/referrals/reports/")
    assert 'id="total-referrals">3<' in page.text
    assert 'id="people-enrolled">1<' in page.text
    assert login(researcher).get("/referrals/reports/").status_code == 200
    assert login(volunteer_a).get("/referrals/reports/").status_code == 200  # own communities
