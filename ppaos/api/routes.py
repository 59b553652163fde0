"""The API's one router, and the extension point for endpoints other apps add.

To add endpoints (referrals, services, programmes, assessments, ...), an app writes
`ppaos/<app>/api.py` and registers its viewsets on this router:

    from ppaos.api.routes import router

    router.register("referrals", ReferralViewSet, basename="referral")

`ppaos/api/urls.py` imports the `api` module of every installed `ppaos.*` app
(`discover()`) before it builds the URL patterns, so nothing in `ppaos/api` changes, and the
endpoints appear in `/api/schema/` and the docs by themselves. Build them from
`ppaos.api.base` (Pagination is the default; `AuditedListMixin` and `AuditedRetrieveMixin`
for personal data), scope every queryset with `accounts.scope.scope_for` (out of scope is
404), and write through the app's services. Tests in `ppaos/api/tests` run schemathesis over
every registered operation, the new ones included.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from rest_framework.routers import DefaultRouter

from ppaos.api.endpoints import areas, assessment, registry, targeting

# Prefixes reserved for the endpoints being built by other apps (see the module docstring).
PLANNED = ("assessments", "referrals", "services", "programmes")


class Router(DefaultRouter):
    include_format_suffixes = False

    def __init__(self):
        # Path converters (`lookup_value_converter = "int"`) type the ids in the schema.
        super().__init__(use_regex_path=False)


router = Router()
router.register("provinces", areas.ProvinceViewSet, basename="province")
router.register("districts", areas.DistrictViewSet, basename="district")
router.register("subdistricts", areas.SubdistrictViewSet, basename="subdistrict")
router.register("communities", areas.CommunityViewSet, basename="community")
router.register("households", registry.HouseholdViewSet, basename="household")
router.register("people", registry.PersonViewSet, basename="person")
router.register("surveys", assessment.SurveyViewSet, basename="survey")
router.register("indicator-sets", assessment.IndicatorSetViewSet, basename="indicator-set")
router.register("target-lists", targeting.TargetListViewSet, basename="target-list")
router.register("campaigns", targeting.CampaignViewSet, basename="campaign")
router.register("visits", targeting.VisitViewSet, basename="visit")


def discover() -> None:
    """Import `ppaos.<app>.api` for every installed PPAOS app that has one."""
    for config in apps.get_app_configs():
        ours = config.name.startswith("ppaos.") and config.name != "ppaos.api"
        if ours and module_has_submodule(config.module, "api"):
            import_module(f"{config.name}.api")
