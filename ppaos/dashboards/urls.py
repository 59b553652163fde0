from django.urls import path

from ppaos.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.city, name="city"),
    path("d/<str:code>/", views.district, name="district"),
    path("c/<int:pk>/", views.community, name="community"),
    path("points.geojson", views.points, name="points"),
    path("refresh/", views.refresh_start, name="refresh_start"),
    path("refresh/<int:pk>/", views.refresh_detail, name="refresh"),
]
