"""Login with an optional second factor (TOTP, django-otp), and enrolment of that factor.

A user with a confirmed authenticator must type its 6-digit code with the password. Users
without one log in with the password alone, unless PPAOS_2FA_REQUIRED makes admins and
coordinators enrol first (ppaos.privacy.middleware.TwoFactorRequiredMiddleware)."""

import base64

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ppaos.privacy.throttle import login_address_blocked, login_address_failure_record


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def code_is_valid(device: TOTPDevice, code: str) -> bool:
    """The authenticator code (spaces allowed) is the device's current one and the device is
    not throttled after wrong codes. Used by the login form and the API token endpoint."""
    allowed, _extra = device.verify_is_allowed()
    return allowed and bool(device.verify_token(code.replace(" ", "")))


class OTPLoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=gettext_lazy("Authenticator code (if you use one)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        device = confirmed_device(user) if user else None
        if device is None:
            return cleaned
        token = (cleaned.get("otp_token") or "").replace(" ", "")
        if not token:
            raise forms.ValidationError(
                _("Type the 6-digit code from your authenticator app."), code="token_required"
            )
        if not code_is_valid(device, token):
            raise forms.ValidationError(
                _("The authenticator code is wrong or too old. Try the current one."),
                code="invalid_token",
            )
        # django-otp's user_logged_in handler marks the session as verified with this device.
        user.otp_device = device
        return cleaned


class PPAOSLoginView(LoginView):
    """The login form, refusing an address that failed too often (ppaos.privacy.throttle)."""

    authentication_form = OTPLoginForm

    def post(self, request, *args, **kwargs):
        if login_address_blocked(request):
            return render(request, "privacy/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.data.get("username") and form.data.get("password"):
            login_address_failure_record(self.request)
        return super().form_invalid(form)


class PPAOSLogoutView(LogoutView):
    """Logging out also revokes the user's API token: a token must not outlive the session
    its owner ended (a shared computer in a community centre)."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            Token.objects.filter(user=request.user).delete()
        response = super().post(request, *args, **kwargs)
        # The volunteers' app keeps pages and records on the phone: wipe them (pwa.js too).
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class ReauthForm(forms.Form):
    """The password again, and the authenticator's current code: what turning two-factor
    login on or off asks for, so a session left open cannot change it."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=gettext_lazy("Code shown by the app"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, user, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.device = user, device

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is wrong."), code="wrong_password")
        return password

    def clean(self):
        cleaned = super().clean()
        # The code is checked (and so used up) only once the password is right.
        if self.errors:
            return cleaned
        if not self.device.verify_token(cleaned["token"].replace(" ", "")):
            self.add_error("token", _("That code does not match. Check the phone's clock."))
        return cleaned


def _key_text(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@login_required
def two_factor(request):
    """Turn a TOTP authenticator on (show the key, check one code, confirm the device) or off;
    either asks for the password and a current code again. Both revoke the API token: one
    asked for under the old setting must not outlive the change."""
    device = confirmed_device(request.user)
    if device is not None:
        form = ReauthForm(request.POST or None, user=request.user, device=device)
        if request.method == "POST" and form.is_valid():
            TOTPDevice.objects.filter(user=request.user).delete()
            Token.objects.filter(user=request.user).delete()
            messages.success(request, _("Two-factor login is off."))
            return redirect("home")
        return render(request, "privacy/two_factor.html", {"enabled": True, "form": form})
    pending, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = ReauthForm(request.POST or None, user=request.user, device=pending)
    if request.method == "POST" and form.is_valid():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        Token.objects.filter(user=request.user).delete()
        otp_login(request, pending)
        messages.success(request, _("Two-factor login is on."))
        return redirect("home")
    return render(
        request,
        "privacy/two_factor.html",
        {"enabled": False, "form": form, "key": _key_text(pending), "url": pending.config_url},
    )
