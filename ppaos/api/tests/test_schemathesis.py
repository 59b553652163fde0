"""Property-based run of the whole API against its own OpenAPI schema (schemathesis, in
process through the WSGI application): no 5xx, and every answer's status, content type and
body match the schema. Deterministic (derandomized) and bounded, so it fits in `make test`.

Endpoints other apps register on the router (`ppaos.api.routes`) are covered automatically."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# The WSGI application without ppaos.wsgi's startup refusal (tests run on test keys).
application = get_wsgi_application()


POSITIVE_EXAMPLES = 20
NEGATIVE_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Revoking the token would sign the run out half-way; the token tests cover it.
SKIPPED = {"DELETE /api/token/"}


@pytest.fixture
def same_connection():
    """Requests served in process must not close the test's database connection (and with it
    the transaction the test runs in), as Django's own test client ensures too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _run(operation, mode: GenerationMode, examples: int, headers: dict, checks: list) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=checks)

    check()


@pytest.mark.django_db
def test_api_conforms_to_its_schema(same_connection, households, coordinator):
    token = Token.objects.create(user=coordinator)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    failures, ran = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue
        ran += 1
        for mode, examples, checks in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES, CHECKS),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, [not_a_server_error]),
        ):
            try:
                _run(operation, mode, examples, headers, checks)
            except Unsatisfiable:
                # Nothing invalid to send (e.g. no parameters): not a failure of the API.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except Exception as error:  # collect every operation's failure
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert ran >= 25, "the schema lost operations"
    assert not failures, "\n\n".join(failures)
