"""A stale save merges, never reverts (issue 15): two editors of one record, each page posted
as a browser would post it (every input, select and textarea of the form)."""

import pytest

from ppaos.audit.models import Action, AuditEvent
from ppaos.lib.testing_forms import form_on
from ppaos.registry.models import Household, Person
from ppaos.registry.services import PERSON_FIELDS, person_update


def _other_person_saves(person: Person, actor, **changes) -> None:
    current = Person.objects.get(pk=person.pk)
    data = {name: getattr(current, name) for name in PERSON_FIELDS}
    person_update(
        actor=actor, person=current, expected_version=current.version, data=data | changes
    )


@pytest.fixture
def head(households, coordinator):
    person = households["A"].memberships.get().person
    _other_person_saves(person, coordinator, occupation="ค้าขายอาหาร", phone="0811111111")
    return Person.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_saving_again_after_the_warning_keeps_the_other_persons_change(
    login, volunteer_a, coordinator, head
):
    """The reported case: B changes the occupation while A has the form open; A changes only
    the phone, is warned, saves again as the page invites; B's occupation stays."""
    client = login(volunteer_a)
    url = f"/people/{head.pk}/edit/"
    data = form_on(client.get(url))  # A opens the form
    assert data["occupation"] == "ค้าขายอาหาร"
    _other_person_saves(head, coordinator, occupation="ค้าขายอาหารตามสั่ง")  # B saves

    warned = client.post(url, data | {"phone": "0822222222"})  # A changes only the phone
    assert warned.status_code == 200
    assert "ค้าขายอาหารตามสั่ง" in warned.text
    form = warned.context["form"]
    assert not form.merge_conflicts  # nothing both changed: nothing to choose
    resent = form_on(warned)
    assert resent["occupation"] == "ค้าขายอาหารตามสั่ง"  # B's value is now in the form
    assert resent["phone"] == "0822222222"  # A's is kept
    assert Person.objects.get(pk=head.pk).phone == "0811111111"  # not saved yet

    saved = client.post(url, resent)  # A saves again, as the page invites
    assert saved.status_code == 302
    stored = Person.objects.get(pk=head.pk)
    assert (stored.occupation, stored.phone) == ("ค้าขายอาหารตามสั่ง", "0822222222")
    last = AuditEvent.objects.filter(object_id=str(head.pk), action=Action.UPDATE).first()
    assert "occupation" not in last.changes  # nothing reverted in the audit trail
    assert last.changes["phone"] == ["xxxxxxx111", "xxxxxxx222"]  # never in clear


@pytest.mark.django_db
@pytest.mark.parametrize("choice", ["theirs", "mine"])
def test_a_field_both_changed_is_offered_side_by_side_and_the_choice_is_applied(
    login, volunteer_a, coordinator, head, choice
):
    client = login(volunteer_a)
    url = f"/people/{head.pk}/edit/"
    data = form_on(client.get(url))
    _other_person_saves(head, coordinator, occupation="ค้าขายอาหารตามสั่ง", last_name="ใจงาม")

    warned = client.post(url, data | {"occupation": "รับจ้างทั่วไป", "phone": "0822222222"})
    assert warned.status_code == 200
    [conflict] = warned.context["form"].merge_conflicts
    assert conflict["name"] == "occupation"
    assert (conflict["theirs"], conflict["mine"]) == ("ค้าขายอาหารตามสั่ง", "รับจ้างทั่วไป")
    assert 'id="conflict-occupation"' in warned.text
    resent = form_on(warned)
    assert resent["last_name"] == "ใจงาม"  # only B changed it: B's value

    unchosen = client.post(url, resent)  # no choice made: asked again, nothing saved
    assert unchosen.status_code == 200 and unchosen.context["form"].merge_conflicts
    assert Person.objects.get(pk=head.pk).phone == "0811111111"

    saved = client.post(url, resent | {"choose_occupation": choice})
    assert saved.status_code == 302
    stored = Person.objects.get(pk=head.pk)
    expected = "ค้าขายอาหารตามสั่ง" if choice == "theirs" else "รับจ้างทั่วไป"
    assert (stored.occupation, stored.last_name, stored.phone) == (
        expected,
        "ใจงาม",
        "0822222222",
    )


@pytest.mark.django_db
def test_a_third_save_during_the_choice_merges_again(login, volunteer_a, coordinator, head):
    client = login(volunteer_a)
    url = f"/people/{head.pk}/edit/"
    data = form_on(client.get(url))
    _other_person_saves(head, coordinator, occupation="ค้าขายอาหารตามสั่ง")
    resent = form_on(client.post(url, data | {"occupation": "รับจ้างทั่วไป"}))
    _other_person_saves(head, coordinator, last_name="ใจงาม")  # meanwhile, again

    warned = client.post(url, resent | {"choose_occupation": "mine"})
    assert warned.status_code == 200  # stale again: merged again, not saved
    again = form_on(warned)
    assert again["last_name"] == "ใจงาม" and again["occupation"] == "รับจ้างทั่วไป"
    assert client.post(url, again).status_code == 302
    stored = Person.objects.get(pk=head.pk)
    assert (stored.occupation, stored.last_name) == ("รับจ้างทั่วไป", "ใจงาม")


@pytest.mark.django_db
def test_household_stale_save_merges(login, volunteer_a, coordinator, households):
    from ppaos.registry.services import household_update

    household = households["A"]
    client = login(volunteer_a)
    url = f"/households/{household.pk}/edit/"
    data = form_on(client.get(url))
    household_update(
        actor=coordinator,
        household=Household.objects.get(pk=household.pk),
        expected_version=household.version,
        data={"soi": "ร่วมใจ"},
    )
    resent = form_on(client.post(url, data | {"road": "สุขุมวิท"}))
    assert resent["soi"] == "ร่วมใจ" and resent["road"] == "สุขุมวิท"
    assert client.post(url, resent).status_code == 302
    stored = Household.objects.get(pk=household.pk)
    assert (stored.soi, stored.road) == ("ร่วมใจ", "สุขุมวิท")
