import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from defusedxml import ElementTree as ET
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.assessment.models import SurveyResponse
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.models import Action, AuditEvent
from ppaos.conftest import PASSWORD
from ppaos.registry.services import household_update
from ppaos.targeting import submissions
from ppaos.targeting.models import Job, Visit
from ppaos.targeting.services import campaign_assign, campaign_open
from ppaos.targeting.xlsform import build_xlsform, xlsform_to_xform

XF = "{http://www.w3.org/2002/xforms}"
YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


@pytest.fixture(autouse=True)
def english():
    """English messages."""
    with translation.override("en"):
        yield


def volunteer_in(community, username):
    user = user_create(username=username, password=PASSWORD, first_name=username)
    role_assign(user=user, role=Role.VOLUNTEER, community=community)
    return user


@pytest.fixture
def campaign(coordinator, communities, households, volunteer_a):
    """Communities A (vol_a) and B (vol_b) assigned; C is not in the campaign."""
    campaign = campaign_open(actor=coordinator, name="ตรวจสอบ 2569", target_list=None)
    campaign_assign(campaign=campaign, community=communities["A"], volunteer=volunteer_a)
    campaign_assign(
        campaign=campaign,
        community=communities["B"],
        volunteer=volunteer_in(communities["B"], "vol_b"),
    )
    return campaign


def odk_row(household, uuid: str, submitter: str = "vol_a", base_version="1", **answers) -> dict:
    """One submission as ODK Central's CSV export names its columns (groups joined by -)."""
    values = {
        "consent_given": "yes",
        "consent_by": "นางมาลี",
        "consent_purpose": "ตรวจสอบ",
        "visited_on": YESTERDAY,
        "outcome": "confirmed_poor",
    } | answers
    groups = {
        "consent_given": "consent",
        "consent_by": "consent",
        "consent_purpose": "consent",
        "visited_on": "visit",
        "outcome": "visit",
        "notes": "visit",
        "problems": "survey",
        "needs": "survey",
        "photo": "survey",
    }
    row = {
        "SubmissionDate": "2026-01-15T03:04:05.000Z",
        "hh-community": household.community.code if household else "",
        "hh-household": household.code if household else "",
        "hh-household_code": household.code if household else "",
        "hh-base_version": base_version,
        "meta-instanceID": f"uuid:{uuid}" if uuid else "",
        "KEY": f"uuid:{uuid}" if uuid else "",
        "SubmitterID": "7",
        "SubmitterName": submitter,
        "ReviewState": "",
    }
    for name, value in values.items():
        if name.startswith("ind_"):
            row[f"survey-dim_x-{name}"] = value
        elif name.startswith("cap_"):
            row[f"survey-capital_x-{name}"] = value
        else:
            row[f"{groups[name]}-{name}"] = value
    return row


def write_csv(tmp_path, rows, name="export.csv", delimiter=","):
    header = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run_import(campaign, path, actor):
    return submissions.submissions_import(campaign=campaign, path=path, name=path.name, actor=actor)


def by_line(report):
    return {r.line: r for r in report.rows}


@pytest.mark.django_db
def test_xlsform_converts_and_asks_every_code_after_consent(campaign, households):
    indicator_set = indicator_set_active()
    data = build_xlsform(campaign=campaign, indicator_set=indicator_set)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {"survey", "choices", "settings"} <= set(book.sheetnames)
    header = [c.value for c in book["survey"][1]]
    assert "label::Thai (th)" in header and "label::English (en)" in header
    settings = dict(zip(*[[c.value for c in r] for r in book["settings"].iter_rows()], strict=True))
    assert settings["form_id"] == f"ppaos_campaign_{campaign.pk}"
    assert settings["version"].startswith(indicator_set.version)

    root = ET.fromstring(xlsform_to_xform(data))
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in root.iter(f"{XF}bind")}
    for indicator in indicator_set.indicators():
        assert binds[f"ind_{indicator['code']}"].get("nodeset").startswith("/data/survey/")
    for item in indicator_set.capital_items():
        assert binds[f"cap_{item['code']}"].get("nodeset").startswith("/data/survey/")
    for name in ("problems", "needs", "photo"):
        assert binds[name].get("nodeset").startswith("/data/survey/")
    assert binds["survey"].get("relevant").replace(" ", "") == "/data/consent/consent_given='yes'"
    assert binds["consent_by"].get("relevant").replace(" ", "") == (
        "/data/consent/consent_given='yes'"
    )
    assert "hh_version" in binds["base_version"].get("calculate")
    groups = [
        g.get("ref")
        for g in root.find("{http://www.w3.org/1999/xhtml}body")
        if g.tag == f"{XF}group"
    ]
    assert (
        groups.index("/data/consent") < groups.index("/data/visit") < groups.index("/data/survey")
    )
    # The household list carries each household's registry version, filtered by community.
    instance = root.find(f".//{XF}instance[@id='households']")
    items = {i.findtext(f"{XF}name"): i for i in instance.iter(f"{XF}item")}
    assert set(items) == {households["A"].code, households["B"].code, "other"}
    assert items[households["A"].code].findtext(f"{XF}hh_version") == "1"


