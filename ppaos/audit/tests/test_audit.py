import pytest

from ppaos.audit.models import AuditEvent


@pytest.mark.django_db
def test_viewing_a_household_records_who_when_and_from_where(login, volunteer_a, households):
    client = login(volunteer_a)
    client.get(
        f"/households/{households['A'].pk}/",
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="KoboCollect-phone",
    )
    event = AuditEvent.objects.get(action="view", actor=volunteer_a)
    assert event.object_type == "registry.household"
    assert event.object_id == str(households["A"].pk)
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "KoboCollect-phone"
    assert event.path == f"/households/{households['A'].pk}/"
    assert event.at is not None


@pytest.mark.django_db
def test_changes_through_pages_are_audited(login, volunteer_a, households):
    client = login(volunteer_a)
    household = households["A"]
    client.post(
        f"/households/{household.pk}/edit/",
        {"house_no": "5/5", "soi": "ใหม่", "version": household.version},
    )
    event = AuditEvent.objects.get(action="update", actor=volunteer_a)
    assert event.changes["soi"] == ["", "ใหม่"]
    assert event.changes["house_no"] == ["1/1", "5/5"]


@pytest.mark.django_db
def test_coordinator_searches_the_audit_log(login, coordinator, volunteer_a, households):
    login(volunteer_a).get(f"/households/{households['A'].pk}/")
    client = login(coordinator)
    response = client.get("/audit/", {"actor": "vol_a", "action": "view"})
    assert response.status_code == 200
    events = list(response.context["page"])
    assert len(events) == 1 and events[0].actor_username == "vol_a"
    none = client.get("/audit/", {"actor": "nobody-at-all"})
    assert list(none.context["page"]) == []
    by_date = client.get("/audit/", {"date_from": "1/1/2500", "object_type": "registry.household"})
    assert len(list(by_date.context["page"])) >= 4


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_in_admin(client, households):
    from ppaos.accounts.services import user_create

    admin = user_create(
        username="root", password="x-long-password-1", is_superuser=True, is_staff=True
    )
    client.force_login(admin)
    event = AuditEvent.objects.first()
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_opening_a_person_form_is_a_recorded_view(login, volunteer_a, households):
    person = households["A"].memberships.get().person
    login(volunteer_a).get(f"/people/{person.pk}/edit/")
    event = AuditEvent.objects.get(action="view", actor=volunteer_a)
    assert event.object_type == "registry.person"
    assert event.object_id == str(person.pk)


@pytest.mark.django_db
def test_person_changes_through_pages_are_audited_field_by_field(login, volunteer_a, households):
    person = households["A"].memberships.get().person
    form = {
        "national_id": person.national_id,
        "prefix": "nai",
        "first_name": "สมชาย1",
        "last_name": "ใจงาม",
        "sex": "M",
        "birth_date": "01/01/2523",
        "version": person.version,
    }
    response = login(volunteer_a).post(f"/people/{person.pk}/edit/", form)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update", actor=volunteer_a)
    assert event.changes == {"last_name": ["ใจดี", "ใจงาม"]}
