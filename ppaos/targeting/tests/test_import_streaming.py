"""The streaming import (issue 17, 1): rows checked as they are read, stored by COPY into a
staging table on PostgreSQL (the ORM elsewhere); the same report, counts and rollback on both."""

import pytest
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.registry import national_id
from ppaos.registry.id_crypto import lookup_hash
from ppaos.targeting import importing
from ppaos.targeting.models import LinkStatus, TargetList, TargetRecord
from ppaos.targeting.services import target_list_import

HEADER = "เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,เพศ,วันเกิด,รหัสแขวง,บ้านเลขที่,มิติรายได้,หมายเหตุ\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(n: int, **extra) -> str:
    values = {
        "id": national_id.make(f"31009{n:07d}"),
        "prefix": "นาย",
        "first": f"สมชาย{n}",
        "last": "ใจดี",
        "sex": "ชาย",
        "born": "01/02/2520",
        "sub": "100801",
        "house": f"{n}/2",
        "income": "ผ่าน",
        "note": f"note {n}",
    } | extra
    return ",".join(values.values()) + "\n"


def run(tmp_path, text: str, **kwargs) -> dict:
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    return target_list_import(path=path, name=path.name, source="tpmap", year_be=2567, **kwargs)


@pytest.mark.django_db
def test_the_report_keeps_line_numbers_in_order_with_repeats_found_at_store(tmp_path, geography):
    text = HEADER + row(1) + row(2, sub="999999") + row(3) + row(1, house="9/9") + row(4, first="")
    text += row(3) + row(5, income="บางที")
    result = run(tmp_path, text)
    assert result["created"] == 2
    lines = [line for line, _reason in result["rejected"]]
    assert lines == [3, 5, 6, 7, 8]  # in line order, whichever step found them
    reasons = dict(result["rejected"])
    assert "999999" in reasons[3]
    assert reasons[5] == "repeats line 2 (same person)"
    assert "first name" in reasons[6]
    assert reasons[7] == "repeats line 4 (same person)"
    assert "บางที" in reasons[8]
    first = TargetRecord.objects.get(record_key=lookup_hash(national_id.make("310090000001")))
    assert first.line_no == 2 and first.house_no == "1/2"  # the first of the repeats is kept
    assert first.link_status == LinkStatus.UNLINKED and first.person is None
    assert first.source_row["หมายเหตุ"] == "note 1" and "เลขประจำตัวประชาชน" not in first.source_row


@pytest.mark.django_db
def test_rerun_is_idempotent_and_a_changed_row_is_updated(tmp_path, geography):
    text = HEADER + row(1) + row(2) + row(3)
    assert run(tmp_path, text)["created"] == 3
    again = run(tmp_path, text)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    moved = run(tmp_path, HEADER + row(3) + row(2) + row(1))  # only the line numbers differ
    assert (moved["created"], moved["updated"], moved["unchanged"]) == (0, 0, 3)
    changed = run(tmp_path, HEADER + row(1) + row(2, last="ศรีสุข", income="ไม่ผ่าน") + row(4))
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (1, 1, 1)
    record = TargetRecord.objects.get(record_key=lookup_hash(national_id.make("310090000002")))
    assert record.last_name == "ศรีสุข" and record.failed_dimensions == ["income"]
    assert record.national_id == national_id.make("310090000002")
    assert TargetRecord.objects.count() == 4
    assert AuditEvent.objects.filter(object_type="targeting.targetlist").count() == 4


@pytest.mark.django_db
def test_rows_without_an_id_are_keyed_by_name_birth_and_house(tmp_path, geography):
    text = HEADER + row(1, id="") + row(2, id="") + row(1, id="")
    result = run(tmp_path, text)
    assert result["created"] == 2 and result["rejected"] == [[4, "repeats line 2 (same person)"]]
    assert TargetRecord.objects.filter(national_id_hash__isnull=True).count() == 2
    assert run(tmp_path, text)["unchanged"] == 2


@pytest.mark.django_db
def test_rows_whose_id_the_registry_holds_are_counted(tmp_path, households):
    head = households["A"].memberships.get().person
    result = run(tmp_path, HEADER + row(1, id=head.national_id) + row(2))
    assert result["created"] == 2 and result["in_registry"] == 1
    event = AuditEvent.objects.filter(object_type="targeting.targetlist").get()
    assert event.changes["in_registry"] == 1 and head.national_id not in event.object_label


@pytest.mark.django_db
def test_a_name_too_long_for_the_record_is_a_rejected_row_not_a_failed_import(tmp_path, geography):
    result = run(tmp_path, HEADER + row(1, first="ก" * 101) + row(2))
    assert result["created"] == 1
    assert result["rejected"] == [[2, "a name is longer than 100 characters"]]


@pytest.mark.django_db
def test_a_nul_character_is_a_rejected_row_not_a_failed_import(tmp_path, geography):
    result = run(tmp_path, HEADER + row(1, first="สม\x00ชาย") + row(2) + row(3, note="x\x00"))
    assert result["created"] == 1
    reason = "a cell holds a NUL character, which cannot be stored"
    assert result["rejected"] == [[2, reason], [4, reason]]


@pytest.mark.django_db(transaction=True)
def test_an_import_stopped_half_way_saves_nothing(tmp_path, geography):
    text = HEADER + "".join(row(n) for n in range(1, 2601))

    def stop(count: int) -> None:
        if count == 2000:
            raise KeyboardInterrupt  # as a kill would, in the middle of the rows

    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, text, progress=stop)
    assert not TargetList.objects.filter(year_be=2567).exists()
    assert not TargetRecord.objects.exists()
    assert run(tmp_path, text)["created"] == 2600


@pytest.mark.django_db
def test_rows_are_checked_as_they_are_read(tmp_path, geography):
    path = tmp_path / "list.csv"
    path.write_text(HEADER + "".join(row(n) for n in range(1, 12)), encoding="utf-8")
    checked = importing.check_file(path, name=path.name)
    assert checked.read == 0 and checked.columns["unknown"] == ["หมายเหตุ"]
    chunks = checked.chunks(5)
    assert [v["line_no"] for v in next(chunks)] == [2, 3, 4, 5, 6]
    assert checked.read == 5  # no further than the chunk handed on
    assert [len(c) for c in chunks] == [5, 1]