@pytest.mark.django_db
def test_odk_csv_import_creates_visits_and_surveys_and_is_idempotent(
    tmp_path, campaign, households, coordinator, volunteer_a
):
    survey = {
        "ind_h1_birth_weight": "met",
        "ind_h2_safe_food": "not_met",
        "ind_h3_medicines": "na",
        "cap_hu1_health": "3",
        "problems": "debt income",
        "needs": "ซ่อมหลังคา",
        "photo": "1736900000.jpg",
    }
    path = write_csv(
        tmp_path,
        [
            odk_row(households["A"], "a-1", **survey),
            odk_row(
                households["B"],
                "b-1",
                submitter="Phone 3",
                consent_given="no",
                consent_by="",
                outcome="not_found",
            ),
        ],
    )
    report = run_import(campaign, path, coordinator)
    assert report.source == "odk" and report.counts()["created"] == 2, report.rows
    rows = by_line(report)
    assert "photo is not imported" in rows[2].reason
    assert "recorded under your name" in rows[3].reason
    visit = Visit.objects.get(submission_id="uuid:a-1")
    assert (visit.source, visit.volunteer, visit.status) == ("odk", volunteer_a, "recorded")
    assert visit.consent_given and visit.consent_by == "นางมาลี" and visit.base_version == 1
    assert visit.payload["SubmitterName"] == "vol_a"
    assert visit.outcome == "newly_found_poor"  # poor and not on a target list
    assert visit.survey.indicators == {
        "h1_birth_weight": True,
        "h2_safe_food": False,
        "h3_medicines": None,
    }
    assert visit.survey.capital_items == {"hu1_health": 3}
    assert visit.survey.problems == ["debt", "income"] and visit.survey.needs == "ซ่อมหลังคา"
    not_found = Visit.objects.get(submission_id="uuid:b-1")
    assert not_found.volunteer == coordinator and not_found.survey is None

    again = run_import(campaign, path, coordinator)
    assert again.counts() == {"created": 0, "already": 2, "conflict": 0, "rejected": 0}
    assert Visit.objects.count() == 2 and SurveyResponse.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_made_on_an_older_version_is_a_conflict_and_the_registry_is_unchanged(
    tmp_path, campaign, households, coordinator, login
):
    household = household_update(
        actor=coordinator, household=households["A"], expected_version=1, data={"house_no": "9/9"}
    )
    before = household.__class__.objects.filter(pk=household.pk).values().get()
    assert before["version"] == 2
    path = write_csv(
        tmp_path,
        [
            odk_row(households["A"], "old-1", base_version="1", ind_h1_birth_weight="met"),
            odk_row(households["A"], "new-1", base_version="2"),
            odk_row(households["A"], "none-1", base_version=""),
        ],
    )
    report = run_import(campaign, path, coordinator)
    rows = by_line(report)
    assert [rows[n].status for n in (2, 3, 4)] == ["conflict", "created", "conflict"]
    assert "version 1" in rows[2].reason and "now at 2" in rows[2].reason
    assert "no base_version" in rows[4].reason
    old = Visit.objects.get(submission_id="uuid:old-1")
    assert old.status == Visit.Status.CONFLICT and old.base_version == 1
    assert old.survey.indicators == {"h1_birth_weight": True}  # kept for review
    assert household.__class__.objects.filter(pk=household.pk).values().get() == before
    page = login(coordinator).get(f"/targeting/campaigns/{campaign.pk}/")
    assert "conflicts-list" in page.text and page.text.count(households["A"].code) >= 2


@pytest.mark.django_db
def test_bad_submissions_are_rejected_with_reasons_and_never_stop_good_ones(
    tmp_path, campaign, households, coordinator
):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    path = write_csv(
        tmp_path,
        [
            odk_row(households["A"], "r-1", consent_given="no", ind_h1_birth_weight="met"),
            odk_row(households["C"], "r-2"),  # community C is not in the campaign
            odk_row(households["A"], "r-3", outcome="rich"),
            odk_row(households["A"], ""),
            odk_row(households["A"], "r-5", visited_on=tomorrow),
            odk_row(households["A"], "r-6", problems="debt flying"),
            odk_row(households["A"], "r-7", consent_by=""),
            odk_row(households["A"], "r-8") | {"FormVersion": "2020.1-0badf00d"},
            odk_row(households["A"], "ok-1"),
        ],
    )
    report = run_import(campaign, path, coordinator)
    rows = by_line(report)
    assert [rows[n].status for n in range(2, 11)] == ["rejected"] * 8 + ["created"]
    assert "consent before any survey answer" in rows[2].reason
    assert households["C"].code in rows[3].reason and "not in a community" in rows[3].reason
    assert "'rich' is not an outcome" in rows[4].reason
    assert "no instanceID" in rows[5].reason
    assert "future" in rows[6].reason
    assert "flying" in rows[7].reason
    assert "who gave consent" in rows[8].reason
    assert "indicator set 2020.1" in rows[9].reason
    assert list(Visit.objects.values_list("submission_id", flat=True)) == ["uuid:ok-1"]
    assert SurveyResponse.objects.count() == 0


