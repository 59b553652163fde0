"""API of the referral system: the catalogue for everyone; referrals scoped like the pages
(city side by area, an agency by organisation with the minimised fields), filtered, audited."""

import datetime as dt
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from ppaos.accounts.models import Role
from ppaos.accounts.services import role_assign, user_create
from ppaos.api.endpoints.referrals import CITY_ONLY
from ppaos.audit.models import AuditEvent
from ppaos.conftest import PASSWORD
from ppaos.referrals import services
from ppaos.referrals.models import Service
from ppaos.referrals.tests.conftest import at

# The WSGI application without ppaos.wsgi's startup refusal (tests run on test keys).
application = get_wsgi_application()


@pytest.fixture
def api():
    def _api(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _api


@pytest.fixture
def other_officer(other_org):
    user = user_create(username="other_agency", password=PASSWORD)
    role_assign(user=user, role=Role.AGENCY_OFFICER, organisation=other_org)
    return user


@pytest.fixture
def in_1009(households, coordinator, old_age):
    """A draft referral of the head of household C (khet 1009)."""
    return services.referral_create(
        actor=coordinator,
        household=households["C"],
        person=households["C"].memberships.get().person,
        service=old_age,
        at=at(),
    )


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_services_are_the_catalogue_with_the_rule_in_force(api, researcher, old_age, other_org):
    Service.objects.create(
        code="id_card",
        name_th="ทำบัตรประชาชน",
        category="documents",
        provider_is_district_office=True,
    )
    assert api().get("/api/services/").status_code == 401
    response = api(researcher).get("/api/services/")
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"old_age_allowance", "id_card"}
    old = rows["old_age_allowance"]
    assert old["provider_name"] == "หน่วยงานทดสอบ"
    assert old["amount_period"] == "month"
    assert old["current_rule"]["effective_from"] == "2011-10-01"
    assert old["current_rule"]["amount"]["tiers"][1][0] == [60, 600]
    assert rows["id_card"]["current_rule"] is None
    assert rows["id_card"]["provider"] is None and rows["id_card"]["provider_name"] is None
    filtered = api(researcher).get("/api/services/?category=documents").json()["results"]
    assert [row["code"] for row in filtered] == ["id_card"]
    detail = api(researcher).get(f"/api/services/{old_age.pk}/")
    assert detail.status_code == 200 and detail.json()["code"] == "old_age_allowance"


@pytest.mark.django_db
def test_agency_sees_only_its_referrals_minimised(
    api, sent, in_1009, agency_officer, other_officer, elder, households, old_age, district_officer
):
    agency = api(agency_officer)
    draft = services.referral_create(
        actor=district_officer,
        household=households["B"],
        person=households["B"].memberships.get().person,
        service=old_age,
        at=at(),
    )
    # Only what is addressed to the organisation, never drafts (in_1009 and draft are drafts).
    assert _ids(agency.get("/api/referrals/")) == {sent.pk}
    assert agency.get(f"/api/referrals/{draft.pk}/").status_code == 404
    assert agency.get(f"/api/referrals/{in_1009.pk}/").status_code == 404

    response = agency.get(f"/api/referrals/{sent.pk}/")
    assert response.status_code == 200
    row = response.json()
    assert row["side"] == "agency"
    assert row["created_by"] is None and row["consent_by"] is None
    assert row["person_name"] == elder.full_name and row["phone"] == elder.phone
    assert row["address"].startswith(households["A"].house_no)
    assert row["note"] == "ช่วยขึ้นทะเบียนเบี้ยยังชีพ"
    assert row["service_code"] == "old_age_allowance" and row["consent_given"] is True
    for name in CITY_ONLY:
        assert row[name] is None, name
    text = json.dumps(row, ensure_ascii=False)
    head = households["A"].memberships.get(relation="head").person
    for private in [
        elder.national_id,
        elder.chronic_illness,
        head.first_name,
        households["A"].code,
    ]:
        assert private not in text, private
    assert AuditEvent.objects.filter(
        actor=agency_officer, action="view", object_type="referrals.referral", object_id=sent.pk
    ).exists()

    # Another organisation's officer: absent from the list, 404 on the detail.
    other = api(other_officer)
    assert _ids(other.get("/api/referrals/")) == set()
    assert other.get(f"/api/referrals/{sent.pk}/").status_code == 404


