"""Real TPMAP / จปฐ. columns: mapped by a versioned column file, every column kept."""

import json

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from ppaos.audit.models import AuditEvent
from ppaos.registry import national_id
from ppaos.targeting import columns, importing
from ppaos.targeting.models import TargetRecord
from ppaos.targeting.services import target_list_import

HEADER = (
    "เลขประจำตัวประชาชน,ชื่อ,นามสกุล,วันเกิด,รหัสแขวง,รหัสประจำบ้าน,บัตรสวัสดิการแห่งรัฐ,"
    "ปีสำรวจ,มิติที่ไม่ผ่าน,ตัวชี้วัดที่ 1,ตัวชี้วัดที่ 2,indicator_17,dim_income,"
    "ผู้ให้ข้อมูล,เลขบัตรคู่สมรส\n"
)
SPOUSE = national_id.make("310080000099")


def row(n: int, **extra) -> str:
    values = {
        "id": national_id.make(f"31008{n:07d}"),
        "first": f"มาลี{n}",
        "last": "ศรีสุข",
        "born": "15/03/2510",
        "sub": "100801",
        "house_code": "1008-012345-6",
        "card": "มี",
        "year": "2566",
        "dims": '"สุขภาพ, รายได้"',  # quoted: the cell holds a comma
        "i1": "ผ่าน",
        "i2": "ไม่ผ่าน",
        "i17": "0",
        "income": "ไม่ผ่าน",
        "informant": "ลูกสาว",
        "spouse": SPOUSE,
    } | extra
    return ",".join(values.values()) + "\n"


def _import(tmp_path, text, **kwargs):
    path = tmp_path / "tpmap.csv"
    path.write_text(text, encoding="utf-8")
    return target_list_import(path=path, name=path.name, source="tpmap", year_be=2566, **kwargs)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_recognised_columns_map_to_fields_and_every_column_is_kept(tmp_path, geography):
    result = _import(tmp_path, HEADER + row(1))
    assert result["created"] == 1 and result["rejected"] == []
    plan = result["columns"]
    assert plan["mapping"] == "tpmap-jpt 2026.1"
    assert plan["unknown"] == ["ผู้ให้ข้อมูล", "เลขบัตรคู่สมรส"]
    assert plan["recognised"]["ตัวชี้วัดที่ 2"] == "indicator:2"
    record = TargetRecord.objects.get()
    assert record.house_code == "10080123456" and record.welfare_card is True
    assert record.survey_year_be == 2566
    assert record.failed_dimensions == ["health", "income"]
    assert record.indicator_results == {"1": True, "2": False, "17": False}
    assert record.column_mapping == "tpmap-jpt 2026.1"
    assert "เลขประจำตัวประชาชน" not in record.source_row  # stored encrypted instead
    assert len(record.source_row) == HEADER.count(",")  # every other column
    assert record.source_row["ผู้ให้ข้อมูล"] == "ลูกสาว"
    assert record.source_row["เลขบัตรคู่สมรส"] == national_id.masked(SPOUSE)  # never in clear
    assert record.unknown_columns() == {
        "ผู้ให้ข้อมูล": "ลูกสาว",
        "เลขบัตรคู่สมรส": national_id.masked(SPOUSE),
    }


@pytest.mark.django_db
def test_bad_cells_are_rejected_with_line_numbers_and_reimport_is_idempotent(tmp_path, geography):
    text = (
        HEADER
        + row(1)
        + row(2, house_code="12345")
        + row(3, i1="บางที")
        + row(4, dims="สุขภาพ;ดาวอังคาร")
        + row(5, year="25")
        + row(6, card="")
    )
    result = _import(tmp_path, text)
    rejected = dict(result["rejected"])
    assert sorted(rejected) == [3, 4, 5, 6] and result["created"] == 2
    assert "11 digits" in rejected[3] and "indicator 1" in rejected[4]
    assert "ดาวอังคาร" in rejected[5] and "survey year" in rejected[6]
    assert TargetRecord.objects.get(line_no=7).welfare_card is None  # blank is unknown
    again = _import(tmp_path, text)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    changed = _import(tmp_path, HEADER + row(1, i1="ไม่ผ่าน") + row(6, card=""))
    assert (changed["updated"], changed["unchanged"]) == (1, 1)
    assert TargetRecord.objects.get(line_no=2).indicator_results["1"] is False


