from django.urls import path

from ppaos.rollup import views

app_name = "rollup"
urlpatterns = [
    path("", views.national, name="national"),
    path("p/<str:code>/", views.province, name="province"),
    path("p/<str:code>/d/<str:district>/", views.district, name="district"),
]