@pytest.mark.django_db
def test_city_side_is_scoped_by_area_with_the_full_record(
    api, sent, in_1009, district_officer, coordinator, volunteer_a, researcher, households
):
    officer = api(district_officer)
    assert _ids(officer.get("/api/referrals/")) == {sent.pk}
    assert officer.get(f"/api/referrals/{in_1009.pk}/").status_code == 404
    row = officer.get(f"/api/referrals/{sent.pk}/").json()
    assert row["side"] == "city"
    assert row["household"] == households["A"].pk
    assert row["household_code"] == households["A"].code
    assert row["consent_by"] == "นางบุญมา" and row["created_by"] == "khet1008"
    assert _ids(api(coordinator).get("/api/referrals/")) == {sent.pk, in_1009.pk}
    # A volunteer reads the referrals of their community, as on the pages.
    assert _ids(api(volunteer_a).get("/api/referrals/")) == {sent.pk}
    # A researcher sees no one.
    assert _ids(api(researcher).get("/api/referrals/")) == set()
    assert api(researcher).get(f"/api/referrals/{sent.pk}/").status_code == 404
    listed = AuditEvent.objects.filter(actor=coordinator, action="export")
    assert listed.filter(object_label="API list of referrals", object_id="2").exists()


@pytest.mark.django_db
def test_filters_by_status_service_and_overdue(
    api, sent, in_1009, coordinator, other_org, agency_officer
):
    client = api(coordinator)
    assert _ids(client.get("/api/referrals/?status=sent")) == {sent.pk}
    assert _ids(client.get("/api/referrals/?status=draft")) == {in_1009.pk}
    assert _ids(client.get(f"/api/referrals/?service={sent.service_id}")) == {sent.pk, in_1009.pk}
    assert _ids(client.get(f"/api/referrals/?service={sent.service_id + 999}")) == set()
    # Sent on 15 January 2026 with 30 days to answer: overdue from 15 February.
    assert sent.due_on < dt.date.today()
    assert _ids(client.get("/api/referrals/?overdue=true")) == {sent.pk}
    assert _ids(client.get("/api/referrals/?overdue=false")) == {in_1009.pk}
    assert client.get("/api/referrals/?status=nonsense").status_code == 400
    row = client.get(f"/api/referrals/{sent.pk}/").json()
    assert row["is_overdue"] is True
    services.referral_accept(actor=agency_officer, referral=sent)
    services.referral_close(actor=coordinator, referral=sent, reason="ย้ายออกนอกพื้นที่")
    assert _ids(client.get("/api/referrals/?overdue=true")) == set()
    assert _ids(client.get("/api/referrals/?status=closed&overdue=false")) == {sent.pk}


@pytest.fixture
def same_connection():
    """Requests served in process (schemathesis) keep the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_answers_with_data_conform_to_the_schema(
    same_connection, sent, in_1009, coordinator, agency_officer, old_age
):
    """The schemathesis run has no referrals to serve; here both sides' records are checked
    against the documented schema (the agency's nulls included)."""
    reader = {"Authorization": f"Token {Token.objects.get_or_create(user=coordinator)[0].key}"}
    # The schema needs a login too.
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=reader)
    checks = [status_code_conformance, response_schema_conformance]
    for user in (coordinator, agency_officer):
        headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        for path, parameters in [
            ("/api/referrals/", {}),
            ("/api/referrals/{id}/", {"id": sent.pk}),
            ("/api/services/", {}),
            ("/api/services/{id}/", {"id": old_age.pk}),
        ]:
            case = schema[path]["GET"].Case(path_parameters=parameters)
            response = case.call_and_validate(headers=headers, checks=checks)
            assert response.status_code == 200, (path, user)
