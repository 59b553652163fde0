"""API of assessments: scoped through the household by `view_people`, filtered, audited."""

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

from ppaos.assessment.models import Assessment
from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND
from ppaos.audit.models import AuditEvent

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
def assessed(scenario):
    assessment_run(round_name="2568-1")
    assessment_run(round_name=ROUND)
    return {key: value for key, value in scenario.items() if key not in ("people", "V_latest")}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["household_code"] for row in response.json()["results"])


@pytest.mark.django_db
def test_assessments_are_scoped_by_view_people(
    api, assessed, coordinator, district_officer, volunteer_a, researcher, agency_officer
):
    round_ = f"?round_name={ROUND}"
    assert _codes(api(coordinator).get(f"/api/assessments/{round_}")) == [
        "T-V",
        "T-W",
        "T-X",
        "T-Y",
        "T-Z",
    ]
    assert _codes(api(district_officer).get(f"/api/assessments/{round_}")) == [
        "T-W",
        "T-X",
        "T-Y",
        "T-Z",
    ]
    assert _codes(api(volunteer_a).get(f"/api/assessments/{round_}")) == ["T-X", "T-Y", "T-Z"]
    # Researchers count (areas pages), agencies refer: neither reads households' assessments.
    in_c = Assessment.objects.get(household=assessed["V"], round_name=ROUND)
    in_a = Assessment.objects.get(household=assessed["X"], round_name=ROUND)
    for user in (researcher, agency_officer):
        assert _codes(api(user).get("/api/assessments/")) == []
        assert api(user).get(f"/api/assessments/{in_a.pk}/").status_code == 404
    volunteer = api(volunteer_a)
    assert volunteer.get(f"/api/assessments/{in_c.pk}/").status_code == 404
    row = volunteer.get(f"/api/assessments/{in_a.pk}/").json()
    assert row["household"] == assessed["X"].pk and row["round_name"] == ROUND
    assert row["deprivations"]["l1_housing"] == 1 and row["is_poor"] == in_a.is_poor
    assert row["level"] == in_a.level and row["deprivation_score"] == in_a.deprivation_score
    assert AuditEvent.objects.filter(
        actor=volunteer_a, action="view", object_type="assessment.assessment", object_id=in_a.pk
    ).exists()
    assert AuditEvent.objects.filter(
        actor=volunteer_a, action="export", object_label="API list of assessments"
    ).exists()


@pytest.mark.django_db
def test_assessments_filter_by_round_and_level(api, assessed, coordinator):
    client = api(coordinator)
    assert _codes(client.get("/api/assessments/?round_name=2568-1")) == ["T-W"]
    rows = Assessment.objects.filter(round_name=ROUND)
    level = rows.exclude(level=None).values_list("level", flat=True).first()
    expected = sorted(rows.filter(level=level).values_list("household__code", flat=True))
    assert expected and len(expected) < rows.count()
    url = f"/api/assessments/?round_name={ROUND}&level={level}"
    assert _codes(client.get(url)) == expected
    poor = sorted(rows.filter(is_poor=True).values_list("household__code", flat=True))
    assert _codes(client.get(f"/api/assessments/?round_name={ROUND}&is_poor=true")) == poor
    assert _codes(client.get("/api/assessments/?round_name=2599-9")) == []
    assert client.get("/api/assessments/?level=high").status_code == 400


@pytest.fixture
def same_connection():
    """Requests served in process (schemathesis) keep the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_answers_with_data_conform_to_the_schema(same_connection, assessed, coordinator):
    """The schemathesis run has no assessments to serve; here real ones are checked against
    the documented schema."""
    headers = {"Authorization": f"Token {Token.objects.create(user=coordinator).key}"}
    # The schema needs a login too.
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    checks = [status_code_conformance, response_schema_conformance]
    one = Assessment.objects.filter(round_name=ROUND).first()
    for path, parameters in [("/api/assessments/", {}), ("/api/assessments/{id}/", {"id": one.pk})]:
        case = schema[path]["GET"].Case(path_parameters=parameters)
        assert case.call_and_validate(headers=headers, checks=checks).status_code == 200
