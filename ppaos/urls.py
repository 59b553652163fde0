from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ppaos.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("ppaos.areas.urls")),
    path("", include("ppaos.registry.urls")),
    path("", include("ppaos.audit.urls")),
    path("", include("ppaos.targeting.urls")),
    path("admin/", admin.site.urls),
]
