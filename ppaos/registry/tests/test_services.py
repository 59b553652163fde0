import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.conftest import make_person
from ppaos.registry import services
from ppaos.registry.models import DuplicateIdFlag, Household, Membership, Person


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in their English source form."""
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_household_codes_number_within_the_community(communities, coordinator):
    first = services.household_create(actor=coordinator, community=communities["A"], data={})
    second = services.household_create(actor=coordinator, community=communities["A"], data={})
    assert first.code == "100801-01-00001"
    assert second.code == "100801-01-00002"
    assert first.subdistrict_id == "100801"


@pytest.mark.django_db
def test_bad_national_id_is_rejected_and_nothing_saved(households, coordinator):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        services.person_add_to_household(
            actor=coordinator,
            household=households["A"],
            data=make_person(50, national_id="1234545678789"),
            relation="spouse",
        )
    assert "national_id" in error.value.message_dict
    assert "check digit" in error.value.message_dict["national_id"][0]
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_duplicate_national_id_is_held_for_review(households, coordinator):
    other = households["B"].memberships.get().person
    person = services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(51, national_id=other.national_id),
        relation="spouse",
    )
    person.refresh_from_db()
    assert person.national_id is None and person.entered_national_id() == other.national_id
    flag = DuplicateIdFlag.objects.get(person=person)
    assert flag.existing == other and flag.national_id == other.national_id
    other.refresh_from_db()
    assert other.national_id == flag.national_id  # the holder keeps it


@pytest.mark.django_db
def test_a_reviewer_gives_a_held_id_once_the_holder_lets_go(households, coordinator):
    other = households["B"].memberships.get().person
    nid = other.national_id
    person = services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(52, national_id=nid),
        relation="spouse",
    )
    flag = DuplicateIdFlag.objects.get(person=person)
    with pytest.raises(ValidationError):
        services.duplicate_id_resolve(actor=coordinator, flag=flag, resolution="assigned")
    services.person_update(
        actor=coordinator,
        person=other,
        expected_version=other.version,
        data={"national_id": "", "first_name": other.first_name},
    )
    services.duplicate_id_resolve(actor=coordinator, flag=flag, resolution="assigned")
    person.refresh_from_db()
    assert person.national_id == nid
    flag.refresh_from_db()
    assert flag.resolution == "assigned" and flag.resolved_by == coordinator


@pytest.mark.django_db
@pytest.mark.parametrize("born", [dt.date(2999, 1, 1), dt.date(1850, 1, 1)])
def test_impossible_birth_dates_are_rejected(households, coordinator, born):
    with pytest.raises(ValidationError) as error:
        services.person_add_to_household(
            actor=coordinator,
            household=households["A"],
            data=make_person(52, birth_date=born),
            relation="child",
        )
    assert "birth_date" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given, undocumented", [("", True), ("0123456789016", True), ("1-2345-45678-78-1", False)]
)
def test_people_without_an_id_are_allowed_and_flagged(households, coordinator, given, undocumented):
    if given.startswith("0"):
        from ppaos.registry import national_id

        given = national_id.make("012345678901")
    person = services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(53, national_id=given),
        relation="relative",
    )
    assert person.is_undocumented is undocumented
    assert person.national_id == (None if not given else given.replace("-", ""))


@pytest.mark.django_db
def test_second_head_is_refused(households, coordinator):
    with pytest.raises(ValidationError):
        services.person_add_to_household(
            actor=coordinator, household=households["A"], data=make_person(54), relation="head"
        )


@pytest.mark.django_db
def test_stale_household_edit_is_refused(households, coordinator, volunteer_a):
    mine = Household.objects.get(pk=households["A"].pk)
    theirs = Household.objects.get(pk=households["A"].pk)
    services.household_update(
        actor=coordinator, household=theirs, expected_version=theirs.version, data={"soi": "ร่วมใจ"}
    )
    with pytest.raises(services.StaleEditError) as error:
        services.household_update(
            actor=volunteer_a, household=mine, expected_version=mine.version, data={"soi": "สุขใจ"}
        )
    assert error.value.current.soi == "ร่วมใจ"
    assert Household.objects.get(pk=mine.pk).soi == "ร่วมใจ"
    assert Household.objects.get(pk=mine.pk).version == 2


@pytest.mark.django_db
def test_stale_person_edit_is_refused(households, coordinator, volunteer_a):
    person = households["A"].memberships.get().person
    version = person.version
    services.person_update(
        actor=coordinator,
        person=person,
        expected_version=version,
        data=make_person(1, occupation="ค้าขาย"),
    )
    stale = Person.objects.get(pk=person.pk)
    with pytest.raises(services.StaleEditError):
        services.person_update(
            actor=volunteer_a,
            person=stale,
            expected_version=version,
            data=make_person(1, occupation="รับจ้าง"),
        )
    assert Person.objects.get(pk=person.pk).occupation == "ค้าขาย"


@pytest.mark.django_db
def test_moving_keeps_the_history(households, coordinator):
    membership = households["A"].memberships.get()
    person = membership.person
    services.membership_end(
        actor=coordinator, membership=membership, end_date=dt.date(2025, 6, 1), reason="ย้ายที่อยู่"
    )
    Membership.objects.create(
        household=households["B"],
        person=person,
        relation="relative",
        start_date=dt.date(2025, 6, 2),
    )
    stays = list(
        person.memberships.order_by("start_date").values_list("household__code", "end_date")
    )
    assert stays[0] == (households["A"].code, dt.date(2025, 6, 1))
    assert stays[1] == (households["B"].code, None)


@pytest.mark.django_db
def test_a_person_cannot_have_two_current_households(households):
    from django.db import IntegrityError

    person = households["A"].memberships.get().person
    with pytest.raises(IntegrityError):
        Membership.objects.create(
            household=households["B"],
            person=person,
            relation="child",
            start_date=dt.date(2025, 1, 1),
        )


@pytest.mark.django_db
def test_every_write_is_audited_with_sensitive_values_hidden(households, coordinator):
    person = households["A"].memberships.get().person
    services.person_update(
        actor=coordinator,
        person=person,
        expected_version=person.version,
        data=make_person(1, chronic_illness="เบาหวาน"),
    )
    event = AuditEvent.objects.filter(object_type="registry.person", action="update").latest("id")
    assert event.actor == coordinator
    assert event.changes["chronic_illness"] == ["(sensitive)", "(sensitive)"]
    assert "เบาหวาน" not in str(event.changes)
    created = AuditEvent.objects.filter(object_type="registry.person", action="create")
    assert created.count() == 3
    assert all("x-xxxx" in str(e.changes["national_id"][1]) for e in created)


@pytest.mark.django_db
def test_errors_are_in_thai_for_thai_users(households, coordinator):
    with translation.override("th"), pytest.raises(ValidationError) as error:
        services.person_add_to_household(
            actor=coordinator,
            household=households["A"],
            data=make_person(55, national_id="1234545678789"),
            relation="child",
        )
    assert error.value.message_dict["national_id"] == [
        "เลขประจำตัวประชาชน หลักตรวจสอบไม่ถูกต้อง: อาจพิมพ์ตัวเลขผิดไปหนึ่งหลัก"
    ]


def test_address_line_writes_soi_and_road_once():
    household = Household(house_no="12/3", soi="ซอยร่วมใจ", road="กรุงเกษม", moo="")
    assert household.address_line() == "12/3 ซอยร่วมใจ ถ.กรุงเกษม"
    assert Household(house_no="5", soi="7").address_line() == "5 ซ.7"
