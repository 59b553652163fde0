from django.urls import path

from ppaos.targeting import views, views_offline, views_pwa, views_verification

app_name = "targeting"
urlpatterns = [
    path("targeting/", views.home, name="home"),
    path("targeting/import/", views.import_new, name="import"),
    path("targeting/jobs/<int:pk>/", views.job_detail, name="job"),
    path("targeting/lists/<int:pk>/", views.target_list_detail, name="list"),
    path("targeting/lists/<int:pk>/link/", views.linkage_run, name="link"),
    path("targeting/records/<int:pk>/", views.target_record_detail, name="record"),
    path("targeting/review/", views.review_list, name="review_list"),
    path("targeting/review/<int:pk>/", views.review_pair, name="review_pair"),
    path("targeting/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("targeting/campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("targeting/campaigns/<int:pk>/report/", views.campaign_report, name="report"),
    path("targeting/campaigns/<int:pk>/worklist/", views.worklist, name="worklist"),
    path(
        "targeting/campaigns/<int:pk>/households/<int:household_pk>/visit/",
        views.visit_new,
        name="visit",
    ),
    path("targeting/visits/<int:pk>/resolve/", views.visit_resolve, name="visit_resolve"),
    path(
        "targeting/campaigns/<int:pk>/verification/",
        views_verification.review_queue,
        name="verification",
    ),
    path(
        "targeting/campaigns/<int:pk>/verification/<int:visit_pk>/",
        views_verification.review_decide,
        name="verification_decide",
    ),
    path("targeting/campaigns/<int:pk>/sample/", views_verification.sample_draw, name="sample"),
    path("targeting/campaigns/<int:pk>/xlsform/", views_offline.xlsform_download, name="xlsform"),
    path(
        "targeting/campaigns/<int:pk>/submissions/",
        views_offline.submissions_upload,
        name="submissions",
    ),
    # The volunteers' offline web app (views_pwa.py).
    path("targeting/sw.js", views_pwa.service_worker, name="service_worker"),
    path("targeting/manifest.webmanifest", views_pwa.manifest, name="manifest"),
    path("targeting/offline/", views_pwa.offline_page, name="offline_page"),
    path("targeting/sync/", views_pwa.sync, name="sync"),
    path(
        "targeting/campaigns/<int:pk>/worklist.json",
        views_pwa.worklist_data,
        name="worklist_data",
    ),
    path(
        "targeting/campaigns/<int:pk>/households/new/",
        views_pwa.household_new,
        name="household_new",
    ),
]
