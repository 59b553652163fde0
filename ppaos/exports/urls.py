from django.urls import path

from ppaos.exports import views

app_name = "exports"
urlpatterns = [
    path("exports/jobs/<int:pk>/", views.job_detail, name="job"),
    path("exports/jobs/<int:pk>/download/", views.job_download, name="download"),
    path("exports/<slug:name>/<slug:fmt>/", views.export_list, name="list"),
]
