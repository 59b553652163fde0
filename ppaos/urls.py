from django.contrib import admin
from django.urls import include, path

from ppaos.accounts import views as account_views
from ppaos.privacy.auth import PPAOSLoginView, PPAOSLogoutView

urlpatterns = [
    path("", account_views.home, name="home"),
    # The login form asks for an authenticator code too, for users who enrolled one.
    path("accounts/login/", PPAOSLoginView.as_view(), name="login"),
    path("accounts/logout/", PPAOSLogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ppaos.areas.urls")),
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
    path("admin/", admin.site.urls),
    path("", include("ppaos.ops.urls")),
]
