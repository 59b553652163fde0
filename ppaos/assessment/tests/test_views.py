"""Profile page (scoped, audited, in Thai), area analysis (scoped counts) and indicator sets."""

import copy
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ppaos.assessment.models import IndicatorSet
from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND
from ppaos.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(scenario):
    assessment_run(round_name=ROUND)
    return scenario


def _profile(household):
    return reverse("assessment:household", args=[household.pk])


def _measure(html: str, name: str) -> str:
    return re.search(rf'data-measure="{name}">([^<]+)<', html).group(1)


def test_profile_explains_in_thai_and_is_audited(login, coordinator, assessed):
    x = assessed["X"]
    response = login(coordinator).get(_profile(x))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-level="1"' in html and "อยู่ลำบาก" in html
    child = assessed["people"]["child"]
    assert child.full_name in html and "(อายุ 9 ปี)" in html  # who fails e2, in Thai
    assert "23,200" in html and "38,000" in html  # income per person against the threshold
    assert "บันทึกว่ายังไม่ผ่าน" in html  # h3/l1 come from the volunteer's answers
    assert "<svg" in html and 'id="radar"' in html
    assert html.index("หนี้สิน") < html.index("รายได้ไม่พอ")  # problems in the given order
    assert "สงเคราะห์" in html  # help that fits อยู่ลำบาก
    event = AuditEvent.objects.get(action="view", object_id=str(x.pk))
    assert event.actor == coordinator and "assessment" in event.object_label


@pytest.mark.parametrize("who", ["volunteer_a", "researcher", "agency_officer"])
def test_profile_out_of_scope_is_404_and_not_audited(request, login, assessed, who):
    user = request.getfixturevalue(who)
    target = assessed["W"] if who == "volunteer_a" else assessed["X"]
    assert login(user).get(_profile(target)).status_code == 404
    assert not AuditEvent.objects.filter(action="view", object_id=str(target.pk)).exists()


