from django.urls import path

from ppaos.livelihoods import views

app_name = "livelihoods"
urlpatterns = [
    path("livelihoods/", views.programme_list, name="programmes"),
    path("livelihoods/programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("livelihoods/programmes/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("livelihoods/programmes/new/", views.programme_create, name="programme_create"),
    path("livelihoods/programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("livelihoods/programmes/<int:pk>/stages/add/", views.stage_add, name="stage_add"),
    path("livelihoods/stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("livelihoods/programmes/<int:pk>/partners/add/", views.partner_add, name="partner_add"),
    path("livelihoods/partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("livelihoods/enrolments/<int:pk>/edit/", views.enrolment_edit, name="enrolment_edit"),
    path(
        "livelihoods/programmes/<int:pk>/mobility/",
        views.programme_mobility,
        name="programme_mobility",
    ),
    path("livelihoods/enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("livelihoods/incomes/<int:pk>/edit/", views.income_edit, name="income_edit"),
    path("livelihoods/mobility/", views.mobility_home, name="mobility"),
    path("livelihoods/mobility/p/<str:code>/", views.mobility_province, name="mobility_province"),
    path("livelihoods/mobility/d/<str:code>/", views.mobility_district, name="mobility_district"),
    path("livelihoods/mobility/c/<int:pk>/", views.mobility_community, name="mobility_community"),
]
