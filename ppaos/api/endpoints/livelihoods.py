"""Read-only API of livelihood programmes and enrolments (registered on `ppaos.api.routes`).

Programmes are configuration: listed for users who may count a community the programme
works in. Enrolments name people: scoped by `view_people` through the household (out of
scope is 404), every list page and detail read audited, incomes per round included."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ppaos.api.base import AuditedListMixin, AuditedRetrieveMixin
from ppaos.api.filters import AreaCodeFilter, IntegerFilter
from ppaos.livelihoods.models import Enrolment, EnrolmentStatus, IncomeRecord, Partner, Programme
from ppaos.livelihoods.models import Stage as StageModel
from ppaos.livelihoods.selectors import enrolment_list, programme_list


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = StageModel
        fields = ["id", "position", "name_th", "name_en"]
        read_only_fields = fields


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "kind", "name", "stage", "note"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)
    communities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name_th",
            "name_en",
            "kind",
            "description",
            "start_date",
            "end_date",
            "communities",
            "stages",
            "partners",
            "is_demo",
        ]
        read_only_fields = fields


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """Programmes working in a community the user may count (404 otherwise)."""

    serializer_class = ProgrammeSerializer
    lookup_value_converter = "int"
    queryset = Programme.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return programme_list(user=self.request.user).prefetch_related("partners", "communities")


class IncomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomeRecord
        fields = ["id", "round_name", "monthly_income", "source", "version"]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    incomes = IncomeSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "programme",
            "person",
            "household",
            "household_code",
            "stage",
            "start_date",
            "end_date",
            "status",
            "version",
            "incomes",
        ]
        read_only_fields = fields


class EnrolmentFilter(filters.FilterSet):
    programme = IntegerFilter(field_name="programme_id")
    household = IntegerFilter(field_name="household_id")
    community = IntegerFilter(field_name="household__community_id")
    area = AreaCodeFilter(field_name="household__community__subdistrict__code")
    status = filters.ChoiceFilter(choices=EnrolmentStatus.choices)

    class Meta:
        model = Enrolment
        fields = ["programme", "household", "community", "area", "status"]


class EnrolmentViewSet(AuditedListMixin, AuditedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Enrolments of households in the user's `view_people` scope (404 otherwise)."""

    audit_name = "enrolments"
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    lookup_value_converter = "int"
    queryset = Enrolment.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return (
            enrolment_list(user=self.request.user)
            .prefetch_related("incomes")
            .order_by("programme_id", "household_id", "id")
        )
