"""Referral cases: the state machine, consent, SLA due dates, overdue, transfer, timeline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ppaos.audit.models import AuditEvent
from ppaos.referrals import selectors, services
from ppaos.referrals.models import Benefit, ReferralEvent, Status
from ppaos.referrals.tests.conftest import ON, at
from ppaos.registry.services import StaleEditError


@pytest.mark.django_db
def test_draft_keeps_the_reason_and_expected_amount(referral, agency_org):
    assert referral.status == Status.DRAFT
    assert referral.organisation == agency_org
    assert referral.reason == "age 67 ≥ 60, Thai nationality, not receiving"
    assert referral.expected_amount == Decimal(600)
    assert referral.due_on is None
    assert AuditEvent.objects.filter(object_type="referrals.referral", action="create").exists()


@pytest.mark.django_db
def test_send_needs_consent_or_a_justified_override(referral, district_officer):
    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=district_officer, referral=referral, consent_given=False)
    assert "consent_given" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.referral_send(
            actor=district_officer, referral=referral, consent_given=True, consent_by=" "
        )
    assert "consent_by" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    sent = services.referral_send(
        actor=district_officer,
        referral=referral,
        consent_given=False,
        override_reason="Bedridden, cannot sign; vital interest (PDPA s.24)",
        at=at(),
    )
    assert sent.status == Status.SENT
    assert sent.consent_override_reason.startswith("Bedridden")
    override = sent.events.get(kind=ReferralEvent.Kind.CONSENT_OVERRIDE)
    assert override.text.startswith("Bedridden") and override.actor == district_officer


@pytest.mark.django_db
def test_due_date_follows_the_service_sla(sent):
    assert sent.sent_at == at()
    assert sent.due_on == ON + dt.timedelta(days=30)
    assert sent.version == 2


@pytest.mark.django_db
def test_the_happy_path_to_completed_creates_the_benefit(sent, agency_officer, elder):
    accepted = services.referral_accept(actor=agency_officer, referral=sent, at=at(ON, 10))
    started = services.referral_start(actor=agency_officer, referral=accepted, at=at(ON, 11))
    done = services.referral_complete(
        actor=agency_officer,
        referral=started,
        outcome="Registered; paid from next month",
        enrolled=True,
        benefit_amount=Decimal(600),
        benefit_from=dt.date(2026, 2, 1),
        at=at(ON, 12),
    )
    assert done.status == Status.COMPLETED
    benefit = Benefit.objects.get(person=elder)
    assert (benefit.since, benefit.amount, benefit.source, benefit.referral) == (
        dt.date(2026, 2, 1),
        Decimal(600),
        "referral",
        done,
    )
    kinds = list(done.events.values_list("kind", flat=True))
    assert kinds == ["created", "sent", "accepted", "started", "completed"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action, kwargs",
    [
        ("referral_accept", {}),
        ("referral_start", {}),
        ("referral_complete", {"outcome": "done"}),
        ("referral_reject", {"reason": "no"}),
        ("referral_transfer", {"reason": "elsewhere"}),
    ],
)
def test_invalid_transitions_from_draft_are_refused(
    referral, agency_officer, other_org, action, kwargs
):
    if action == "referral_transfer":
        kwargs["organisation"] = other_org
    with pytest.raises(ValidationError) as error:
        getattr(services, action)(actor=agency_officer, referral=referral, **kwargs)
    assert "draft" in error.value.messages[0]
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (Status.DRAFT, 1)


@pytest.mark.django_db
def test_more_invalid_transitions(sent, agency_officer, district_officer):
    with pytest.raises(ValidationError):
        services.referral_send(actor=district_officer, referral=sent)  # twice
    with pytest.raises(ValidationError):
        services.referral_start(actor=agency_officer, referral=sent)  # not accepted yet
    with pytest.raises(ValidationError):
        services.referral_complete(actor=agency_officer, referral=sent, outcome="x")
    closed = services.referral_close(actor=district_officer, referral=sent, reason="Moved away")
    for action, kwargs in [("referral_accept", {}), ("referral_close", {"reason": "again"})]:
        with pytest.raises(ValidationError):
            getattr(services, action)(actor=agency_officer, referral=closed, **kwargs)


@pytest.mark.django_db
def test_reject_needs_a_reason(sent, agency_officer):
    with pytest.raises(ValidationError) as error:
        services.referral_reject(actor=agency_officer, referral=sent, reason="  ")
    assert "reason" in error.value.message_dict
    sent.refresh_from_db()
    assert sent.status == Status.SENT
    rejected = services.referral_reject(
        actor=agency_officer, referral=sent, reason="Already registered elsewhere"
    )
    assert rejected.status == Status.REJECTED
    assert rejected.rejection_reason == "Already registered elsewhere"
    assert rejected.events.last().text == "Already registered elsewhere"


@pytest.mark.django_db
def test_complete_needs_an_outcome(sent, agency_officer):
    services.referral_accept(actor=agency_officer, referral=sent)
    with pytest.raises(ValidationError) as error:
        services.referral_complete(actor=agency_officer, referral=sent, outcome="")
    assert "outcome" in error.value.message_dict


@pytest.mark.django_db
def test_a_stale_change_is_refused(sent, agency_officer):
    stale_version = sent.version
    services.referral_accept(actor=agency_officer, referral=sent, expected_version=stale_version)
    sent.status = Status.SENT  # the page still shows "sent"
    with pytest.raises(StaleEditError):
        services.referral_reject(
            actor=agency_officer, referral=sent, reason="x", expected_version=stale_version
        )
    sent.refresh_from_db()
    assert sent.status == Status.ACCEPTED


@pytest.mark.django_db
def test_one_open_referral_per_person_and_service(referral, district_officer, households, elder):
    with pytest.raises(ValidationError):
        services.referral_create(
            actor=district_officer,
            household=households["A"],
            person=elder,
            service=referral.service,
        )
    with pytest.raises(ValidationError):  # not a member of household B
        services.referral_create(
            actor=district_officer,
            household=households["B"],
            person=elder,
            service=referral.service,
        )


@pytest.mark.django_db
def test_overdue_after_the_due_date_only_while_open(sent, agency_officer):
    due = sent.due_on
    assert list(selectors.overdue_all(today=due)) == []
    assert list(selectors.overdue_all(today=due + dt.timedelta(days=1))) == [sent]
    assert sent.is_overdue(due + dt.timedelta(days=1))
    services.referral_accept(actor=agency_officer, referral=sent)
    assert list(selectors.overdue_all(today=due + dt.timedelta(days=1))) == [sent]
    services.referral_complete(actor=agency_officer, referral=sent, outcome="done")
    assert list(selectors.overdue_all(today=due + dt.timedelta(days=1))) == []


@pytest.mark.django_db
def test_transfer_moves_the_case_and_restarts_the_clock(
    sent, agency_officer, other_org, district_officer
):
    services.referral_reject(actor=agency_officer, referral=sent, reason="Not our programme")
    later = at(ON + dt.timedelta(days=5))
    moved = services.referral_transfer(
        actor=district_officer,
        referral=sent,
        organisation=other_org,
        reason="Their programme",
        at=later,
    )
    assert moved.status == Status.SENT
    assert moved.organisation == other_org
    assert moved.due_on == ON + dt.timedelta(days=35)
    assert moved.rejection_reason == ""
    event = moved.events.get(kind=ReferralEvent.Kind.TRANSFERRED)
    assert event.text == "หน่วยงานทดสอบ → หน่วยงานอื่น: Their programme"
    assert list(selectors.agency_inbox(user=agency_officer)) == []
    with pytest.raises(ValidationError):
        services.referral_transfer(
            actor=district_officer, referral=moved, organisation=other_org, reason="again"
        )


@pytest.mark.django_db
def test_comments_join_the_timeline(sent, agency_officer, district_officer):
    services.referral_comment(
        actor=agency_officer, referral=sent, text="Please bring the bank book"
    )
    services.referral_comment(actor=district_officer, referral=sent, text="Will do")
    with pytest.raises(ValidationError):
        services.referral_comment(actor=district_officer, referral=sent, text=" ")
    comments = sent.events.filter(kind="comment")
    assert [c.text for c in comments] == ["Please bring the bank book", "Will do"]
