import pytest
from django.utils import translation

from ppaos.registry import national_id
from ppaos.targeting import importing
from ppaos.targeting.models import TargetList, TargetRecord
from ppaos.targeting.services import target_list_import


@pytest.fixture(autouse=True)
def english():
    """Rejection reasons are translated; these tests read the English wording."""
    with translation.override("en"):
        yield


THAI_HEADER = "เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,เพศ,วันเกิด,รหัสแขวง,บ้านเลขที่\n"


def write(tmp_path, text, name="targets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def good_row(n: int, **extra) -> str:
    values = {
        "id": national_id.make(f"31008{n:07d}"),
        "prefix": "นาง",
        "first": f"มาลี{n}",
        "last": "ศรีสุข",
        "sex": "หญิง",
        "born": "15/03/2510",
        "sub": "100801",
        "house": f"{n}/1",
    } | extra
    return ",".join(values.values()) + "\n"


@pytest.mark.django_db
def test_import_reports_bad_rows_with_line_numbers_and_keeps_good_ones(tmp_path, geography):
    text = (
        THAI_HEADER
        + good_row(1)
        + good_row(2, id="1234545678789")
        + good_row(3, sub="999999")
        + good_row(4, born="31/02/2510")
        + good_row(5, first="")
        + good_row(6, sex="x")
        + good_row(1, first="ซ้ำ", house="9")
        + good_row(7, born="1/1/2999")
        + good_row(8)
    )
    result = target_list_import(
        path=write(tmp_path, text), name="t.csv", source="tpmap", year_be=2566
    )
    assert result["created"] == 2
    rejected = dict((line, reason) for line, reason in result["rejected"])
    assert sorted(rejected) == [3, 4, 5, 6, 7, 8, 9]
    assert "check digit" in rejected[3]
    assert "999999" in rejected[4]
    assert "birth date" in rejected[5]
    assert "first name" in rejected[6]
    assert "sex" in rejected[7]
    assert "repeats line 2" in rejected[8]
    assert "future" in rejected[9]
    record = TargetRecord.objects.get(first_name="มาลี1")
    assert str(record.birth_date) == "1967-03-15"
    assert record.prefix == "nang" and record.sex == "F" and record.district_code == "1008"


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path, geography):
    path = write(tmp_path, THAI_HEADER + good_row(1) + good_row(2))
    first = target_list_import(path=path, name="t.csv", source="tpmap", year_be=2566)
    again = target_list_import(path=path, name="t.csv", source="tpmap", year_be=2566)
    assert (first["created"], again["created"], again["unchanged"], again["updated"]) == (
        2,
        0,
        2,
        0,
    )
    assert TargetRecord.objects.count() == 2
    assert TargetList.objects.count() == 1
    changed = write(tmp_path, THAI_HEADER + good_row(1, house="77") + good_row(2), "v2.csv")
    assert (
        target_list_import(path=changed, name="v2.csv", source="tpmap", year_be=2566)["updated"]
        == 1
    )


@pytest.mark.django_db
def test_people_without_id_are_keyed_by_name_birth_and_address(tmp_path, geography):
    path = write(tmp_path, THAI_HEADER + good_row(1, id="") + good_row(2, id=""))
    target_list_import(path=path, name="t.csv", source="local", year_be=2567)
    target_list_import(path=path, name="t.csv", source="local", year_be=2567)
    keys = list(TargetRecord.objects.values_list("record_key", flat=True))
    assert len(keys) == 2 and all(k.startswith("h:") for k in keys)


@pytest.mark.django_db
def test_xlsx_with_english_headers_and_explicit_mapping(tmp_path, geography):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["CID", "first_name", "last_name", "DOB", "subdistrict_code"])
    sheet.append([national_id.make("310080000001"), "สมชาย", "ใจดี", "1967-03-15", "100801"])
    sheet.append(["12345", "สมหญิง", "ใจดี", "1970-01-01", "100801"])
    sheet.append([None, None, None, None, None])
    sheet.append([None, "สมศรี", "ใจดี", "15/03/2510", 100801])
    path = tmp_path / "list.xlsx"
    book.save(path)
    result = target_list_import(
        path=path,
        name="list.xlsx",
        source="tpmap",
        year_be=2566,
        mapping={"national_id": "CID", "birth_date": "DOB"},
    )
    assert result["created"] == 2
    assert result["rejected"] == [[3, "national ID ending '2345' must have exactly 13 digits"]]


