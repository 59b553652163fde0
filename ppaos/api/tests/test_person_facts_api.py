"""The eligibility facts over the API: written through the service (validated, locked,
audited), health facts hidden from readers who may not edit, nationality re-derived."""

import datetime as dt

import pytest

from ppaos.audit.models import Action, AuditEvent
from ppaos.registry import national_id
from ppaos.registry.models import Person

pytestmark = pytest.mark.django_db


def head(household) -> Person:
    return household.memberships.get(end_date__isnull=True).person


def test_facts_are_written_and_health_hidden_from_readers(api, volunteer_a, leader_a, households):
    person = head(households["A"])
    facts = {
        "house_register": "here",
        "adl_score": 4,
        "adl_assessed_on": "2025-02-01",
        "incontinent": True,
        "state_pension": False,
        "in_state_care": False,
        "financial_assets": "25000.00",
        "version": 1,
    }
    response = api(volunteer_a).patch(f"/api/people/{person.pk}/", facts, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["adl_score"], body["incontinent"], body["nationality"]) == (4, True, "thai")
    saved = Person.objects.get(pk=person.pk)
    assert (saved.adl_score, saved.adl_assessed_on) == (4, dt.date(2025, 2, 1))
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(person.pk))
    assert event.changes["adl_score"] == ["(sensitive)", "(sensitive)"]
    as_leader = api(leader_a).get(f"/api/people/{person.pk}/").json()
    assert as_leader["adl_score"] is None and as_leader["incontinent"] is None
    assert as_leader["house_register"] == "here"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"adl_score": 21, "adl_assessed_on": "2025-02-01"}, "adl_score"),
        ({"adl_score": -1, "adl_assessed_on": "2025-02-01"}, "adl_score"),
        ({"financial_assets": "-5"}, "financial_assets"),
        ({"nationality": "other"}, "nationality_reason"),
    ],
)
def test_bad_facts_are_a_400_naming_the_field(api, volunteer_a, households, change, field):
    person = head(households["A"])
    response = api(volunteer_a).patch(
        f"/api/people/{person.pk}/", change | {"version": 1}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Person.objects.get(pk=person.pk).version == 1


def test_nationality_follows_a_changed_id(api, volunteer_a, households):
    person = head(households["A"])
    new_id = national_id.make("610070099001")
    response = api(volunteer_a).patch(
        f"/api/people/{person.pk}/", {"national_id": new_id, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=person.pk).nationality == "other"
