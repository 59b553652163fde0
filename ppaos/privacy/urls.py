from django.urls import path

from ppaos.privacy import auth, views

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.index, name="index"),
    path("privacy/people/<int:pk>/", views.person_detail, name="person"),
    path("privacy/people/<int:pk>/export.json", views.export_json, name="export_json"),
    path("privacy/people/<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("privacy/consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("privacy/requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("privacy/holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("accounts/2fa/", auth.two_factor, name="two_factor"),
]
