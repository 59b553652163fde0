"""Mass assignment: extra fields posted to the registry and privacy forms (version, is_demo,
code, community, created_by ...) never reach the database; only the form's own fields do."""

import pytest

from ppaos.privacy.models import ConsentRecord
from ppaos.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_household_edit_ignores_code_community_demo_flag_and_version(
    login, volunteer_a, coordinator, households, communities
):
    household = households["A"]
    response = login(volunteer_a).post(
        f"/households/{household.pk}/edit/",
        {
            "house_no": "2/2",
            "version": household.version,
            "code": "HACKED-1",
            "community": communities["C"].pk,
            "community_id": communities["C"].pk,
            "subdistrict": "100905",
            "subdistrict_id": "100905",
            "is_demo": "on",
            "created_by": coordinator.pk,
            "id": 999,
        },
    )
    assert response.status_code == 302
    saved = Household.objects.get(pk=household.pk)
    assert saved.house_no == "2/2"
    assert (saved.code, saved.community_id, saved.subdistrict_id) == (
        household.code,
        communities["A"].pk,
        household.subdistrict_id,
    )
    assert saved.is_demo is False and saved.created_by == coordinator
    assert saved.version == household.version + 1


def test_posted_version_cannot_jump_ahead(login, volunteer_a, households):
    household = households["A"]
    response = login(volunteer_a).post(
        f"/households/{household.pk}/edit/", {"house_no": "3/3", "version": 50}
    )
    assert response.status_code == 200  # a stale edit: shown, not saved
    saved = Household.objects.get(pk=household.pk)
    assert (saved.house_no, saved.version) == ("1/1", 1)


def test_household_create_keeps_the_url_community_and_its_own_code(login, volunteer_a, communities):
    response = login(volunteer_a).post(
        f"/communities/{communities['A'].pk}/households/new/",
        {
            "house_no": "8/8",
            "code": "HACKED-2",
            "community": communities["B"].pk,
            "is_demo": "on",
            "version": 77,
        },
    )
    assert response.status_code == 302
    created = Household.objects.get(house_no="8/8")
    assert created.community == communities["A"]
    assert created.code.startswith(communities["A"].code) and created.code != "HACKED-2"
    assert created.is_demo is False and created.version == 1


def test_member_forms_ignore_demo_flag_owner_and_version(
    login, volunteer_a, coordinator, households
):
    client = login(volunteer_a)
    household = households["A"]
    extra = {"is_demo": "on", "created_by": coordinator.pk, "updated_by": coordinator.pk}
    response = client.post(
        f"/households/{household.pk}/members/new/",
        {"first_name": "น้อย", "sex": "F", "relation": "child", "version": 40} | extra,
    )
    assert response.status_code == 302
    added = Person.objects.get(first_name="น้อย")
    assert (added.version, added.is_demo, added.created_by) == (1, False, volunteer_a)

    response = client.post(
        f"/people/{added.pk}/edit/",
        {"first_name": "น้อยใหม่", "sex": "F", "version": 1, "is_undocumented": ""} | extra,
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.first_name, added.version, added.is_demo) == ("น้อยใหม่", 2, False)
    assert added.updated_by == volunteer_a and added.is_undocumented is True  # no ID given


def test_consent_form_ignores_collector_and_withdrawal(login, coordinator, volunteer_a, households):
    person = households["A"].memberships.get().person
    response = login(coordinator).post(
        f"/privacy/people/{person.pk}/",
        {
            "action": "consent",
            "consent-purpose": "registry",
            "consent-lawful_basis": "public_task",
            "consent-collector": volunteer_a.pk,
            "consent-withdrawn_at": "2026-01-01T00:00:00Z",
            "consent-person": households["B"].memberships.get().person_id,
        },
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert (record.person, record.collector, record.withdrawn_at) == (person, coordinator, None)
