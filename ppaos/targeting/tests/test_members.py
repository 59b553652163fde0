"""Issue 13 (4): person-level indicators asked of each eligible member, on the web visit form
and in the XLSForm's member repeat, stored in `member_indicators` and used by the engine."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from ppaos.assessment.models import Assessment
from ppaos.assessment.selectors import indicator_set_active
from ppaos.assessment.tests.conftest import ALL_MET, add_person
from ppaos.registry.models import Household
from ppaos.targeting.forms import VisitForm
from ppaos.targeting.members import age_on
from ppaos.targeting.models import Visit

VISIT_DAY = "10/01/2569"  # 10 January 2026


@pytest.fixture
def family(households):
    """Household A: the head (born 1980, 46 on the visit day) and two children of 9 and 13."""
    household = households["A"]
    head = household.memberships.get().person
    younger = add_person(household, born=dt.date(2016, 3, 1), since=dt.date(2020, 1, 1))
    older = add_person(household, born=dt.date(2012, 6, 1), since=dt.date(2020, 1, 1))
    return household, head, younger, older


def household_answers() -> dict:
    answers = {f"ind_{code}": "yes" if ok else "na" for code, ok in ALL_MET.items()}
    return answers | {"ind_i3_income_per_person": "yes"}


def post_data(**extra) -> dict:
    return {
        "consent_given": "on",
        "consent_by": "นางมาลี",
        "consent_purpose": "ตรวจสอบ",
        "visited_on": VISIT_DAY,
        "outcome": "confirmed_poor",
        "base_version": 1,
        **household_answers(),
    } | extra


@pytest.mark.django_db
def test_each_eligible_member_is_asked_and_the_assessment_uses_the_answers(
    login, campaign, family, volunteer_a, django_capture_on_commit_callbacks
):
    household, head, younger, older = family
    client = login(volunteer_a)
    url = f"/targeting/campaigns/{campaign.pk}/households/{household.pk}/visit/"
    page = client.get(url).text
    # Compulsory schooling (ages 6–14): asked of both children, not of the head.
    assert f'name="mem_{younger.pk}_e2_compulsory"' in page
    assert f'name="mem_{older.pk}_e2_compulsory"' in page
    assert f'name="mem_{head.pk}_e2_compulsory"' not in page
    assert f'name="mem_{head.pk}_e4_literacy"' in page  # 15–59
    assert f'name="mem_{younger.pk}_e4_literacy"' not in page
    # Person-level indicators are no longer asked of the household; household-level ones are.
    assert 'name="ind_e2_compulsory"' not in page and 'name="ind_h2_safe_food"' in page
    assert younger.full_name in page and older.full_name in page
    # Thai labels: the section, each member's age and the indicator's Thai name.
    today = timezone.localdate()  # the form opens on today's date: ages as of today
    assert "ตัวชี้วัดรายบุคคล" in page
    assert f"อายุ {age_on(younger.birth_date, today)} ปี" in page
    assert f"อายุ {age_on(older.birth_date, today)} ปี" in page
    assert "เด็กอายุ 6-14 ปี ได้รับการศึกษาภาคบังคับ 9 ปี" in page
    assert "Indicators for each member" not in page

    answers = {
        f"mem_{younger.pk}_e2_compulsory": "yes",
        f"mem_{older.pk}_e2_compulsory": "no",
        f"mem_{head.pk}_e4_literacy": "yes",
        f"mem_{head.pk}_i1_working_age_job": "yes",
        f"mem_{head.pk}_e2_compulsory": "no",  # not asked: ignored
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post_data(**answers))
    assert response.status_code == 302
    survey = Visit.objects.get().survey
    assert survey.member_indicators == {
        str(younger.pk): {"e2_compulsory": True},
        str(older.pk): {"e2_compulsory": False},
        str(head.pk): {"e4_literacy": True, "i1_working_age_job": True},
    }
    assert "e2_compulsory" not in survey.indicators

    assessment = Assessment.objects.get(household=household)
    assert assessment.survey == survey
    # any_eligible_member: one child not in school makes the household not meet it.
    assert assessment.deprivations["e2_compulsory"] == 1
    assert assessment.deprivations["e4_literacy"] == 0
    assert assessment.deprivations["i1_working_age_job"] == 0
    assert assessment.deprivations["e1_early_childhood"] is None  # nobody aged 3–5
    assert assessment.is_poor and "e2_compulsory" not in assessment.missing


@pytest.mark.django_db
def test_a_household_without_registered_members_keeps_the_household_question(campaign, communities):
    empty = Household.objects.create(
        code="T-EMPTY", community=communities["A"], subdistrict_id=communities["A"].subdistrict_id
    )
    form = VisitForm(indicator_set=indicator_set_active(), household=empty)
    assert "ind_e2_compulsory" in form.fields and not form.member_groups
    bound = VisitForm(
        post_data(ind_e2_compulsory="no"), indicator_set=indicator_set_active(), household=empty
    )
    assert bound.is_valid(), bound.errors
    survey = bound.survey()
    assert survey["answers"]["e2_compulsory"] is False and survey["member_indicators"] == {}


@pytest.mark.django_db
def test_eligibility_is_on_the_visit_day(campaign, family):
    """A child who turns 6 after the visit day is not asked about compulsory schooling."""
    household, _head, _younger, _older = family
    toddler = add_person(household, born=dt.date(2020, 1, 11), since=dt.date(2020, 1, 11))
    indicator_set = indicator_set_active()
    on_visit_day = VisitForm(post_data(), indicator_set=indicator_set, household=household)
    assert f"mem_{toddler.pk}_e2_compulsory" not in on_visit_day.fields
    assert f"mem_{toddler.pk}_e1_early_childhood" in on_visit_day.fields  # 5 years old
    a_day_later = VisitForm(
        post_data(visited_on="11/01/2569"), indicator_set=indicator_set, household=household
    )
    assert f"mem_{toddler.pk}_e2_compulsory" in a_day_later.fields


# The XLSForm and the ODK / Kobo import ---------------------------------------------------------

XF = "{http://www.w3.org/2002/xforms}"
VISIT_ISO = "2026-01-10"


def binds_of(xform: str) -> dict:
    from defusedxml import ElementTree as ET

    root = ET.fromstring(xform)
    return root, {b.get("nodeset"): b for b in root.iter(f"{XF}bind")}


@pytest.mark.django_db
def test_xlsform_asks_person_level_indicators_in_a_member_repeat(campaign, family):
    from ppaos.targeting.xlsform import build_xlsform, xlsform_to_xform

    household, head, younger, older = family
    indicator_set = indicator_set_active()
    xform = xlsform_to_xform(build_xlsform(campaign=campaign, indicator_set=indicator_set))
    root, binds = binds_of(xform)
    repeat = next(root.iter(f"{XF}repeat"))
    assert repeat.get("nodeset") == "/data/survey/members"
    assert "member_count" in repeat.get("{http://openrosa.org/javarosa}count")
    assert "count(instance('members')" in binds["/data/hh/member_count"].get("calculate")
    member = binds["/data/survey/members/member"]
    assert member.get("required") == "true()" and "current()" in member.get("constraint")
    e2 = binds["/data/survey/members/pind_e2_compulsory"].get("relevant")
    assert ">= 6" in e2 and "<= 14" in e2 and "member_age" in e2
    a2 = binds["/data/survey/members/pind_a2_disability_care"].get("relevant")
    assert "member_disabled" in a2 and "member_age" not in a2
    assert "visited_on" in binds["/data/survey/members/member_age"].get("calculate")
    # The household-level question of a person-level indicator: only without listed members.
    household_e2 = binds["/data/survey/dim_education/ind_e2_compulsory"].get("relevant")
    assert household_e2.replace(" ", "") == "/data/hh/member_count=0"
    assert binds["/data/survey/dim_health/ind_h2_safe_food"].get("relevant") is None
    # The members list: each current member with household code, birth date and card.
    instance = root.find(f".//{XF}instance[@id='members']")
    items = {i.findtext(f"{XF}name"): i for i in instance.iter(f"{XF}item")}
    assert {str(p.pk) for p in (head, younger, older)} <= set(items)
    assert items[str(younger.pk)].findtext(f"{XF}hh") == household.code
    assert items[str(younger.pk)].findtext(f"{XF}birth") == "2016-03-01"
    assert items[str(younger.pk)].findtext(f"{XF}disabled") == "0"

    # Without member choices (a user who may not see people) no repeat, every question asked.
    plain = xlsform_to_xform(
        build_xlsform(campaign=campaign, indicator_set=indicator_set, with_members=False)
    )
    root, binds = binds_of(plain)
    assert not list(root.iter(f"{XF}repeat"))
    assert binds["/data/survey/dim_education/ind_e2_compulsory"].get("relevant") is None


def submission(household, uuid, members, **survey):
    return {
        "__id": f"uuid:{uuid}",
        "hh": {"household_code": household.code, "base_version": str(household.version)},
        "consent": {"consent_given": "yes", "consent_by": "นางมาลี"},
        "visit": {"visited_on": VISIT_ISO, "outcome": "confirmed_poor"},
        "survey": {"dim_health": {"ind_h2_safe_food": "met"}, "members": members, **survey},
        "meta": {"instanceID": f"uuid:{uuid}"},
        "__system": {"submitterName": "vol_a"},
    }


def import_json(tmp_path, campaign, actor, data, name="central.json"):
    import json

    from ppaos.targeting import submissions

    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with translation.override("en"):  # the reasons in English
        return submissions.submissions_import(campaign=campaign, path=path, name=name, actor=actor)


@pytest.mark.django_db
def test_odk_json_with_a_member_repeat_is_imported_into_member_indicators(
    tmp_path, campaign, family, coordinator, households
):
    household, head, younger, older = family
    members = [
        {"__id": "r1", "member": str(younger.pk), "pind_e2_compulsory": "met"},
        {"__id": "r2", "member": str(older.pk), "pind_e2_compulsory": "not_met"},
        # The head is 46: compulsory schooling does not apply to him and is not kept.
        {"member": str(head.pk), "pind_e4_literacy": "met", "pind_e2_compulsory": "not_met"},
    ]
    uuid = "3b241101-e2bb-4255-8caf-4136c566a901"
    report = import_json(
        tmp_path, campaign, coordinator, {"value": [submission(household, uuid, members)]}
    )
    assert report.rows[0].status == "created", report.rows
    survey = Visit.objects.get().survey
    assert survey.indicators == {"h2_safe_food": True}
    assert survey.member_indicators == {
        str(younger.pk): {"e2_compulsory": True},
        str(older.pk): {"e2_compulsory": False},
        str(head.pk): {"e4_literacy": True},
    }


@pytest.mark.django_db
def test_kobo_json_repeat_and_bad_member_entries(
    tmp_path, campaign, family, coordinator, households
):
    household, head, younger, older = family
    outsider = households["B"].memberships.get().person

    def kobo(uuid, entries):
        return {
            "_uuid": uuid,
            "_submitted_by": "vol_a",
            "hh/household_code": household.code,
            "hh/base_version": str(household.version),
            "consent/consent_given": "yes",
            "consent/consent_by": "นางมาลี",
            "visit/visited_on": VISIT_ISO,
            "visit/outcome": "confirmed_poor",
            "survey/members": [
                {"survey/members/member": str(person), "survey/members/pind_e2_compulsory": v}
                for person, v in entries
            ],
        }

    report = import_json(
        tmp_path,
        campaign,
        coordinator,
        [
            kobo("k-good", [(younger.pk, "not_met"), (older.pk, "met")]),
            kobo("k-outsider", [(outsider.pk, "met")]),
            kobo("k-twice", [(younger.pk, "met"), (younger.pk, "met")]),
            kobo("k-bad-value", [(younger.pk, "maybe")]),
        ],
        name="kobo.json",
    )
    rows = {r.submission_id: r for r in report.rows}
    assert rows["k-good"].status == "created", rows["k-good"].reason
    assert Visit.objects.get(submission_id="k-good").survey.member_indicators == {
        str(younger.pk): {"e2_compulsory": False},
        str(older.pk): {"e2_compulsory": True},
    }
    assert rows["k-outsider"].status == "rejected"
    assert "not a current member" in rows["k-outsider"].reason
    assert rows["k-twice"].status == "rejected" and "listed twice" in rows["k-twice"].reason
    assert rows["k-bad-value"].status == "rejected" and "maybe" in rows["k-bad-value"].reason
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_a_repeat_left_in_another_table_is_noted(tmp_path, campaign, family, coordinator):
    household, *_ = family
    record = submission(household, "3b241101-e2bb-4255-8caf-4136c566a902", [])
    record["survey"].pop("members")
    record["survey"]["members@odata.navigationLink"] = "Submissions('uuid:x')/survey/members"
    report = import_json(tmp_path, campaign, coordinator, {"value": [record]})
    assert report.rows[0].status == "created"
    assert "separate table" in report.rows[0].reason
    assert Visit.objects.get().survey.member_indicators == {}


@pytest.mark.django_db
def test_a_csv_cell_holding_the_repeat_as_json(tmp_path, campaign, family, coordinator):
    import csv
    import json

    from ppaos.targeting import submissions

    household, _head, younger, _older = family
    header = [
        "hh-household_code",
        "hh-base_version",
        "consent-consent_given",
        "consent-consent_by",
        "visit-visited_on",
        "visit-outcome",
        "survey-members",
        "meta-instanceID",
        "SubmitterName",
    ]
    good = json.dumps([{"member": str(younger.pk), "pind_e2_compulsory": "not_met"}])
    rows = [
        [household.code, household.version, "yes", "นางมาลี", VISIT_ISO, "confirmed_poor"]
        + [good, "uuid:csv-1", "vol_a"],
        [household.code, household.version, "yes", "นางมาลี", VISIT_ISO, "confirmed_poor"]
        + ["[not json", "uuid:csv-2", "vol_a"],
    ]
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    with translation.override("en"):
        report = submissions.submissions_import(
            campaign=campaign, path=path, name=path.name, actor=coordinator
        )
    lines = {r.submission_id: r for r in report.rows}
    assert lines["uuid:csv-1"].status == "created", lines["uuid:csv-1"].reason
    assert Visit.objects.get().survey.member_indicators == {
        str(younger.pk): {"e2_compulsory": False}
    }
    assert lines["uuid:csv-2"].status == "rejected"
    assert "not a JSON list" in lines["uuid:csv-2"].reason
