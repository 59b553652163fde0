"""The API's one router: every endpoint of every app is registered here.

One convention: an app's endpoints live in `ppaos/api/endpoints/<app>.py` (the api app sits
above the apps it serves, so it may import them; they never import it), and are registered
below. Build them from `ppaos.api.base` (Pagination is the default; `AuditedListMixin` and
`AuditedRetrieveMixin` for personal data), scope every queryset with the app's scoped
selectors (out of scope is 404), and write through the app's services. The endpoints appear
in `/api/schema/` and the docs by themselves, and the tests in `ppaos/api/tests` run
schemathesis over every registered operation.
"""

from rest_framework.routers import DefaultRouter

from ppaos.api.endpoints import areas, assessment, livelihoods, referrals, registry, targeting


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
router.register("assessments", assessment.AssessmentViewSet, basename="assessment")
router.register("target-lists", targeting.TargetListViewSet, basename="target-list")
router.register("campaigns", targeting.CampaignViewSet, basename="campaign")
router.register("visits", targeting.VisitViewSet, basename="visit")
router.register("services", referrals.ServiceViewSet, basename="service")
router.register("referrals", referrals.ReferralViewSet, basename="referral")
router.register("programmes", livelihoods.ProgrammeViewSet, basename="programme")
router.register("enrolments", livelihoods.EnrolmentViewSet, basename="enrolment")
