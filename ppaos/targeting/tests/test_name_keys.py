"""Linkage name keys (soundex codes, romanisation): worked out once per name and engine version,
stored, read back by the next run, and forgotten when a person is erased."""

import pandas as pd
import pytest

from ppaos.privacy import services as privacy_services
from ppaos.targeting import linkage
from ppaos.targeting.link_jobs import target_list_link
from ppaos.targeting.models import NameKey, TargetList, TargetRecord
from ppaos.targeting.services import name_keys_ensure, name_keys_forget

NAMES = ["ณัฐพล", "นัฐพล", "สมใจ", "ใจดี"]


def test_name_keys_hold_the_soundex_codes_and_romanisation():
    keys = linkage.name_keys("ณัฐพล")
    assert keys["rom"] == linkage.romanized("ณัฐพล")
    assert {k: v for k, v in keys.items() if k != "rom"} == linkage.soundex_codes("ณัฐพล")
    assert set(keys) - {"rom"} <= set(linkage.SOUNDEX_ENGINES)


def test_prepare_asks_the_source_once_for_each_distinct_name():
    frame = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "first_name": ["ณัฐพล", "ณัฐพล", "สมใจ"],
            "last_name": ["ใจดี", "ใจดี", None],
        }
    )
    asked: list[list[str]] = []

    def source(names):
        asked.append(names)
        return linkage.name_keys_compute(names)

    from_source = linkage.prepare(frame, keys=source)
    assert len(asked) == 1 and sorted(asked[0]) == sorted({"ณัฐพล", "สมใจ", "ใจดี"})
    pd.testing.assert_frame_equal(from_source, linkage.prepare(frame))
    assert from_source.loc[0, "first_name_rom"] == linkage.romanized("ณัฐพล")


def test_prepare_uses_the_keys_it_is_given():
    frame = pd.DataFrame({"id": ["1"], "first_name": ["สมใจ"], "last_name": ["ใจดี"]})
    given = {"สมใจ": {"lk82": "X1", "rom": "given"}, "ใจดี": {}}
    out = linkage.prepare(frame, keys=lambda names: given)
    assert (out.loc[0, "first_name_lk82"], out.loc[0, "first_name_rom"]) == ("X1", "given")
    assert pd.isna(out.loc[0, "first_name_udom83"]) and pd.isna(out.loc[0, "last_name_rom"])


@pytest.mark.django_db
def test_keys_are_stored_once_and_read_back_without_romanising(monkeypatch):
    first = name_keys_ensure(names=NAMES)
    assert first == linkage.name_keys_compute(NAMES)
    assert NameKey.objects.count() == len(NAMES)

    worked_out: list[str] = []
    compute = linkage.name_keys_compute

    def counting(names):
        worked_out.extend(names)
        return compute(names)

    monkeypatch.setattr(linkage, "name_keys_compute", counting)
    again = name_keys_ensure(names=[*NAMES, "ก้อง"])
    assert worked_out == ["ก้อง"]
    assert again == {**first, "ก้อง": compute(["ก้อง"])["ก้อง"]}
    assert NameKey.objects.count() == len(NAMES) + 1


@pytest.mark.django_db
def test_keys_of_another_engine_version_are_worked_out_again_and_replaced(monkeypatch):
    name_keys_ensure(names=NAMES)
    NameKey.objects.filter(name="สมใจ").update(keys={"rom": "stale"})
    monkeypatch.setattr(linkage, "name_keys_version", lambda: "pythainlp 99")
    keys = name_keys_ensure(names=["สมใจ"])
    assert keys["สมใจ"] == linkage.name_keys("สมใจ")
    assert list(NameKey.objects.values_list("version", "name")) == [("pythainlp 99", "สมใจ")]


@pytest.mark.django_db
def test_forgetting_a_name_deletes_its_raw_and_normalised_forms():
    name_keys_ensure(names=NAMES)
    # "ท่องดี" typed with a doubled tone mark normalises to the stored form.
    stored = linkage.normalize_name("ท่่องดี")
    name_keys_ensure(names=[stored])
    assert name_keys_forget(names=["ณัฐพล", "ท่่องดี"]) == 2
    assert set(NameKey.objects.values_list("name", flat=True)) == {"นัฐพล", "สมใจ", "ใจดี"}


@pytest.mark.django_db
def test_a_linkage_job_stores_the_names_and_erasure_forgets_the_persons(coordinator, households):
    head_a = households["A"].memberships.get(relation="head").person
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    TargetRecord.objects.create(
        target_list=listed,
        record_key="r1",
        line_no=2,
        first_name=head_a.first_name,
        last_name=head_a.last_name,
        birth_date=head_a.birth_date,
        sex=head_a.sex,
    )
    target_list_link(target_list=listed)
    stored = set(NameKey.objects.values_list("name", flat=True))
    assert {head_a.first_name, head_a.last_name} <= stored

    privacy_services.person_anonymise(actor=coordinator, person=head_a)
    left = set(NameKey.objects.values_list("name", flat=True))
    assert head_a.first_name not in left and head_a.last_name not in left
    others = stored - {head_a.first_name, head_a.last_name}
    assert others and others <= left
