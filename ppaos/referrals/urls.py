from django.urls import path

from ppaos.referrals import views, views_screen

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.home, name="home"),
    path("referrals/inbox/", views.inbox, name="inbox"),
    path("referrals/overdue/", views.overdue, name="overdue"),
    path("referrals/eligibility/", views.excluded, name="excluded"),
    path("referrals/reports/", views.reports, name="reports"),
    path("referrals/screen/", views_screen.screen, name="screen"),
    path("referrals/screen/download/", views_screen.screen_download, name="screen_download"),
    path("referrals/notifications/", views.notifications, name="notifications"),
    path("referrals/services/", views.catalogue, name="catalogue"),
    path("referrals/services/<slug:code>/", views.service_detail, name="service"),
    path("referrals/services/<slug:code>/edit/", views.service_edit, name="service_edit"),
    path("referrals/services/<slug:code>/rules/new/", views.rule_add, name="rule_add"),
    path("referrals/<int:pk>/", views.detail, name="detail"),
    path("referrals/<int:pk>/letter.pdf", views.letter, name="letter"),
    path("referrals/<int:pk>/<slug:action>/", views.act, name="act"),
    path(
        "referrals/households/<int:household_pk>/people/<int:person_pk>/<slug:service_code>/",
        views.new,
        name="new",
    ),
    path("referrals/households/<int:pk>/", views.household, name="household"),
    path("referrals/households/<int:pk>/card.pdf", views.household_card, name="household_card"),
    path("referrals/households/<int:pk>/refer/", views.refer_pick, name="refer_pick"),
    path("referrals/households/<int:pk>/plan/", views.plan_open, name="plan_open"),
    path("referrals/plans/<int:pk>/<slug:what>/", views.plan_change, name="plan_change"),
    path(
        "referrals/interventions/<int:pk>/status/",
        views.intervention_status,
        name="intervention_status",
    ),
]
