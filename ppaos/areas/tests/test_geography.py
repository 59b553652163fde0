import pytest

from ppaos.areas.models import Community, District, Province, Subdistrict
from ppaos.areas.services import communities_import_csv, geography_load


@pytest.mark.django_db
def test_geography_covers_thailand_with_dopa_codes(geography):
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert District.objects.filter(province_id="10").count() == 50
    assert Subdistrict.objects.filter(district__province_id="10").count() == 180
    assert District.objects.get(code="1008").name_th == "ป้อมปราบศัตรูพ่าย"
    assert Subdistrict.objects.get(code="100910").name_th == "พระโขนงใต้"
    assert Subdistrict.objects.get(code="100801").postal_code == "10100"


@pytest.mark.django_db
def test_geography_load_is_idempotent(geography):
    assert geography_load() == (77, 928, 7436)
    assert Subdistrict.objects.count() == 7436


GOOD = "code,name_th,name_en,subdistrict_code,community_type\n"


@pytest.mark.django_db
def test_community_csv_reports_bad_rows_and_keeps_good_ones(geography):
    text = GOOD + (
        "C1,ชุมชนหนึ่ง,One,100801,ชุมชนแออัด\n"
        "C2,,Two,100801,urban\n"
        "C3,ชุมชนสาม,Three,999999,urban\n"
        "C4,ชุมชนสี่,Four,100905,castle\n"
        "C1,ชุมชนซ้ำ,Dup,100801,urban\n"
        "C5,ชุมชนห้า,Five,104302,high_rise\n"
    )
    report = communities_import_csv(text)
    assert report.created == 2
    assert [line for line, _ in report.rejected] == [3, 4, 5, 6]
    reasons = dict(report.rejected)
    assert "name_th" in reasons[3] and "999999" in reasons[4]
    assert "castle" in reasons[5] and "repeats" in reasons[6]
    assert Community.objects.get(code="C1").community_type == "slum"


@pytest.mark.django_db
def test_community_csv_rerun_changes_nothing(geography):
    text = GOOD + "C1,ชุมชนหนึ่ง,One,100801,urban\n"
    communities_import_csv(text)
    again = communities_import_csv(text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = communities_import_csv(text.replace("One", "One (renamed)"))
    assert changed.updated == 1
    assert Community.objects.count() == 1


@pytest.mark.django_db
def test_community_csv_without_required_columns(geography):
    report = communities_import_csv("code,name\nC1,x\n")
    assert report.rejected[0][0] == 1
    assert "subdistrict_code" in report.rejected[0][1]


@pytest.mark.django_db
def test_load_communities_command(tmp_path, geography):
    from django.core.management import call_command

    path = tmp_path / "communities.csv"
    path.write_text(GOOD + "C9,ชุมชนเก้า,,100802,urban\n", encoding="utf-8")
    call_command("load-communities", str(path))
    assert Community.objects.filter(code="C9", subdistrict_id="100802").exists()
