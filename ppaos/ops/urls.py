from django.urls import path

from ppaos.ops import views

app_name = "ops"

urlpatterns = [path("health/", views.health, name="health")]
