"""A user's own account: who they are, their password, two-factor login and API token.

Password change (signed in) and reset by e-mail (signed out) are Django's own views with
PPAOS's templates; a changed or reset password also revokes the user's API token."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from ppaos.privacy.auth import confirmed_device


@never_cache
@login_required
def account(request):
    """The signed-in user's account page."""
    context = {
        "two_factor_on": confirmed_device(request.user) is not None,
        "token": Token.objects.filter(user=request.user).first(),
    }
    return render(request, "privacy/account.html", context)


@require_POST
@login_required
def token_revoke(request):
    """Revoke the user's API token (a lost laptop, a script that should stop)."""
    deleted, _per_model = Token.objects.filter(user=request.user).delete()
    if deleted:
        messages.success(request, _("Your API token is revoked."))
    return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        Token.objects.filter(user=self.request.user).delete()
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        Token.objects.filter(user=form.user).delete()
        return super().form_valid(form)
