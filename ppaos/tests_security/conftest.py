"""Fixtures for the cross-cutting security suite: a small city with objects in and out of each
persona's scope (communities A and B in khet 1008, C in khet 1009)."""

import datetime as dt

import pytest

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.areas.models import District
from ppaos.conftest import PASSWORD
from ppaos.privacy import services as privacy
from ppaos.registry.id_crypto import lookup_hash
from ppaos.targeting.models import Job, LinkCandidate, LinkStatus, TargetList, TargetRecord, Visit
from ppaos.targeting.services import campaign_assign, campaign_open


@pytest.fixture
def coordinator_1009(geography):
    user = user_create(username="coord1009", password=PASSWORD)
    role_assign(user=user, role=Role.COORDINATOR, district=District.objects.get(code="1009"))
    return user


@pytest.fixture
def volunteer_c(communities):
    user = user_create(username="vol_c", password=PASSWORD)
    role_assign(user=user, role=Role.VOLUNTEER, community=communities["C"])
    return user


def head(household):
    return household.memberships.get(relation="head").person


@pytest.fixture
def city(households, coordinator, volunteer_a, volunteer_c, communities):
    """Every kind of object a page takes an id of, with its owner community noted."""
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    records = {}
    for key in ("A", "B", "C"):
        person = head(households[key])
        records[key] = TargetRecord.objects.create(
            target_list=listed,
            record_key=lookup_hash(person.national_id),
            line_no=2,
            national_id=person.national_id,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            subdistrict_code=households[key].subdistrict_id,
            link_status=LinkStatus.REVIEW if key == "C" else LinkStatus.AUTO,
            person=None if key == "C" else person,
        )
    candidate_c = LinkCandidate.objects.create(
        record=records["C"], person=head(households["C"]), probability=0.7
    )
    campaign_a = campaign_open(actor=coordinator, name="รอบ A", target_list=listed)
    campaign_assign(campaign=campaign_a, community=communities["A"], volunteer=volunteer_a)
    campaign_c = campaign_open(actor=coordinator, name="รอบ C", target_list=listed)
    campaign_assign(campaign=campaign_c, community=communities["C"], volunteer=volunteer_c)
    visit_c = Visit.objects.create(
        campaign=campaign_c,
        household=households["C"],
        volunteer=volunteer_c,
        visited_on=dt.date(2026, 1, 10),
        outcome="confirmed_poor",
        status=Visit.Status.CONFLICT,
    )
    job = Job.objects.create(kind=Job.Kind.IMPORT, created_by=coordinator)
    person_a = head(households["A"])
    consent_a = privacy.consent_record(
        actor=coordinator, person=person_a, purpose="registry", lawful_basis="public_task"
    )
    request_a = privacy.request_open(actor=coordinator, person=person_a, kind="access")
    hold_a = privacy.hold_place(actor=coordinator, person=person_a, reason="ตรวจสอบ")
    return {
        "households": households,
        "communities": communities,
        "people": {key: head(households[key]) for key in households},
        "target_list": listed,
        "records": records,
        "candidate_c": candidate_c,
        "campaign_a": campaign_a,
        "campaign_c": campaign_c,
        "visit_c": visit_c,
        "job": job,
        "consent_a": consent_a,
        "request_a": request_a,
        "hold_a": hold_a,
    }
