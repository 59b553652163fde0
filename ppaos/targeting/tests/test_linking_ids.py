"""Linkage against the registry compares national IDs by their keyed hash, never decrypted."""

import pytest

from ppaos.registry.id_crypto import lookup_hash
from ppaos.targeting.link_jobs import registry_frame, target_frame, target_list_link
from ppaos.targeting.models import LinkStatus, TargetList, TargetRecord

pytestmark = pytest.mark.django_db


def _record(listed, person, line, **changes):
    values = {
        "national_id": person.national_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "prefix": person.prefix,
    } | changes
    return TargetRecord.objects.create(
        target_list=listed,
        record_key=lookup_hash(values["national_id"]) or f"h:{line}",
        line_no=line,
        **values,
    )


def test_frames_carry_hashes_not_ids(households):
    heads = [households[k].memberships.get().person for k in "ABC"]
    frame = registry_frame()
    assert set(frame["national_id"]) == {""}
    assert set(frame["national_id_hash"]) == {lookup_hash(p.national_id) for p in heads}
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    _record(listed, heads[0], 2)
    left = target_frame(listed)
    assert set(left["national_id"]) == {""}
    assert list(left["national_id_hash"]) == [lookup_hash(heads[0].national_id)]


def test_same_id_links_the_right_person_despite_other_differences(households):
    a, b, c = (households[k].memberships.get().person for k in "ABC")
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    # Same ID as A, but another spelling of the surname: the ID decides.
    first = _record(listed, a, 2, last_name="ใจดีมาก")
    # B's name and birth date, but C's ID: the ID decides for C.
    second = _record(listed, b, 3, national_id=c.national_id)
    target_list_link(target_list=listed)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.link_status, first.person_id) == (LinkStatus.AUTO, a.pk)
    assert second.person_id in (None, c.pk) and second.person_id != b.pk


def test_registry_frame_takes_each_persons_current_household(households):
    """One row per person, by id: the house of the current stay, blanks for someone with
    none, ISO birth dates and prefixes in words; the area prefix keeps the people whose
    current house is inside it."""
    import datetime as dt

    from ppaos.registry.models import Membership, Person

    a, b, c = (households[k] for k in "ABC")
    head_a = a.memberships.get().person
    head_b = b.memberships.get().person
    head_c = c.memberships.get().person
    # B's head moved to C: the old stay ended, the new one is current.
    Membership.objects.filter(person=head_b).update(end_date=dt.date(2024, 1, 1))
    Membership.objects.create(
        person=head_b, household=c, relation="other", start_date=dt.date(2024, 1, 2)
    )
    nobody = Person.objects.create(first_name="ไร้บ้าน", sex="M", prefix="nai")

    frame = registry_frame().set_index("id")
    assert list(frame.index) == [
        str(p) for p in sorted([head_a.pk, head_b.pk, head_c.pk, nobody.pk])
    ]
    assert (
        frame.loc[str(head_a.pk), "house_no"],
        frame.loc[str(head_a.pk), "subdistrict_code"],
    ) == (
        a.house_no,
        a.subdistrict_id,
    )
    assert frame.loc[str(head_b.pk), "house_no"] == c.house_no
    assert frame.loc[str(head_b.pk), "district_code"] == c.subdistrict_id[:4]
    assert frame.loc[str(head_c.pk), "birth_date"] == head_c.birth_date.isoformat()
    assert (frame.loc[str(nobody.pk), "house_no"], frame.loc[str(nobody.pk), "birth_date"]) == (
        "",
        "",
    )
    assert frame.loc[str(nobody.pk), "prefix"] == "นาย"

    inside = registry_frame(area_prefix=c.subdistrict_id)
    expected = {str(p.pk) for p in (head_b, head_c)}
    if a.subdistrict_id == c.subdistrict_id:
        expected.add(str(head_a.pk))
    assert set(inside["id"]) == expected
