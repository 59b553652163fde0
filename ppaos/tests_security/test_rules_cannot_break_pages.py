"""One bad eligibility rule must not break the referral pages (issue 14, item 4).

The attacks the security test found: `{"between": [{"var": "age"}, "a", "z"]}` passed
validation and then every referral page answered 500; string arithmetic (`{"*": ["x", 3]}`)
passed too; deeply nested JSON gave a 500; and a faulty version in force today could not be
replaced. Now: rules are type-checked when saved (form, catalogue loader), parsed with limits,
a bad rule already stored shows as "rule error" to coordinators and leaves the rest of each
page working, and a version in force can be superseded."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from ppaos.accounts.models import Organisation
from ppaos.audit.models import AuditEvent
from ppaos.referrals import services
from ppaos.referrals.models import Service, ServiceRule
from ppaos.referrals.screening import COLUMNS

pytestmark = pytest.mark.django_db

BETWEEN_STRINGS = {"between": [{"var": "age"}, "a", "z"]}
STRING_ARITHMETIC = {"*": ["x", 3]}
DEEP = "[" * 10_000 + "]" * 10_000
GOOD = {">=": [{"var": "age"}, 18]}


def thai_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


@pytest.fixture
def catalogue(geography):
    """Two services: one whose rule will go bad, one that stays good."""
    agency = Organisation.objects.create(name_th="หน่วยงานทดสอบกฎ", kind="government_agency")
    made = {}
    for code in ("fragile", "sturdy"):
        service = Service.objects.create(
            code=code,
            name_th=f"บริการ {code}",
            name_en=f"Service {code}",
            category="welfare",
            provider=agency,
        )
        ServiceRule.objects.create(
            service=service, effective_from=dt.date(2020, 1, 1), eligibility=GOOD, amount=500
        )
        made[code] = service
    return made


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_rule(client, code: str, **data):
    form = {"effective_from": thai_date(timezone.localdate()), "eligibility": "", "amount": ""}
    return client.post(f"/referrals/services/{code}/rules/new/", form | data)


# Refused when saved -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, text, message",
    [
        (
            "eligibility",
            json.dumps(BETWEEN_STRINGS),
            "&#x27;between&#x27; needs a date or a number",
        ),
        ("amount", json.dumps(STRING_ARITHMETIC), "&#x27;*&#x27; needs a number as argument 1"),
        ("eligibility", DEEP, "nested too deeply"),
        ("amount", DEEP, "nested too deeply"),
        ("eligibility", "1" * 5000, "too long"),
        ("eligibility", '{"var": "age"}', "gives a number where true/false is needed"),
    ],
)
def test_the_rule_form_refuses_bad_rules_with_the_reason(
    login, english, coordinator, catalogue, field, text, message
):
    client = login(coordinator)
    response = post_rule(client, "fragile", replace="on", **{field: text})
    assert response.status_code == 200
    assert message in response.text
    assert catalogue["fragile"].rules.count() == 1


def test_the_catalogue_loader_refuses_bad_rules(geography, tmp_path):
    def catalogue_file(eligibility, amount=None) -> str:
        data = {
            "organisations": [{"key": "o", "name_th": "หน่วยงาน", "kind": "government_agency"}],
            "services": [
                {
                    "code": "loaded",
                    "name_th": "บริการ",
                    "category": "welfare",
                    "provider": "o",
                    "rules": [
                        {
                            "effective_from": "2024-01-01",
                            "eligibility": eligibility,
                            "amount": amount,
                        }
                    ],
                }
            ],
        }
        path = tmp_path / "catalogue.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    translation.activate("en")  # the messages are matched in English
    for eligibility, amount in ((BETWEEN_STRINGS, None), (GOOD, STRING_ARITHMETIC)):
        with pytest.raises(ValidationError, match="loaded, rule from 2024-01-01"):
            services.catalogue_load(path=catalogue_file(eligibility, amount))
        with pytest.raises(CommandError, match="loaded"):
            call_command("load-services", str(catalogue_file(eligibility, amount)))
    deep = tmp_path / "deep.json"
    deep.write_text('{"services": ' + DEEP + "}", encoding="utf-8")
    with pytest.raises(ValueError, match="nested too deeply"):
        services.catalogue_load(path=deep)
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("load-services", str(deep))
    assert not Service.objects.filter(code="loaded").exists()


def test_the_service_refuses_a_bad_rule_whatever_calls_it(coordinator, catalogue):
    for eligibility, amount in ((BETWEEN_STRINGS, None), (GOOD, STRING_ARITHMETIC)):
        with pytest.raises(ValidationError):
            services.service_rule_add(
                actor=coordinator,
                service=catalogue["fragile"],
                effective_from=dt.date(2030, 1, 1),
                eligibility=eligibility,
                amount=amount,
            )


# A bad rule already stored ----------------------------------------------------------------


@pytest.fixture
def broken(catalogue):
    """The rule in force today, written straight to the database as before type checks."""
    return ServiceRule.objects.create(
        service=catalogue["fragile"],
        effective_from=timezone.localdate(),
        eligibility=BETWEEN_STRINGS,
        amount=STRING_ARITHMETIC,
    )


def test_household_page_shows_a_rule_error_to_coordinators_only(
    login, english, households, coordinator, district_officer, volunteer_a, broken
):
    url = f"/referrals/households/{households['A'].pk}/"
    seen = login(coordinator).get(url)
    assert seen.status_code == 200
    assert 'class="rule-error" data-service="fragile"' in seen.text
    assert "rule error" in seen.text
    # The good service still answers for the same people.
    assert 'data-service="sturdy"' in seen.text
    for user in (district_officer, volunteer_a):
        page = login(user).get(url)
        assert page.status_code == 200
        assert "rule error" not in page.text
        assert 'data-service="fragile"' not in page.text
        assert 'data-service="sturdy"' in page.text


def test_eligibility_list_shows_a_rule_error_to_coordinators_only(
    login, english, households, coordinator, district_officer, broken
):
    seen = login(coordinator).get("/referrals/eligibility/")
    assert seen.status_code == 200
    assert "rule error" in seen.text and 'data-service="fragile"' in seen.text
    assert 'data-service="sturdy"' in seen.text
    fragile = login(coordinator).get("/referrals/eligibility/?service=fragile")
    assert fragile.status_code == 200
    other = login(district_officer).get("/referrals/eligibility/")
    assert other.status_code == 200
    assert "rule error" not in other.text and 'data-service="fragile"' not in other.text
    assert 'data-service="sturdy"' in other.text


def test_the_referral_form_and_the_api_still_answer(
    login, english, households, coordinator, broken
):
    client = login(coordinator)
    head = households["A"].memberships.get(relation="head").person
    page = client.get(f"/referrals/households/{households['A'].pk}/people/{head.pk}/fragile/")
    assert page.status_code == 200 and "rule error" in page.text
    assert client.get("/api/services/").status_code == 200
    assert client.get("/referrals/services/fragile/").status_code == 200
    assert client.get("/referrals/services/").status_code == 200


def test_eligibility_command_reports_the_rule_error_and_goes_on(households, broken):
    out, err = io.StringIO(), io.StringIO()
    call_command("eligibility", "--summary", stdout=out, stderr=err, language="en")
    assert "fragile: rule error" in err.getvalue()
    assert "sturdy:" in out.getvalue()


def test_screening_leaves_the_broken_service_out_and_names_it(
    login, english, coordinator, district_officer, broken, tmp_path
):
    row = {c: "" for c in COLUMNS} | {"case_id": "c1", "birth_date": "1950-03-01"}
    text = ",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n"
    on = thai_date(timezone.localdate())
    seen = login(coordinator).post(
        "/referrals/screen/",
        {"file": SimpleUploadedFile("list.csv", text.encode()), "on": on},
    )
    assert seen.status_code == 200
    assert "rule error" in seen.text and "fragile" in seen.text
    assert [o.service for o in seen.context["result"].outcomes] == ["sturdy"]
    other = login(district_officer).post(
        "/referrals/screen/",
        {"file": SimpleUploadedFile("list.csv", text.encode()), "on": on},
    )
    assert other.status_code == 200 and "rule error" not in other.text
    source, out, err = tmp_path / "in.csv", tmp_path / "out.csv", io.StringIO()
    source.write_text(text, encoding="utf-8")
    call_command(
        "screen", str(source), on=timezone.localdate().isoformat(), out=str(out), stderr=err
    )
    assert "fragile" in err.getvalue()
    assert "sturdy" in out.read_text(encoding="utf-8")
    assert "fragile" not in out.read_text(encoding="utf-8")


def test_a_rule_deeper_than_the_limit_in_the_database_is_a_rule_error(
    login, english, households, coordinator, catalogue
):
    deep = {"not": {"var": "thai"}}
    for _ in range(200):
        deep = {"not": deep}
    ServiceRule.objects.create(
        service=catalogue["fragile"], effective_from=timezone.localdate(), eligibility=deep
    )
    page = login(coordinator).get(f"/referrals/households/{households['A'].pk}/")
    assert page.status_code == 200 and "nested too deeply" in page.text


# Superseding a version in force -----------------------------------------------------------


def test_a_version_in_force_today_can_be_replaced_and_stays_in_history(
    login, english, households, coordinator, broken
):
    client = login(coordinator)
    fixed = json.dumps({"between": [{"var": "age"}, 18, 59]})
    refused = post_rule(client, "fragile", eligibility=fixed, amount="500")
    assert refused.status_code == 200 and "exists already" in refused.text
    response = post_rule(client, "fragile", eligibility=fixed, amount="500", replace="on")
    assert response.status_code == 302
    broken.refresh_from_db()
    assert broken.replaced_at is not None and broken.replaced_by is not None
    service = Service.objects.get(code="fragile")
    assert service.rule_on(timezone.localdate()).eligibility == json.loads(fixed)
    assert service.rules.count() == 3  # nothing deleted
    assert AuditEvent.objects.filter(
        object_type="referrals.service", changes__has_key="replaced"
    ).exists()
    history = client.get("/referrals/services/fragile/")
    assert history.status_code == 200 and 'data-replaced="true"' in history.text
    page = client.get(f"/referrals/households/{households['A'].pk}/")
    assert page.status_code == 200 and "rule error" not in page.text


def test_a_version_in_force_is_superseded_from_a_later_day(login, english, coordinator, catalogue):
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    client = login(coordinator)
    response = post_rule(
        client,
        "fragile",
        effective_from=thai_date(tomorrow),
        eligibility=json.dumps({">=": [{"var": "age"}, 60]}),
        amount="700",
    )
    assert response.status_code == 302
    service = Service.objects.get(code="fragile")
    assert service.rule_on(today).amount == 500  # the old version ends today
    service = Service.objects.get(code="fragile")
    assert service.rule_on(tomorrow).amount == 700
    event = AuditEvent.objects.filter(
        object_type="referrals.service", changes__has_key="ended"
    ).get()
    assert event.changes["ended"][1] == f"until {today.isoformat()}"
    history = client.get("/referrals/services/fragile/")
    assert "until" in history.text


def test_the_rule_error_reads_in_thai(login, households, coordinator, broken):
    page = login(coordinator).get(f"/referrals/households/{households['A'].pk}/")
    assert page.status_code == 200 and "ข้อผิดพลาดของกฎ" in page.text
