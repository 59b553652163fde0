from django.urls import path

from ppaos.registry import exports, views

app_name = "registry"
urlpatterns = [
    path(
        "communities/<int:community_pk>/households/new/",
        views.household_create,
        name="household_create",
    ),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("search/", views.search_page, name="search"),
    path("duplicate-ids/", views.duplicate_id_list, name="duplicate_ids"),
    path("communities/<int:pk>/export.csv", exports.community_csv, name="community_csv"),
    path("communities/<int:pk>/export.xlsx", exports.community_xlsx, name="community_xlsx"),
]
