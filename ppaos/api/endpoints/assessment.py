"""Indicator sets (configuration, readable by any signed-in user) and survey answers (personal
data: scoped through the household by `view_people`, audited)."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.api.base import AuditedListMixin, AuditedRetrieveMixin
from ppaos.api.filters import AreaCodeFilter, IntegerFilter
from ppaos.assessment.models import Assessment, IndicatorSet, SurveyResponse


class IndicatorSetSerializer(serializers.ModelSerializer):
    definition = serializers.JSONField(
        read_only=True,
        help_text="Dimensions with their indicators and weights, the five-capital items and "
        "the level thresholds, as loaded by `ppaos load-indicators`.",
    )

    class Meta:
        model = IndicatorSet
        fields = ["id", "code", "version", "name_th", "name_en", "is_active", "loaded_at"]
        fields += ["definition"]
        read_only_fields = fields


class IndicatorSetFilter(filters.FilterSet):
    class Meta:
        model = IndicatorSet
        fields = ["code", "is_active"]


class IndicatorSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Versions of the indicator set; surveys and assessments keep the version they used."""

    queryset = IndicatorSet.objects.order_by("-loaded_at", "-id")
    serializer_class = IndicatorSetSerializer
    filterset_class = IndicatorSetFilter
    lookup_value_converter = "int"


class SurveySerializer(serializers.ModelSerializer):
    collected_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    indicators = serializers.JSONField(
        read_only=True, help_text="{indicator code: true met, false not met, null n/a}"
    )
    member_indicators = serializers.JSONField(
        read_only=True, help_text="{person id: {indicator code: true/false}}"
    )
    capital_items = serializers.JSONField(read_only=True, help_text="{item code: 1–4}")
    problems = serializers.JSONField(read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "household",
            "indicator_set",
            "round_name",
            "collected_on",
            "collected_by",
            "indicators",
            "member_indicators",
            "capital_items",
            "problems",
            "needs",
            "created_at",
        ]
        read_only_fields = fields


class SurveyFilter(filters.FilterSet):
    household = IntegerFilter(field_name="household_id")
    community = IntegerFilter(field_name="household__community_id")
    area = AreaCodeFilter(field_name="household__community__subdistrict__code")
    indicator_set = IntegerFilter(field_name="indicator_set_id")
    round_name = filters.CharFilter()
    collected_from = filters.DateFilter(field_name="collected_on", lookup_expr="gte")
    collected_to = filters.DateFilter(field_name="collected_on", lookup_expr="lte")

    class Meta:
        model = SurveyResponse
        fields = [
            "household",
            "community",
            "area",
            "indicator_set",
            "round_name",
            "collected_from",
            "collected_to",
        ]


class SurveyViewSet(AuditedListMixin, AuditedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Survey answers of households in the user's `view_people` scope (404 otherwise).

    Surveys are written by a verification visit (after PDPA consent), not through the API."""

    audit_name = "surveys"
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    lookup_value_converter = "int"
    queryset = SurveyResponse.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        area = scope_for(self.request.user).area(VIEW_PEOPLE)
        return (
            SurveyResponse.objects.filter(area.q("household__community"))
            .select_related("collected_by")
            .order_by("-collected_on", "-id")
        )


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
