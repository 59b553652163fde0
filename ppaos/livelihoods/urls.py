from django.urls import path

from ppaos.livelihoods import views

app_name = "livelihoods"
urlpatterns = [
    path("livelihoods/", views.programme_list, name="programmes"),
    path("livelihoods/programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("livelihoods/programmes/<int:pk>/enrol/", views.enrol, name="enrol"),
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