@pytest.mark.django_db
def test_kobo_json_and_csv_exports(tmp_path, campaign, households, coordinator, volunteer_a):
    record = {
        "_id": 101,
        "formhub/uuid": "f00",
        "hh/community": households["A"].community.code,
        "hh/household": households["A"].code,
        "hh/household_code": households["A"].code,
        "hh/base_version": "1",
        "consent/consent_given": "yes",
        "consent/consent_by": "นายสมชาย",
        "visit/visited_on": YESTERDAY,
        "visit/outcome": "not_poor",
        "survey/dim_health/ind_h2_safe_food": "met",
        "survey/capital_financial/cap_fi3_debt": "1",
        "survey/problems": "debt",
        "meta/instanceID": "uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
        "_uuid": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "_submission_time": "2026-01-15T03:04:05",
        "_submitted_by": "VOL_A",
        "__version__": "vabc",
    }
    # The same household again, identified only by _uuid (no meta/instanceID).
    second = record | {"_uuid": "7c9e6679-7425-40de-944b-e07fc1f90ae7"}
    del second["meta/instanceID"]
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps({"count": 2, "results": [record, second]}), encoding="utf-8")
    report = run_import(campaign, path, coordinator)
    assert report.source == "kobo" and report.unit == "record"
    assert report.counts()["created"] == 2, report.rows
    visit = Visit.objects.get(submission_id="uuid:0f8fad5b-d9cb-469f-a165-70867728950e")
    assert (visit.source, visit.volunteer, visit.outcome) == ("kobo", volunteer_a, "not_poor")
    assert visit.survey.indicators == {"h2_safe_food": True}
    assert visit.survey.capital_items == {"fi3_debt": 1} and visit.survey.problems == ["debt"]
    assert Visit.objects.filter(submission_id="uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7").exists()

    # Kobo CSV: ';' separated, select_multiple split into 0/1 columns; same _uuid = same visit.
    row = {k: v for k, v in record.items() if k != "survey/problems"}
    row |= {"survey/problems/debt": "1", "survey/problems/income": "0", "_uuid": "kobo-csv-1"}
    del row["meta/instanceID"]
    path = write_csv(tmp_path, [row, record], name="kobo.csv", delimiter=";")
    report = run_import(campaign, path, coordinator)
    assert [r.status for r in report.rows] == ["created", "already"], report.rows
    assert Visit.objects.get(submission_id="kobo-csv-1").survey.problems == ["debt"]


@pytest.mark.django_db
def test_upload_page_shows_the_report_and_refuses_other_files(
    login, campaign, households, coordinator, tmp_path
):
    client = login(coordinator)
    client.cookies["django_language"] = "en"  # the assertions read English messages
    url = f"/targeting/campaigns/{campaign.pk}/submissions/"
    assert client.get(url).status_code == 200
    path = write_csv(tmp_path, [odk_row(households["A"], "p-1"), odk_row(None, "p-2")])
    response = client.post(url, {"file": SimpleUploadedFile("odk.csv", path.read_bytes())})
    assert response.status_code == 302  # to the job page: the worker imports the file
    job = Job.objects.get(kind=Job.Kind.OFFLINE)
    assert response["Location"] == f"/targeting/jobs/{job.pk}/"
    assert not job.file.name  # the upload is deleted once imported
    response = client.get(response["Location"])
    assert 'data-count="created">1<' in response.text
    assert 'data-count="rejected">1<' in response.text
    assert "the household code is missing" in response.text
    assert Visit.objects.filter(submission_id="uuid:p-1").exists()
    bad = client.post(url, {"file": SimpleUploadedFile("odk.xlsx", b"x")})
    assert "Use a .csv or .json export." in bad.text
    assert "/xlsform/" in client.get(f"/targeting/campaigns/{campaign.pk}/").text