@pytest.mark.django_db
def test_whole_file_problems_are_clear(tmp_path, geography):
    with pytest.raises(importing.FileFormatError, match="first-name"):
        target_list_import(
            path=write(tmp_path, "a,b\n1,2\n"), name="t.csv", source="tpmap", year_be=2566
        )
    with pytest.raises(importing.FileFormatError, match=".csv or .xlsx"):
        target_list_import(
            path=write(tmp_path, "x", "t.pdf"), name="t.pdf", source="tpmap", year_be=2566
        )
    with pytest.raises(importing.FileFormatError, match="Buddhist"):
        target_list_import(
            path=write(tmp_path, THAI_HEADER), name="t.csv", source="tpmap", year_be=2023
        )


@pytest.mark.django_db
def test_import_page_runs_a_task_and_shows_rejected_rows(login, coordinator, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(coordinator)
    upload = SimpleUploadedFile(
        "targets.csv", (THAI_HEADER + good_row(1) + good_row(2, id="1234545678789")).encode()
    )
    response = client.post(
        "/targeting/import/", {"file": upload, "source": "tpmap", "year_be": 2566}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert 'data-status="done"' in page.text
    assert page.context["job"].result["created"] == 1
    assert 'id="rejected"' in page.text and '<td class="num">3</td>' in page.text


@pytest.mark.django_db
def test_only_coordinators_import(login, district_officer, volunteer_a):
    assert login(volunteer_a).get("/targeting/import/").status_code == 404
    assert login(district_officer).get("/targeting/import/").status_code == 404


@pytest.mark.django_db
def test_import_targets_command(tmp_path, geography, capsys):
    from django.core.management import call_command

    path = write(tmp_path, THAI_HEADER + good_row(1) + good_row(2, id="1234545678789"))
    report = tmp_path / "rejected.csv"
    call_command("import-targets", str(path), "--year", "2566", "--report", str(report))
    out = capsys.readouterr()
    assert "1 new" in out.out and "1 rejected" in out.out
    assert ":3: rejected" in out.err
    assert report.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,")
    call_command("import-targets", str(path), "--year", "2566")
    assert "1 unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_imported_ids_are_stored_encrypted_and_keyed_by_their_hash(tmp_path, geography):
    from django.db import connection

    from ppaos.registry.id_crypto import lookup_hash

    path = write(tmp_path, THAI_HEADER + good_row(1) + good_row(2))
    target_list_import(path=path, name="t.csv", source="tpmap", year_be=2566)
    again = target_list_import(path=path, name="t.csv", source="tpmap", year_be=2566)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    nid = national_id.make(f"31008{1:07d}")
    record = TargetRecord.objects.get(national_id_hash=lookup_hash(nid))
    assert record.national_id == nid and record.record_key == lookup_hash(nid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM targeting_targetrecord")
        raw = repr(cursor.fetchall())
    assert nid not in raw and national_id.make(f"31008{2:07d}") not in raw


@pytest.mark.django_db
def test_each_import_run_leaves_one_summary_audit_row(tmp_path, geography, coordinator):
    from ppaos.audit.models import AuditEvent

    path = write(tmp_path, THAI_HEADER + good_row(1) + good_row(2) + "bad,row\n")
    result = target_list_import(
        path=path, name="tpmap.csv", source="tpmap", year_be=2566, actor=coordinator
    )
    rows = AuditEvent.objects.filter(object_type="targeting.targetlist")
    assert rows.count() == 1
    row = rows.get()
    assert row.actor == coordinator and row.object_id == str(result["target_list"])
    assert row.changes == {"created": 2, "updated": 0, "rejected": 1, "in_registry": 0}
    assert "tpmap.csv" in row.object_label
    assert national_id.make("310080000001") not in row.object_label  # counts, never IDs
    target_list_import(path=path, name="tpmap.csv", source="tpmap", year_be=2566)
    again = AuditEvent.objects.filter(object_type="targeting.targetlist").latest("pk")
    assert again.actor is None and again.changes["created"] == 0  # re-run: nothing new


@pytest.mark.django_db
def test_a_bad_birth_date_is_explained_in_thai(tmp_path, geography):
    """The date checker's own reasons (ppaos.lib.thaidate) reach a Thai report in Thai."""
    text = THAI_HEADER + good_row(1, born="32/13/2510") + good_row(2, born="เมื่อวาน")
    with translation.override("th"):
        result = target_list_import(
            path=write(tmp_path, text), name="t.csv", source="tpmap", year_be=2566
        )
    rejected = dict((line, reason) for line, reason in result["rejected"])
    assert rejected == {
        2: "วันเกิด: '32/13/2510' ไม่มีวันนี้ในปฏิทิน: กรอกวันที่ที่มีอยู่จริงเป็น วัน/เดือน/ปี",
        3: "วันเกิด: 'เมื่อวาน' ไม่ใช่วันที่: เขียนเป็น วัน/เดือน/ปี เช่น 15/3/2510",
    }
