"""Account hardening: Argon2 password hashes, login throttling (django-axes), optional TOTP
second factor (django-otp) that settings can require of admins and coordinators."""

import pytest
from django.conf import settings as live_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

import ppaos.settings as project_settings
from ppaos.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def _login(client, username, password=PASSWORD, otp_token="", **headers):
    data = {"username": username, "password": password, "otp_token": otp_token}
    return client.post("/accounts/login/", data, **headers)


def test_new_passwords_use_argon2_and_old_pbkdf2_hashes_are_upgraded(
    real_hashers, client, volunteer_a
):
    from ppaos.accounts.services import user_create

    user = user_create(username="new_user", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    # A hash from before Argon2 (few iterations, to keep the test fast).
    volunteer_a.password = PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt", iterations=1000)
    volunteer_a.save(update_fields=["password"])
    assert _login(client, volunteer_a.username).status_code == 302
    volunteer_a.refresh_from_db()
    assert volunteer_a.password.startswith("argon2$")


def test_repeated_failures_lock_the_username_from_that_address(client, settings, volunteer_a):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert _login(client, volunteer_a.username, "wrong-password").status_code == 200
    locked = _login(client, volunteer_a.username, "wrong-password")
    assert locked.status_code == 429
    assert 'id="locked-out"' in locked.text
    # Now even the right password is refused from here ...
    assert _login(client, volunteer_a.username).status_code == 429
    assert "_auth_user_id" not in client.session
    # ... but the same user from another address, or another user here, still gets in.
    assert _login(client, volunteer_a.username, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_success_resets_the_failure_count(client, settings, volunteer_a):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _login(client, volunteer_a.username, "wrong-password")
    assert _login(client, volunteer_a.username).status_code == 302
    client.logout()
    for _ in range(2):
        assert _login(client, volunteer_a.username, "wrong-password").status_code == 200
    assert _login(client, volunteer_a.username).status_code == 302


def test_tests_that_force_login_are_not_throttled(client, volunteer_a):
    for _ in range(live_settings.AXES_FAILURE_LIMIT + 3):
        client.force_login(volunteer_a)
        assert client.get("/").status_code == 200


@pytest.fixture
def no_otp_backoff(settings):
    """django-otp waits longer after each wrong code; the tests try the right one at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def device(coordinator, no_otp_backoff):
    return TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_enrolled_users_need_their_authenticator_code(client, coordinator, device):
    refused = _login(client, coordinator.username)
    assert refused.status_code == 200 and refused.context["form"].errors
    wrong = _login(client, coordinator.username, otp_token="000000")  # noqa: S106
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert _login(client, coordinator.username, otp_token=_code(device)).status_code == 302
    assert client.get("/").status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_session_that_skipped_the_code_is_logged_out(client, coordinator, device):
    client.force_login(coordinator)  # e.g. through the admin's own login page
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_users_without_an_authenticator_log_in_with_the_password(client, volunteer_a):
    assert _login(client, volunteer_a.username).status_code == 302


def test_required_second_factor_sends_staff_to_enrol(
    client, settings, coordinator, volunteer_a, no_otp_backoff
):
    settings.TWO_FACTOR_REQUIRED = True
    client.force_login(volunteer_a)
    assert client.get("/").status_code == 200  # volunteers are not asked
    client.force_login(coordinator)
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200 and page.context["key"]
    pending = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    Token.objects.create(user=coordinator)
    assert (
        client.post("/accounts/2fa/", {"token": "000000", "password": PASSWORD}).status_code == 200
    )
    without_password = {"token": _code(pending), "password": "not-my-password"}
    assert client.post("/accounts/2fa/", without_password).status_code == 200
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed
    right = {"token": _code(pending), "password": PASSWORD}
    assert client.post("/accounts/2fa/", right).status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed
    assert not Token.objects.filter(user=coordinator).exists()  # asked for without the code
    assert client.get("/audit/").status_code == 200
    assert 'id="two-factor-on"' in client.get("/accounts/2fa/").text


def test_api_token_needs_the_authenticator_code_of_enrolled_users(coordinator, device):
    from rest_framework.test import APIClient

    api = APIClient()
    login = {"username": coordinator.username, "password": PASSWORD}
    missing = api.post("/api/token/", login, format="json")
    assert missing.status_code == 400 and "otp_token" in missing.json()
    assert "token" not in missing.json()
    wrong = api.post("/api/token/", login | {"otp_token": "000000"}, format="json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
    right = api.post("/api/token/", login | {"otp_token": _code(device)}, format="json")
    assert right.status_code == 200 and right.json()["token"]


def test_api_token_wrong_codes_count_towards_the_lockout(coordinator, device, settings):
    from rest_framework.test import APIClient

    api = APIClient()
    login = {"username": coordinator.username, "password": PASSWORD, "otp_token": "000000"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/token/", login, format="json")
    locked = api.post("/api/token/", login | {"otp_token": _code(device)}, format="json")
    assert locked.status_code == 429 and "token" not in locked.json()


def test_api_token_refused_to_staff_who_must_enrol_first(coordinator, volunteer_a, settings):
    from rest_framework.test import APIClient

    settings.TWO_FACTOR_REQUIRED = True
    api = APIClient()
    refused = api.post(
        "/api/token/", {"username": coordinator.username, "password": PASSWORD}, format="json"
    )
    assert refused.status_code == 403 and "token" not in refused.json()
    volunteer = api.post(
        "/api/token/", {"username": volunteer_a.username, "password": PASSWORD}, format="json"
    )
    assert volunteer.status_code == 200  # not a role that must use a second factor
