from django.urls import path

from ppaos.assessment import views

app_name = "assessment"
urlpatterns = [
    path("households/<int:pk>/assessment/", views.household_assessment, name="household"),
    path("analysis/", views.analysis_home, name="home"),
    path("analysis/p/<str:code>/", views.analysis_province, name="province"),
    path("analysis/d/<str:code>/", views.analysis_district, name="district"),
    path("analysis/c/<int:pk>/", views.analysis_community, name="community"),
    path("indicator-sets/", views.indicator_set_list, name="indicator_sets"),
    path("indicator-sets/<int:pk>/", views.indicator_set_detail, name="indicator_set"),
]
