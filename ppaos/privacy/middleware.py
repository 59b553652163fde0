"""Security headers Django does not send itself, the two-factor requirement for staff, and
the idle-session timeout."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppaos.accounts.scope import MANAGE_CITY, scope_for

# Roles that must use a second factor when settings.TWO_FACTOR_REQUIRED is on.


class SecurityHeadersMiddleware:
    """Permissions-Policy (browser features no page needs are off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


class RejectNullCharactersMiddleware:
    """A NUL character is never valid PPAOS input, and PostgreSQL refuses it in text (a query
    with one would fail with a server error): answer 400 to a query string or form that
    carries one. Uploaded files are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            if request.path.startswith("/api/"):  # API clients get the JSON the schema documents
                return JsonResponse({"detail": "NUL characters are not accepted."}, status=400)
            return HttpResponseBadRequest("NUL characters are not accepted.")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def needs_second_factor(user) -> bool:
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    return bool(user.is_superuser or scope_for(user).can(MANAGE_CITY))


class TwoFactorRequiredMiddleware:
    """A user who enrolled an authenticator but whose session was not verified with it (a
    login that went around the PPAOS form, e.g. the admin's) is logged out and asked to log in
    again. With PPAOS_2FA_REQUIRED, an admin or coordinator without an authenticator is sent to
    enrol before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request.path)
        ):
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                logout(request)
                return redirect_to_login(request.get_full_path())
            if needs_second_factor(user):
                return redirect("privacy:two_factor")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        if path in {reverse("privacy:two_factor"), reverse("logout"), reverse("login")}:
            return True
        return path.startswith((settings.STATIC_URL, "/i18n/"))


class IdleSessionTimeoutMiddleware:
    """A signed-in session left idle for PPAOS_SESSION_IDLE_MINUTES ends: the next request
    logs out and goes to the login page (a shared computer left open in a community centre).
    The last activity is written at most once a minute, not on every request."""

    KEY = "ppaos_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = settings.SESSION_IDLE_SECONDS
        user = getattr(request, "user", None)
        if idle and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY, now)
            if now - last > idle:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "The session ended after inactivity."}, 401)
                return redirect_to_login(request.get_full_path())
            if now - last >= 60 or self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)
