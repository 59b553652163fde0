from django.urls import path

from ppaos.dashboards import area_views as views

app_name = "areas"
urlpatterns = [
    path("areas/", views.province_detail, name="home_province"),
    path("areas/p/<str:code>/", views.province_detail, name="province"),
    path("areas/d/<str:code>/", views.district_detail, name="district"),
    path("areas/s/<str:code>/", views.subdistrict_detail, name="subdistrict"),
    path("communities/<int:pk>/", views.community_detail, name="community"),
]
