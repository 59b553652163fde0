from django.urls import path

from ppaos.community import procurement_views, views

app_name = "community"
urlpatterns = [
    path("communities/<int:pk>/databook/", views.databook_page, name="databook"),
    path("communities/<int:pk>/databook.pdf", views.databook_pdf, name="databook_pdf"),
    path("communities/<int:pk>/corrections/", views.corrections, name="corrections"),
    path("communities/<int:pk>/fund/", views.fund, name="fund"),
    path("community/mine/databook/", views.my_databook, name="my_databook"),
    path("community/mine/fund/", views.my_fund, name="my_fund"),
    path("community/mine/corrections/", views.my_corrections, name="my_corrections"),
    path(
        "community/households/<int:pk>/corrections/",
        views.correction_household,
        name="correction_household",
    ),
    path(
        "community/households/<int:pk>/corrections/new/",
        views.correction_new,
        name="correction_new",
    ),
    path(
        "community/households/<int:pk>/life-event/",
        views.life_event_new,
        name="life_event_new",
    ),
    path("communities/<int:pk>/new-household/", views.new_household_new, name="new_household_new"),
    path("community/corrections/review/", views.review_queue, name="review_queue"),
    path("community/corrections/<int:pk>/", views.correction_detail, name="correction"),
    path("community/fund/", views.fund_home, name="fund_home"),
    path("community/fund/years/<int:pk>/", views.fund_year, name="fund_year"),
    path("community/fund/years/<int:pk>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("community/fund/proposals/<int:pk>/decision/", views.decision_new, name="decision_new"),
    path(
        "community/fund/proposals/<int:pk>/expenditures/new/",
        views.expenditure_new,
        name="expenditure_new",
    ),
    path("community/fund/expenditures/<int:pk>/receipt/", views.receipt, name="receipt"),
    # District procurement (the Bangkok way): request → purchase → delivery → receipt.
    path(
        "community/fund/proposals/<int:pk>/request/",
        procurement_views.procurement_new,
        name="procurement_new",
    ),
    path(
        "community/fund/requests/<int:pk>/",
        procurement_views.procurement_detail,
        name="procurement",
    ),
    path("community/fund/requests/", procurement_views.procurement_queue, name="procurement_queue"),
    path("community/fund/rules/", procurement_views.fund_rules, name="fund_rules"),
    path(
        "community/fund/rules/<str:code>/", procurement_views.fund_rule_edit, name="fund_rule_edit"
    ),
    # Public: no sign-in, suppressed aggregates and the fund's use only.
    path("public/communities/<int:pk>/", views.public_page, name="public"),
]
