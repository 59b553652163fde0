"""Security headers: a Content-Security-Policy without inline scripts (and templates that need
none), HSTS once out of debug, Referrer-Policy, Permissions-Policy, nosniff, no framing, and
cookies out of scripts' reach."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import engines

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


def test_pages_carry_a_strict_content_security_policy(client, login, volunteer_a, households):
    for response in (
        client.get("/accounts/login/"),
        login(volunteer_a).get(f"/households/{households['A'].pk}/"),
    ):
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]  # scripts nor styles
        assert policy["style-src"] == ["'self'"]


# A <script> without src runs inline (a JSON data block, type="application/json", does not).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _templates() -> list[Path]:
    folders = set()
    for engine in engines.all():
        folders.update(Path(d) for d in engine.template_dirs)
    files = []
    for folder in sorted(folders):
        if folder.is_dir() and folder.is_relative_to(ROOT / "ppaos"):
            files.extend(sorted(folder.rglob("*.html")))
    return files


def test_templates_hold_no_inline_script_that_the_policy_would_block():
    files = _templates()
    assert len(files) > 20
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:60]}")
    assert offenders == [], "move scripts to static files (CSP script-src 'self')"


def test_other_security_headers(client, login, volunteer_a):
    response = login(volunteer_a).get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    assert "microphone=()" in permissions and "payment=()" in permissions


def test_hsts_on_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")


def settings_under(env: dict) -> dict:
    """The settings module as another environment reads it (a fresh interpreter)."""
    code = (
        "import json, ppaos.settings as s; print(json.dumps({"
        "'hsts': s.SECURE_HSTS_SECONDS, 'close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "'secure': s.SESSION_COOKIE_SECURE, 'csp': bool(getattr(s, 'SECURE_CSP', None)), "
        "'csp_ro': bool(getattr(s, 'SECURE_CSP_REPORT_ONLY', None)), "
        "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'redirect': getattr(s, 'SECURE_SSL_REDIRECT', False), "
        "'cache': s.CACHES['default']['BACKEND'], "
        "'limit': s.AXES_FAILURE_LIMIT, 'two': s.TWO_FACTOR_REQUIRED}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PPAOS_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=base | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_turn_hsts_and_secure_cookies_on():
    assert settings_under({})["secure"] is True, "production is the default"
    debug = settings_under({"PPAOS_DEBUG": "true"})
    assert debug["hsts"] == 0 and debug["close"] is False and debug["two"] is False
    production = settings_under(
        {
            "PPAOS_DEBUG": "false",
            "PPAOS_SESSION_BROWSER_CLOSE": "true",
            "PPAOS_CSP_REPORT_ONLY": "true",
            "PPAOS_PROXY_SSL_HEADER": "true",
            "PPAOS_LOGIN_FAILURE_LIMIT": "3",
            "PPAOS_2FA_REQUIRED": "true",
        }
    )
    assert production["hsts"] == 365 * 24 * 3600 and production["secure"] is True
    assert production["close"] is True
    assert production["csp"] is False and production["csp_ro"] is True
    assert production["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["redirect"] is True and debug["redirect"] is False
    assert production["limit"] == 3 and production["two"] is True


def test_session_and_csrf_cookies_are_out_of_scripts_reach(client, volunteer_a, settings):
    from ppaos.conftest import PASSWORD

    response = client.post(
        "/accounts/login/", {"username": volunteer_a.username, "password": PASSWORD}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE
    assert client.get("/accounts/login/").cookies["csrftoken"]["httponly"]


def test_session_can_end_when_the_browser_closes(client, volunteer_a, settings):
    from ppaos.conftest import PASSWORD

    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = client.post(
        "/accounts/login/", {"username": volunteer_a.username, "password": PASSWORD}
    )
    session = response.cookies["sessionid"]
    assert session["max-age"] == "" and session["expires"] == ""
