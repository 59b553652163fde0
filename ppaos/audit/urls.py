from django.urls import path

from ppaos.audit import views

app_name = "audit"
urlpatterns = [path("audit/", views.audit_list, name="list")]
