"""Target lists, verification campaigns and visits: read-only, for users who manage
targeting (`manage_targeting`) and only inside the area they manage. Visits are personal data:
their list pages and detail reads are audited."""

from django.db.models import Count, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from ppaos.accounts.scope import MANAGE_TARGETING, scope_for
from ppaos.api.base import AuditedListMixin, AuditedRetrieveMixin
from ppaos.api.filters import AreaCodeFilter, IntegerFilter
from ppaos.targeting.models import (
    Campaign,
    CampaignAssignment,
    Outcome,
    TargetList,
    Visit,
)
from ppaos.targeting.selectors import campaign_list, campaign_progress


class TargetListSerializer(serializers.ModelSerializer):
    records_in_scope = serializers.IntegerField(
        read_only=True, help_text="Records on the list whose address lies in your area."
    )

    class Meta:
        model = TargetList
        fields = ["id", "source", "year_be", "name", "created_at", "records_in_scope"]
        read_only_fields = fields


class TargetListViewSet(viewsets.ReadOnlyModelViewSet):
    """National or local target lists, with how many of their records lie in your area.

    The records themselves (names, national IDs) are not served by the API."""

    serializer_class = TargetListSerializer
    lookup_value_converter = "int"
    queryset = TargetList.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        area = scope_for(self.request.user).area(MANAGE_TARGETING)
        if area.is_empty:
            return TargetList.objects.none()
        inside = Q()
        for prefix in sorted(area.prefixes):
            inside |= Q(records__subdistrict_code__startswith=prefix)
        if not area.prefixes:
            inside = Q(pk__in=[])
        return TargetList.objects.annotate(
            records_in_scope=Count("records", filter=inside)
        ).order_by("-year_be", "source", "id")


class AssignmentSerializer(serializers.ModelSerializer):
    community_code = serializers.CharField(source="community.code", read_only=True)
    volunteer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CampaignAssignment
        fields = ["community", "community_code", "volunteer"]
        read_only_fields = fields


class ProgressSerializer(serializers.Serializer):
    communities_assigned = serializers.IntegerField()
    communities_visited = serializers.IntegerField()
    households_verified = serializers.IntegerField()
    people_verified = serializers.IntegerField()
    conflicts = serializers.IntegerField()


class CampaignSerializer(serializers.ModelSerializer):
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "target_list", "opened_by", "opened_on", "closes_on", "is_open"]
        read_only_fields = fields


class CampaignDetailSerializer(CampaignSerializer):
    assignments = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "assignments", "progress"]
        read_only_fields = fields

    def _area(self):
        return scope_for(self.context["request"].user).area(MANAGE_TARGETING)

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, campaign):
        assignments = (
            campaign.assignments.filter(self._area().q("community"))
            .select_related("community", "volunteer")
            .order_by("community__code", "volunteer__username")
        )
        return AssignmentSerializer(assignments, many=True).data

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, campaign):
        return campaign_progress(user=self.context["request"].user, campaign=campaign)


class CampaignFilter(filters.FilterSet):
    target_list = IntegerFilter(field_name="target_list_id")

    class Meta:
        model = Campaign
        fields = ["is_open", "target_list"]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns with an assignment in your area (or opened by you); the detail adds the
    assignments in your area and the progress figures."""

    filterset_class = CampaignFilter
    lookup_value_converter = "int"
    queryset = Campaign.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        user = self.request.user
        if not scope_for(user).can(MANAGE_TARGETING):
            return Campaign.objects.none()
        return campaign_list(user=user).select_related("opened_by").order_by("-opened_on", "-id")

    def get_serializer_class(self):
        return CampaignDetailSerializer if self.action == "retrieve" else CampaignSerializer


class VisitSerializer(serializers.ModelSerializer):
    volunteer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "campaign",
            "household",
            "volunteer",
            "visited_on",
            "outcome",
            "on_target_list",
            "consent_given",
            "consent_by",
            "consent_at",
            "consent_purpose",
            "survey",
            "notes",
            "has_photo",
            "base_version",
            "status",
            "source",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_photo(self, visit) -> bool:
        return bool(visit.photo)


class VisitFilter(filters.FilterSet):
    campaign = IntegerFilter(field_name="campaign_id")
    household = IntegerFilter(field_name="household_id")
    community = IntegerFilter(field_name="household__community_id")
    area = AreaCodeFilter(field_name="household__community__subdistrict__code")
    outcome = filters.ChoiceFilter(choices=Outcome.choices)
    status = filters.ChoiceFilter(choices=Visit.Status.choices)
    visited_from = filters.DateFilter(field_name="visited_on", lookup_expr="gte")
    visited_to = filters.DateFilter(field_name="visited_on", lookup_expr="lte")

    class Meta:
        model = Visit
        fields = [
            "campaign",
            "household",
            "community",
            "area",
            "outcome",
            "status",
            "visited_from",
            "visited_to",
        ]


class VisitViewSet(AuditedListMixin, AuditedRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Verification visits to households in your managed area. Photos stay private (media is
    never served publicly); `has_photo` says whether there is one."""

    audit_name = "visits"
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    lookup_value_converter = "int"
    queryset = Visit.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        area = scope_for(self.request.user).area(MANAGE_TARGETING)
        return (
            Visit.objects.filter(area.q("household__community"))
            .select_related("volunteer")
            .order_by("-visited_on", "-id")
        )
