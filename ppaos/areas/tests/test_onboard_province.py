from pathlib import Path

import pytest
from django.core.management import call_command

from ppaos.areas import provinces
from ppaos.areas.models import Community, LocalGovernment, Village
from ppaos.areas.services import OnboardError, communities_import_csv, province_onboard

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
LAO = (SAMPLES / "75-dla-lao.csv").read_text(encoding="utf-8")
VILLAGES = (SAMPLES / "75-dopa-villages.csv").read_text(encoding="utf-8")


@pytest.fixture
def served(settings):
    settings.PROVINCES = ["10", "75"]


@pytest.mark.django_db
def test_sample_files_load_every_row(geography, served):
    report = province_onboard(code="75", lao_text=LAO, village_text=VILLAGES)
    assert report.rejected == []
    assert report.count("lao", "created") == 6
    assert report.count("villages", "created") == 10
    assert [r.line for r in report.rows if r.file == "villages"] == list(range(2, 12))
    town = LocalGovernment.objects.get(code="6750101")
    assert town.kind == "town_municipality" and town.is_municipality
    assert list(town.subdistricts.values_list("code", flat=True)) == ["750101"]
    village = Village.objects.get(code="75010203")
    assert (village.subdistrict_id, village.moo) == ("750102", 3)
    # A tambon with one อปท. needs no dla_code; a split tambon takes the file's.
    assert village.local_government_id == "6750102"
    assert Village.objects.get(code="75010403").local_government_id == "6750105"
    community = Community.objects.get(village_id="75010203")
    assert community.community_type == "village"
    assert community.name_th == "หมู่ที่ 3 บ้านท่าหลวง"
    assert community.get_community_type_display() == "หมู่บ้าน"


@pytest.mark.django_db
def test_rerun_changes_nothing_and_a_renamed_row_updates(geography, served):
    province_onboard(code="75", lao_text=LAO, village_text=VILLAGES)
    again = province_onboard(code="75", lao_text=LAO, village_text=VILLAGES)
    assert {r.outcome for r in again.rows} == {"unchanged"}
    assert (Village.objects.count(), Community.objects.filter(village__isnull=False).count()) == (
        10,
        10,
    )
    renamed = province_onboard(
        code="75", village_text=VILLAGES.replace("บ้านท่าหลวง", "บ้านท่าหลวงใหม่")
    )
    assert [r.line for r in renamed.rows if r.outcome == "updated"] == [4]
    assert Community.objects.get(village_id="75010203").name_th == "หมู่ที่ 3 บ้านท่าหลวงใหม่"


@pytest.mark.django_db
def test_bad_rows_are_reported_by_line_and_good_ones_kept(geography, served):
    lao = LAO + (
        "675010,สั้นไป,อบต.,750105,\n"  # line 8: 6 digits
        "6750106,อบต.ทดสอบ,ปราสาท,750105,\n"  # line 9: unknown kind
        "6750107,อบต.นอกจังหวัด,อบต.,100801,\n"  # line 10: a Bangkok tambon
        "6750102,ซ้ำ,อบต.,750102,\n"  # line 11: repeats
        "6750108,อบต.บางแก้ว,sao,750105,\n"  # line 12: good (English kind)
    )
    villages = VILLAGES + (
        "75010501,บ้านบางแก้ว,\n"  # line 12: good (the new อบต.)
        "7501050,บ้านสั้น,\n"  # line 13: 7 digits
        "10080101,บ้านกรุงเทพ,\n"  # line 14: another province
        "75019901,บ้านไม่มีตำบล,\n"  # line 15: no such tambon
        "75010405,บ้านแบ่ง,\n"  # line 16: split tambon without dla_code
        "75010201,ซ้ำ,\n"  # line 17: repeats
    )
    report = province_onboard(code="75", lao_text=lao, village_text=villages)
    rejected = {(r.file, r.line): r.detail for r in report.rejected}
    assert sorted(rejected) == [
        ("lao", 8),
        ("lao", 9),
        ("lao", 10),
        ("lao", 11),
        ("villages", 13),
        ("villages", 14),
        ("villages", 15),
        ("villages", 16),
        ("villages", 17),
    ]
    assert "7-digit" in rejected["lao", 8] and "ปราสาท" in rejected["lao", 9]
    assert "100801" in rejected["lao", 10] and "repeats" in rejected["lao", 11]
    assert "8-digit" in rejected["villages", 13] and "province 75" in rejected["villages", 14]
    assert "750199" in rejected["villages", 15]
    assert "6750104, 6750105" in rejected["villages", 16]
    assert "repeats" in rejected["villages", 17]
    assert LocalGovernment.objects.count() == 7
    assert Village.objects.get(code="75010501").local_government_id == "6750108"
    assert LocalGovernment.objects.get(code="6750108").kind == "sao"
    assert LocalGovernment.objects.get(code="6750102").name_th == "องค์การบริหารส่วนตำบลบางขันแตก"


@pytest.mark.django_db
def test_missing_header_rejects_the_file_at_line_one(geography, served):
    report = province_onboard(code="75", lao_text="code,name\n1,x\n")
    assert [(r.file, r.line) for r in report.rejected] == [("lao", 1)]
    assert not LocalGovernment.objects.exists()


@pytest.mark.django_db
def test_a_province_not_served_is_refused(geography):
    with pytest.raises(OnboardError, match="PPAOS_PROVINCES"):
        province_onboard(code="75", lao_text=LAO)


@pytest.mark.django_db
def test_community_types_are_per_province(geography, served):
    assert provinces.profile("10").community_types[0] == "slum"
    assert "village" in provinces.profile("750101").community_types
    province_onboard(code="75", lao_text=LAO)
    text = (SAMPLES / "75-municipal-communities.csv").read_text(encoding="utf-8")
    report = communities_import_csv(
        text + "X1,ชุมชนแออัดนอกกรุง,,750101,ชุมชนแออัด,\n"  # a BMA type upcountry
        "X2,ชุมชนผิดอปท,,750101,municipal_community,6750102\n"  # that อปท. is elsewhere
    )
    assert report.created == 2
    assert [line for line, _ in report.rejected] == [4, 5]
    community = Community.objects.get(code="75990001")
    assert community.community_type == "municipal_community"
    assert community.local_government_id == "6750101"


@pytest.mark.django_db
def test_onboard_command_prints_each_row_and_exits_2_on_bad_rows(
    geography, served, tmp_path, capsys
):
    call_command("onboard-province", "75", "--sample")
    out = capsys.readouterr().out
    assert "75-dopa-villages.csv:4: created: 75010203" in out
    assert "Villages: 10 created" in out and "Communities: 2 created" in out
    call_command("onboard-province", "75", "--sample")
    assert "Villages: 0 created, 0 updated, 10 unchanged" in capsys.readouterr().out
    bad = tmp_path / "villages.csv"
    bad.write_text("รหัสหมู่บ้าน,ชื่อหมู่บ้าน\n7501,บ้าน\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("onboard-province", "75", "--villages", str(bad))
    assert exit_.value.code == 2
    assert f"{bad}:2: rejected" in capsys.readouterr().err
