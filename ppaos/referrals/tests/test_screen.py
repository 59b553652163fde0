"""`ppaos screen` and the screening page: people not in the registry checked against the
shipped catalogue, reasons in Thai, bad rows reported by line while good rows are screened,
nothing stored, every run audited without IDs."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from ppaos.audit.models import AuditEvent
from ppaos.referrals import services
from ppaos.referrals.models import Service, ServiceRule
from ppaos.referrals.screening import COLUMNS, screen
from ppaos.registry import national_id
from ppaos.registry.models import Person

ON = dt.date(2026, 12, 7)  # 7/12/2569: in no state welfare card round; old-age window shut
HEADER = ",".join(COLUMNS)
THAI = national_id.make("310070099001")
ALIEN = national_id.make("610070099002")


def row(case: str, **values) -> str:
    base = {
        "case_id": case,
        "national_id": THAI,
        "birth_date": "1950-03-01",
        "disability_card": "0",
        "adl_score": "",
        "incontinence": "0",
        "personal_income_year": "20000",
        "household_income_year": "60000",
        "household_members": "3",
        "financial_assets": "5000",
        "state_pension": "0",
        "in_state_care": "0",
        "receives": "",
    }
    return ",".join((base | values)[c] for c in COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def catalogue(geography):
    services.catalogue_load()


def results(text: str, on: dt.date = ON) -> dict[tuple[str, str], object]:
    result = screen(text, on=on)
    return {(o.case_id, o.service): o for o in result.outcomes}, result


@pytest.mark.django_db
def test_screening_gives_thai_reasons_and_when_to_apply(catalogue):
    text = csv_text(
        row("elder", birth_date="01/03/2493"),  # Buddhist era = 1950
        row("bedbound", birth_date="2010-05-05", adl_score="3", receives="ucs_gold_card"),
        row("alien", national_id=ALIEN, adl_score="2"),
    )
    got, result = results(text)
    assert result.errors == [] and result.cases == 3
    elder = got[("elder", "state_welfare_card")]
    # Every condition holds, but registration is only in announced rounds.
    assert elder.eligible is True and elder.apply_from is None
    assert "สัญชาติไทย" in elder.reason and "ยังไม่มีการประกาศ" in elder.reason
    old_age = got[("elder", "old_age_allowance")]
    # The house register is not in the list: cannot tell, so "no", with the reason.
    assert old_age.eligible is False and "ทะเบียนบ้าน" in old_age.reason
    diapers = got[("bedbound", "adult_diapers")]
    assert diapers.eligible is True and diapers.apply_from is None  # any time
    assert "กิจวัตรประจำวัน 3 ≤ 6" in diapers.reason  # the Barthel ADL score
    assert "ได้รับอยู่แล้ว" in got[("bedbound", "ucs_gold_card")].reason
    assert got[("alien", "adult_diapers")].eligible is False  # a 6-ID is not Thai
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_apply_from_is_the_next_window(catalogue):
    april = dt.date(2027, 4, 1)  # old-age window open (January-September)
    got, _ = results(csv_text(row("x")), on=april)
    assert got[("x", "state_welfare_card")].apply_from is None
    december = dt.date(2026, 12, 15)
    Service.objects.filter(code="old_age_allowance").update(
        registration_windows=[{"yearly": ["01-01", "09-30"]}]
    )
    rule = ServiceRule.objects.get(service__code="old_age_allowance", effective_from="2023-08-12")
    rule.eligibility = {"and": [{"var": "thai"}, {">=": [{"var": "age"}, 60]}]}
    rule.save()
    got, _ = results(csv_text(row("x")), on=december)
    assert got[("x", "old_age_allowance")].apply_from == dt.date(2027, 1, 1)
    got, _ = results(csv_text(row("x")), on=april)
    assert got[("x", "old_age_allowance")].apply_from == april


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"adl_score": "21"}, "adl_score"),
        ({"adl_score": "-1"}, "adl_score"),
        ({"personal_income_year": "-10"}, "personal_income_year"),
        ({"financial_assets": "-1"}, "financial_assets"),
        ({"receives": "old_age_allowance;moon_pension"}, "moon_pension"),
        ({"disability_card": "yes"}, "disability_card"),
        ({"birth_date": "31/02/2500"}, "birth_date"),
        ({"national_id": "1234545678789"}, "national_id"),
        ({"case_id": ""}, "case_id"),
    ],
)
def test_a_bad_row_is_named_by_line_and_the_good_rows_are_screened(catalogue, values, message):
    got, result = results(csv_text(row("good1"), row("bad", **values), row("good2")))
    (error,) = result.errors
    assert error[0] == 3 and message in error[1]
    assert {case for case, _ in got} == {"good1", "good2"}


@pytest.mark.django_db
def test_a_rule_naming_an_unknown_fact_is_named_and_the_other_services_screened(catalogue):
    rule = ServiceRule.objects.get(service__code="adult_diapers")
    ServiceRule.objects.filter(pk=rule.pk).update(eligibility={"var": "shoe_size"})
    result = screen(csv_text(row("x")), on=ON)
    ((code, error),) = result.rule_errors
    assert code == "adult_diapers" and "shoe_size" in error
    screened = {o.service for o in result.outcomes}
    assert "adult_diapers" not in screened and "old_age_allowance" in screened


@pytest.mark.django_db
def test_missing_column_is_an_error_for_the_file(catalogue):
    with pytest.raises(Exception, match="receives"):
        screen("case_id,national_id\nx,\n", on=ON)


@pytest.mark.django_db
def test_command_writes_the_output_and_audits_without_ids(catalogue, tmp_path):
    src = tmp_path / "hospital.csv"
    src.write_text(csv_text(row("a1"), row("b2", adl_score="30")), encoding="utf-8")
    out = tmp_path / "out.csv"
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("screen", str(src), on="2569-12-07", out=str(out), stderr=err)
    assert exit_code.value.code == 2
    assert "line 3" in err.getvalue() or "บรรทัด 3" in err.getvalue()
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["case_id", "service", "eligible", "reason", "apply_from"]
    assert {r[0] for r in rows[1:]} == {"a1"}
    assert {r[2] for r in rows[1:]} <= {"yes", "no"}
    event = AuditEvent.objects.get(object_type="referrals.screen")
    assert "hospital.csv" in event.object_label and "1 cases, 1 rows rejected" in (
        event.object_label
    )
    assert THAI not in str(AuditEvent.objects.values_list()) and not Person.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_bad_date(catalogue, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(csv_text(row("a1")), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("screen", str(src), on="soon", out=str(tmp_path / "o.csv"))


@pytest.mark.django_db
def test_district_officer_screens_on_the_page_and_downloads(
    client, catalogue, district_officer, volunteer_a
):
    client.force_login(volunteer_a)
    assert client.get("/referrals/screen/").status_code == 404
    client.force_login(district_officer)
    upload = SimpleUploadedFile(
        "temple.csv", csv_text(row("t1"), row("t2", adl_score="x")).encode()
    )
    response = client.post("/referrals/screen/", {"file": upload, "on": "7/12/2569"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "t1" in page and "adl_score" in page and 'id="screen-results"' in page
    results_csv = response.context["result"].csv_text()
    download = client.post("/referrals/screen/download/", {"results": results_csv})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download.content.decode("utf-8-sig").startswith("case_id,service,eligible")
    assert client.post("/referrals/screen/download/", {"results": "a,b\n"}).status_code == 400
    labels = list(AuditEvent.objects.values_list("object_type", flat=True))
    assert "referrals.screen" in labels and "export" in labels
    assert not Person.objects.exists()
