"""Issue 14 (10): every user changes and resets their own password, re-authenticates to turn
two-factor login off, sees and revokes their API token, and an idle session ends."""

import re
import time

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ppaos.conftest import PASSWORD

NEW_PASSWORD = "a-new-long-password-42"  # noqa: S105


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.django_db
def test_a_volunteer_changes_the_password_which_revokes_the_token(client, volunteer_a):
    Token.objects.create(user=volunteer_a)
    client.force_login(volunteer_a)
    assert 'id="api-token"' in client.get("/accounts/me/").text
    wrong = {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/accounts/password/", wrong).status_code == 200
    right = dict(wrong, old_password=PASSWORD)
    assert client.post("/accounts/password/", right)["Location"] == "/accounts/password/done/"
    volunteer_a.refresh_from_db()
    assert volunteer_a.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=volunteer_a).exists()


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_by_e_mail_once(client, volunteer_a):
    volunteer_a.email = "vol@example.org"
    volunteer_a.save(update_fields=["email"])
    unknown = client.post("/accounts/reset/", {"email": "nobody@example.org"})
    asked = client.post("/accounts/reset/", {"email": "vol@example.org"})
    assert unknown["Location"] == asked["Location"] == "/accounts/reset/sent/"  # no oracle
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    new = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    done = client.post(form.redirect_chain[-1][0], new)
    assert done["Location"] == "/accounts/reset/done/"
    volunteer_a.refresh_from_db()
    assert volunteer_a.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert 'id="reset-invalid"' in again.text


@pytest.mark.django_db
def test_turning_two_factor_off_needs_the_password_and_a_code(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, confirmed=True, name="phone")
    device.throttle_reset()
    client.force_login(coordinator)
    from django_otp import login as otp_login  # noqa: F401  (the session skipped the code)

    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    stolen = client.post("/accounts/2fa/", {"password": "guess", "token": _code(device)})
    assert stolen.status_code == 200 and TOTPDevice.objects.filter(pk=device.pk).exists()
    device.refresh_from_db()
    device.throttle_reset()
    off = client.post("/accounts/2fa/", {"password": PASSWORD, "token": _code(device)})
    assert off.status_code == 302 and not TOTPDevice.objects.filter(user=coordinator).exists()


@pytest.mark.django_db
def test_the_api_token_is_listed_and_revocable(client, volunteer_a):
    key = Token.objects.create(user=volunteer_a).key
    client.force_login(volunteer_a)
    assert client.post("/accounts/me/token/revoke/")["Location"] == "/accounts/me/"
    assert not Token.objects.filter(key=key).exists()
    assert 'id="no-api-token"' in client.get("/accounts/me/").text


@pytest.mark.django_db
def test_an_idle_session_ends(client, volunteer_a, settings, monkeypatch):
    settings.SESSION_IDLE_SECONDS = 600
    client.force_login(volunteer_a)
    assert client.get("/").status_code == 200
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
