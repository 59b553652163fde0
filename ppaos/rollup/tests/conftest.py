"""A small city with figures (the dashboards' `city` fixture), refreshed, and a province key."""

import pytest
from django.utils import translation

from ppaos.dashboards import services as dashboard_services
from ppaos.dashboards.tests.conftest import city  # noqa: F401 (a fixture)
from ppaos.rollup import signing


@pytest.fixture(autouse=True)
def english(client):
    """Pages and messages in English (the messages are matched by the tests)."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def refreshed(city):  # noqa: F811
    refresh = dashboard_services.refresh_run()
    assert refresh.status == "done", refresh.error
    return city


@pytest.fixture
def keys(tmp_path):
    """(private key path, public key path) of province 10."""
    return signing.keypair_write(tmp_path / "keys" / "province-10.key")


@pytest.fixture
def signing_key(settings, keys):
    settings.ROLLUP_SIGNING_KEY_FILE = str(keys[0])
    return keys
