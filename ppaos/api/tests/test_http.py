"""Real HTTP against a live server: the token flow and a scoped list, as a client sees them."""

import datetime as dt

import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ppaos.conftest import PASSWORD

TIMEOUT = 10


def test_token_flow_and_scoped_list_over_http(live_server, volunteer_a, households):
    api = f"{live_server.url}/api"
    refused = requests.post(
        f"{api}/token/", json={"username": "vol_a", "password": "wrong"}, timeout=TIMEOUT
    )
    assert refused.status_code == 400
    assert requests.get(f"{api}/households/", timeout=TIMEOUT).status_code == 401

    answer = requests.post(
        f"{api}/token/", json={"username": "vol_a", "password": PASSWORD}, timeout=TIMEOUT
    )
    assert answer.status_code == 200
    token = answer.json()["token"]
    assert dt.datetime.fromisoformat(answer.json()["expires_at"]) > timezone.now()

    with requests.Session() as session:
        session.headers["Authorization"] = f"Token {token}"
        listed = session.get(f"{api}/households/", timeout=TIMEOUT)
        assert listed.status_code == 200
        assert listed.headers["Content-Type"] == "application/json"
        body = listed.json()
        assert body["count"] == 1
        assert [h["code"] for h in body["results"]] == [households["A"].code]
        other = session.get(f"{api}/households/{households['B'].pk}/", timeout=TIMEOUT)
        assert other.status_code == 404
        own = session.get(f"{api}/households/{households['A'].pk}/", timeout=TIMEOUT)
        assert own.json()["members"][0]["relation"] == "head"

        # Asking again gives the same token; revoking it ends it.
        again = requests.post(
            f"{api}/token/", data={"username": "vol_a", "password": PASSWORD}, timeout=TIMEOUT
        )
        assert again.json()["token"] == token
        assert session.delete(f"{api}/token/", timeout=TIMEOUT).status_code == 204
        assert session.get(f"{api}/households/", timeout=TIMEOUT).status_code == 401


@pytest.mark.django_db
def test_expired_token_is_refused_and_replaced(api, client, volunteer_a, settings):
    token = Token.objects.create(user=volunteer_a)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(seconds=settings.API_TOKEN_SECONDS + 1)
    )
    response = client.get("/api/households/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    assert not Token.objects.filter(key=token.key).exists()
    fresh = api().post("/api/token/", {"username": "vol_a", "password": PASSWORD}).json()
    assert fresh["token"] != token.key


@pytest.mark.django_db
def test_token_endpoint_is_throttled(api, volunteer_a):
    client = api()
    # A different username each time: this is the per-address throttle, not the lockout.
    statuses = [
        client.post("/api/token/", {"username": f"vol_{n}", "password": "guess"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


@pytest.mark.django_db
def test_locked_out_username_gets_429(api, volunteer_a, settings):
    if "axes" not in settings.INSTALLED_APPS:
        pytest.skip("no login lockout (django-axes) installed")
    client = api()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/api/token/", {"username": "vol_a", "password": "guess"})
        assert response.status_code in (400, 429)
    response = client.post("/api/token/", {"username": "vol_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "token" not in response.json()