def test_profile_in_english_and_other_rounds(login, volunteer_a, assessed):
    client = login(volunteer_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(_profile(assessed["Y"]) + "?round=nope").content.decode()
    assert "Hard" in html and 'data-level="2"' in html


def test_profile_without_assessment(login, coordinator, scenario):
    html = login(coordinator).get(_profile(scenario["X"])).content.decode()
    assert 'id="no-assessment"' in html


def test_household_page_links_to_the_profile(login, coordinator, assessed):
    url = reverse("registry:household_detail", args=[assessed["X"].pk])
    assert _profile(assessed["X"]) in login(coordinator).get(url).content.decode()


def test_researcher_sees_aggregates_not_households(login, researcher, assessed, communities):
    client = login(researcher)
    html = client.get(reverse("assessment:province", args=["10"])).content.decode()
    assert _measure(html, "households") == "5"
    # X; W (36,000 baht a year); Z (one education indicator: the union rule).
    assert _measure(html, "poor") == "&lt; 5"  # 3: small, hidden from counts-only roles
    assert 'id="contributions"' in html and 'id="levels"' in html
    community = client.get(reverse("assessment:community", args=[communities["A"].pk]))
    assert community.status_code == 200
    assert 'id="households"' not in community.content.decode()


def test_volunteer_counts_only_their_community(login, volunteer_a, assessed, communities):
    client = login(volunteer_a)
    html = client.get(reverse("assessment:district", args=["1008"])).content.decode()
    assert _measure(html, "households") == "3"
    assert 'data-code="100803-01"' not in html
    assert client.get(reverse("assessment:district", args=["1009"])).status_code == 404
    other = reverse("assessment:community", args=[communities["B"].pk])
    assert client.get(other).status_code == 404
    mine = client.get(reverse("assessment:community", args=[communities["A"].pk]))
    assert _profile(assessed["X"]) in mine.content.decode()


def test_district_officer_sees_the_whole_district(login, district_officer, assessed):
    client = login(district_officer)
    html = client.get(reverse("assessment:district", args=["1008"]) + f"?round={ROUND}").content
    html = html.decode()
    assert _measure(html, "households") == "4"
    assert 'data-code="100801-01"' in html and 'data-code="100803-01"' in html
    assert client.get(reverse("assessment:district", args=["1009"])).status_code == 404


def test_agency_officer_has_no_analysis(login, agency_officer, assessed):
    assert login(agency_officer).get(reverse("assessment:province", args=["10"])).status_code == 404


def test_indicator_sets_page_lists_and_loads_versions(login, coordinator, default_set):
    client = login(coordinator)
    url = reverse("assessment:indicator_sets")
    html = client.get(url).content.decode()
    assert 'data-version="ppaos-default 2026.3"' in html and 'id="active-set"' in html
    newer = copy.deepcopy(default_set.definition)
    newer["version"] = "2027.1"
    upload = SimpleUploadedFile("set.json", json.dumps(newer).encode(), "application/json")
    response = client.post(url, {"file": upload, "activate": "on"})
    assert response.status_code == 302
    assert IndicatorSet.objects.get(is_active=True).version == "2027.1"
    assert IndicatorSet.objects.filter(version="2026.3").exists()  # the old one is kept
    detail = client.get(reverse("assessment:indicator_set", args=[default_set.pk])).content
    detail = detail.decode()
    assert 'id="poverty-rule" data-kind="union"' in detail
    assert "ไม่ผ่านเกณฑ์ตัวชี้วัดใดตัวชี้วัดหนึ่ง" in detail  # the rule in Thai words
    assert 'id="level-overrides"' in detail and "อยู่ได้ไม่เกินระดับอยู่ยาก" in detail


def test_indicator_set_upload_errors(login, coordinator, default_set):
    client = login(coordinator)
    url = reverse("assessment:indicator_sets")
    bad = SimpleUploadedFile("set.json", b"{not json", "application/json")
    assert client.post(url, {"file": bad}).status_code == 200
    changed = copy.deepcopy(default_set.definition)
    changed["note"] = "another note"  # same code and version, different content
    upload = SimpleUploadedFile("set.json", json.dumps(changed).encode(), "application/json")
    html = client.post(url, {"file": upload}).content.decode()
    assert "already loaded" in html
    assert IndicatorSet.objects.count() == 1


def test_indicator_sets_page_is_for_coordinators(login, volunteer_a, researcher, default_set):
    url = reverse("assessment:indicator_sets")
    assert login(volunteer_a).get(url).status_code == 404
    assert login(researcher).get(url).status_code == 404


def test_profile_shows_the_level_override_as_the_reason(login, coordinator, assessed):
    html = login(coordinator).get(_profile(assessed["W"])).content.decode()
    assert 'data-level="2"' in html and 'id="level-reasons"' in html
    assert "อยู่พอได้" in html  # the level the scores alone give
    assert "รายได้ต่อคนต่ำกว่าเกณฑ์รายได้ จึงอยู่ได้ไม่เกินระดับอยู่ยาก" in html
    assert 'id="missing"' not in html  # W's survey is complete


def test_profile_shows_each_items_rubric_and_the_rule_in_thai(login, coordinator, assessed):
    html = login(coordinator).get(_profile(assessed["Z"])).content.decode()
    # Z scored every item 4: the meaning of the score is shown beside it, and the rubric.
    assert "สุขภาพของสมาชิกวัยทำงาน: <strong>4</strong> (สุขภาพแข็งแรง ทำงานได้เต็มที่)" in html
    assert 'id="rubrics"' in html and "ป่วยหนัก ติดเตียง หรือทำงานไม่ได้" in html
    assert "ไม่ผ่านเกณฑ์ตัวชี้วัดใดตัวชี้วัดหนึ่ง" in html  # union, in Thai words
    assert 'data-status="poor"' in html


def test_area_page_states_the_rule_in_thai(login, coordinator, assessed):
    html = login(coordinator).get(reverse("assessment:province", args=["10"])).content.decode()
    assert 'id="poverty-rule" data-kind="union"' in html
    assert "ไม่ผ่านเกณฑ์ตัวชี้วัดใดตัวชี้วัดหนึ่ง" in html
    assert "1/17" not in html and "1/20" not in html
