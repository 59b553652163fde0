from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ppaos.dashboards import home as home_page
from ppaos.privacy import account
from ppaos.privacy.auth import PPAOSLoginView, PPAOSLogoutView

urlpatterns = [
    path("", home_page.home, name="home"),
    # The login form asks for an authenticator code too, for users who enrolled one.
    path("accounts/login/", PPAOSLoginView.as_view(), name="login"),
    path("accounts/logout/", PPAOSLogoutView.as_view(), name="logout"),
    path("accounts/me/", account.account, name="account"),
    path("accounts/me/token/revoke/", account.token_revoke, name="token_revoke"),
    path("accounts/password/", account.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ppaos.dashboards.area_urls")),
    path("", include("ppaos.registry.urls")),
    path("", include("ppaos.audit.urls")),
    path("", include("ppaos.targeting.urls")),
    path("", include("ppaos.referrals.urls")),
    path("", include("ppaos.assessment.urls")),
    path("", include("ppaos.livelihoods.urls")),
    path("", include("ppaos.community.urls")),
    path("api/", include("ppaos.api.urls")),
    path("", include("ppaos.privacy.urls")),
    path("", include("ppaos.exports.urls")),
    path("dashboards/", include("ppaos.dashboards.urls")),
    path("national/", include("ppaos.rollup.urls")),
    path("admin/", admin.site.urls),
    path("", include("ppaos.ops.urls")),
]