@pytest.mark.django_db
def test_a_province_loads_its_own_column_file(tmp_path, geography):
    mine = json.loads(columns.DEFAULT_FILE.read_text(encoding="utf-8"))
    mine["version"] = "khonkaen-1"
    mine["attributes"]["house_code"]["aliases"].append("HC11")
    mine["values"]["pass"] = ["Y"]
    mine["values"]["fail"] = ["N"]
    path = tmp_path / "columns.json"
    path.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    text = (
        "cid,ชื่อ,วันเกิด,HC11,jpt 1\n"
        + f"{national_id.make('310080000001')},มาลี,1/1/2510,10080123456,N\n"
    )
    result = _import(tmp_path, text, columns_file=path)
    assert result["columns"]["mapping"] == "tpmap-jpt khonkaen-1" and result["rejected"] == []
    record = TargetRecord.objects.get()
    assert record.house_code == "10080123456" and record.indicator_results == {"1": False}
    mine["attributes"]["house_code"]["kind"] = "colour"
    path.write_text(json.dumps(mine, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(importing.FileFormatError, match="unknown attribute kind"):
        _import(tmp_path, text, columns_file=path)


@pytest.mark.django_db
def test_the_command_lists_unknown_columns(tmp_path, geography, capsys):
    path = tmp_path / "tpmap.csv"
    path.write_text(HEADER + row(1), encoding="utf-8")
    call_command("import-targets", str(path), "--year", "2566")
    out = capsys.readouterr().out
    assert "ผู้ให้ข้อมูล, เลขบัตรคู่สมรส" in out and "tpmap-jpt 2026.1" in out


@pytest.mark.django_db
def test_record_page_is_scoped_by_url_and_audited(
    tmp_path, geography, login, district_officer, volunteer_a
):
    _import(tmp_path, HEADER + row(1) + row(2, sub="100905"))
    inside = TargetRecord.objects.get(subdistrict_code="100801")
    outside = TargetRecord.objects.get(subdistrict_code="100905")
    client = login(district_officer)
    page = client.get(f"/targeting/records/{inside.pk}/")
    assert page.status_code == 200 and "10080123456" in page.text and "ลูกสาว" in page.text
    assert inside.national_id not in page.text
    assert client.get(f"/targeting/records/{outside.pk}/").status_code == 404
    assert login(volunteer_a).get(f"/targeting/records/{inside.pk}/").status_code == 404
    event = AuditEvent.objects.get(object_type="targeting.targetrecord")
    assert event.action == "view" and inside.national_id not in json.dumps(event.changes)


@pytest.mark.django_db
def test_household_include_shows_the_tpmap_facts(tmp_path, households):
    _import(tmp_path, HEADER + row(1))
    record = TargetRecord.objects.get()
    record.person = households["A"].memberships.get().person
    record.save(update_fields=["person"])
    html = render_to_string("targeting/_household_targeting.html", {"household": households["A"]})
    assert 'id="household-targeting"' in html and "10080123456" in html
    assert "health" in html and "income" in html
    assert (
        render_to_string(
            "targeting/_household_targeting.html", {"household": households["B"]}
        ).strip()
        == ""
    )


@pytest.mark.django_db
def test_erasing_a_person_blanks_the_kept_columns(tmp_path, households, coordinator):
    from ppaos.privacy.services import person_anonymise

    _import(tmp_path, HEADER + row(1))
    person = households["A"].memberships.get().person
    TargetRecord.objects.update(person=person)
    person_anonymise(actor=coordinator, person=person)
    record = TargetRecord.objects.get()
    assert record.source_row == {} and record.house_code == ""
