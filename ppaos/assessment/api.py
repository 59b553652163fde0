"""Read-only API of household assessments, registered on the API router (`ppaos.api.routes`).

An assessment is personal data about a household: scoped through the household by
`view_people` (out of scope is 404), every list page and detail read audited. Assessments
are computed by `ppaos assess` and immutable, so there is nothing to write here."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.api.base import AuditedListMixin, AuditedRetrieveMixin
from ppaos.api.filters import AreaCodeFilter, IntegerFilter
from ppaos.api.routes import router
from ppaos.assessment.models import Assessment


class AssessmentSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    deprivations = serializers.JSONField(
        read_only=True,
        help_text="{indicator code: 1 deprived, 0 not deprived, null does not apply}",
    )
    details = serializers.JSONField(
        read_only=True, help_text="Why, for computed and person-level indicators."
    )
    capital_scores = serializers.JSONField(
        read_only=True, help_text="{capital code: mean of its items, 1–4}"
    )
    overall_score = serializers.FloatField(read_only=True, allow_null=True)
    level = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "household",
            "household_code",
            "round_name",
            "indicator_set",
            "survey",
            "members",
            "deprivations",
            "details",
            "deprivation_score",
            "deprivation_score_value",
            "is_poor",
            "capital_scores",
            "overall_score",
            "level",
            "computed_at",
        ]
        read_only_fields = fields


class AssessmentFilter(filters.FilterSet):
    household = IntegerFilter(field_name="household_id")
    community = IntegerFilter(field_name="household__community_id")
    area = AreaCodeFilter(field_name="household__community__subdistrict__code")
    round_name = filters.CharFilter()
    level = IntegerFilter()
    is_poor = filters.BooleanFilter()

    class Meta:
        model = Assessment
        fields = ["household", "community", "area", "round_name", "level", "is_poor"]


class AssessmentViewSet(AuditedListMixin, AuditedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Assessments of households in the user's `view_people` scope (404 otherwise)."""

    audit_name = "assessments"
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    lookup_value_converter = "int"
    queryset = Assessment.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        area = scope_for(self.request.user).area(VIEW_PEOPLE)
        return (
            Assessment.objects.filter(area.q("household__community"))
            .select_related("household")
            .order_by("-computed_at", "household_id", "id")
        )


router.register("assessments", AssessmentViewSet, basename="assessment")
