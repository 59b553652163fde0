"""Issue 14 (9, 10): throttles count in a cache every process shares, one address cannot try
password after password across usernames, and logging out revokes the API token."""

import json

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from ppaos.conftest import PASSWORD
from ppaos.tests_security.test_headers import settings_under


def test_the_cache_is_shared_by_every_process():
    assert settings_under({})["cache"] == "django.core.cache.backends.db.DatabaseCache"
    redis = settings_under({"PPAOS_REDIS_URL": "redis://127.0.0.1:6379/15"})["cache"]
    assert redis == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
def test_the_database_cache_is_a_table_that_migrate_made():
    cache.set("ppaos:probe", 3)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ppaos_cache")
        assert cursor.fetchone()[0] >= 1
    assert cache.get("ppaos:probe") == 3


@pytest.mark.django_db
def test_one_address_is_refused_after_failures_across_usernames(client, settings, volunteer_a):
    settings.LOGIN_ADDRESS_LIMIT = 4
    settings.AXES_FAILURE_LIMIT = 100  # the per-username lockout is not what is tested here
    for n in range(4):
        wrong = {"username": f"someone{n}", "password": "wrong-password-123"}
        assert client.post("/accounts/login/", wrong).status_code == 200
    right = {"username": volunteer_a.username, "password": PASSWORD}
    refused = client.post("/accounts/login/", right)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    token = client.post("/api/token/", right, content_type="application/json")
    assert token.status_code == 429
    other = client.post("/accounts/login/", right, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302, "another address is not affected"


@pytest.mark.django_db
def test_logging_out_revokes_the_api_token(client, volunteer_a):
    answer = client.post(
        "/api/token/",
        json.dumps({"username": volunteer_a.username, "password": PASSWORD}),
        content_type="application/json",
    )
    key = answer.json()["token"]
    client.force_login(volunteer_a)
    assert client.post("/accounts/logout/").status_code == 302
    assert not Token.objects.filter(key=key).exists()
    api = client.get("/api/households/", headers={"Authorization": f"Token {key}"})
    assert api.status_code == 401
