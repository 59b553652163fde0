import json
import logging

import pytest

from ppaos.lib.logs import JsonFormatter


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="ppaos.request")

    def lines():
        formatter = JsonFormatter()
        return [
            json.loads(formatter.format(r)) for r in caplog.records if r.name == "ppaos.request"
        ]

    return lines


@pytest.mark.django_db
def test_one_json_line_per_request_without_the_query_string(
    request_lines, login, volunteer_a, households
):
    client = login(volunteer_a)
    response = client.get("/api/people/?national_id=1100700000011")
    [line] = request_lines()
    assert line["path"] == "/api/people/" and "1100700000011" not in json.dumps(line)
    assert line["status"] == response.status_code and line["user_id"] == volunteer_a.pk
    assert line["method"] == "GET" and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32


@pytest.mark.django_db
def test_a_proxy_request_id_is_kept_and_a_malformed_one_replaced(client, request_lines):
    kept = client.get("/accounts/login/", headers={"X-Request-ID": "lb-4f2a9c1e"})
    replaced = client.get("/accounts/login/", headers={"X-Request-ID": "bad id\n{json}"})
    assert kept["X-Request-ID"] == "lb-4f2a9c1e"
    assert replaced["X-Request-ID"] != "bad id\n{json}" and len(replaced["X-Request-ID"]) == 32
    assert [line["request_id"] for line in request_lines()] == [
        "lb-4f2a9c1e",
        replaced["X-Request-ID"],
    ]
    assert all(line["user_id"] is None for line in request_lines())