@pytest.mark.django_db
def test_volunteer_downloads_the_form_of_their_communities_but_cannot_upload(
    login, campaign, households, volunteer_a
):
    client = login(volunteer_a)
    response = client.get(f"/targeting/campaigns/{campaign.pk}/xlsform/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    codes = {r[1] for r in book["choices"].iter_rows(values_only=True) if r[0] == "households"}
    assert codes == {households["A"].code, "other"}
    assert AuditEvent.objects.filter(actor=volunteer_a, action=Action.EXPORT).count() == 1
    url = f"/targeting/campaigns/{campaign.pk}/submissions/"
    assert client.get(url).status_code == 404
    upload = SimpleUploadedFile("odk.csv", b"KEY\nuuid:x\n")
    assert client.post(url, {"file": upload}).status_code == 404


@pytest.mark.django_db
def test_out_of_scope_campaign_is_404_for_both_pages(
    login, coordinator, communities, households, district_officer, volunteer_a
):
    elsewhere = campaign_open(actor=coordinator, name="เขต 1009", target_list=None)
    campaign_assign(
        campaign=elsewhere,
        community=communities["C"],
        volunteer=volunteer_in(communities["C"], "c"),
    )
    for user in (district_officer, volunteer_a):
        client = login(user)
        assert client.get(f"/targeting/campaigns/{elsewhere.pk}/xlsform/").status_code == 404
        url = f"/targeting/campaigns/{elsewhere.pk}/submissions/"
        assert client.get(url).status_code == 404
        upload = SimpleUploadedFile("odk.csv", b"KEY\nuuid:x\n")
        assert client.post(url, {"file": upload}).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.django_db
def test_management_commands(tmp_path, campaign, households, coordinator):
    out = tmp_path / "form.xlsx"
    call_command("export-xlsform", str(campaign.pk), "--out", str(out), stdout=io.StringIO())
    xlsform_to_xform(out.read_bytes())
    path = write_csv(tmp_path, [odk_row(households["A"], "cmd-1")])
    stdout = io.StringIO()
    call_command(
        "import-submissions", str(campaign.pk), str(path), "--user", "coord", stdout=stdout
    )
    assert "1 created" in stdout.getvalue()
    assert Visit.objects.filter(submission_id="uuid:cmd-1").exists()


@pytest.mark.django_db
def test_odk_central_odata_json_with_nested_groups(tmp_path, campaign, households, volunteer_a):
    indicator_set = indicator_set_active()
    submission = {
        "__id": "uuid:3b241101-e2bb-4255-8caf-4136c566a962",
        "hh": {"household_code": households["A"].code, "base_version": "1"},
        "consent": {"consent_given": "yes", "consent_by": "นางมาลี"},
        "visit": {"visited_on": YESTERDAY, "outcome": "moved"},
        "survey": {"dim_health": {"ind_h4_exercise": "not_met"}, "problems": "work"},
        "meta": {"instanceID": "uuid:3b241101-e2bb-4255-8caf-4136c566a962"},
        "__system": {"submitterName": "vol_a", "formVersion": f"{indicator_set.version}-12ab34cd"},
    }
    path = tmp_path / "central.json"
    path.write_text(json.dumps({"@odata.context": "x", "value": [submission]}), encoding="utf-8")
    report = run_import(campaign, path, volunteer_a)  # a volunteer manages nothing: rejected
    assert report.rows[0].status == "rejected" and "not in a community" in report.rows[0].reason
    report = run_import(campaign, path, campaign.opened_by)
    assert (report.source, report.rows[0].status) == ("odk", "created"), report.rows
    visit = Visit.objects.get()
    assert (visit.volunteer, visit.outcome) == (volunteer_a, "moved")
    assert visit.survey.indicators == {"h4_exercise": False} and visit.survey.problems == ["work"]


@pytest.mark.django_db
def test_capital_scores_carry_their_rubric_on_the_form_and_the_xlsform(campaign, households):
    """Issue 13 (3): what each score 1–4 means for each capital item, in both surveys."""
    from ppaos.assessment.rules import score_choices
    from ppaos.targeting.forms import VisitForm

    indicator_set = indicator_set_active()
    item = indicator_set.capital_items()[0]
    expected = score_choices(item)
    assert all(" – " in label for _value, label in expected), "the default set has rubrics"
    with translation.override("th"):
        form = VisitForm(indicator_set=indicator_set)
    assert list(form.fields[f"cap_{item['code']}"].choices)[1:] == expected
    book = openpyxl.load_workbook(
        io.BytesIO(build_xlsform(campaign=campaign, indicator_set=indicator_set))
    )
    rows = list(book["choices"].iter_rows(values_only=True))
    header = rows[0]
    name, label = header.index("list_name"), header.index("label::Thai (th)")
    labels = [r[label] for r in rows if r[name] == f"score_{item['code']}"]
    assert labels == [text for _value, text in expected]
