"""Geography (public to any signed-in user) and communities (scoped by `view_counts`)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from ppaos.accounts.scope import VIEW_COUNTS, VIEW_PEOPLE, scope_for
from ppaos.api.filters import AreaCodeFilter
from ppaos.areas.models import Community, District, Province, Subdistrict
from ppaos.areas.provinces import community_type_choices
from ppaos.lib.disclosure import Table, is_hidden
from ppaos.registry.models import Household, Membership


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name_th", "name_en"]
        read_only_fields = fields


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name_th", "name_en", "province"]
        read_only_fields = fields


class SubdistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subdistrict
        fields = ["code", "name_th", "name_en", "district", "postal_code"]
        read_only_fields = fields


class DistrictFilter(filters.FilterSet):
    province = filters.CharFilter(field_name="province_id", help_text="Province code.")

    class Meta:
        model = District
        fields = ["province"]


class SubdistrictFilter(filters.FilterSet):
    district = filters.CharFilter(field_name="district_id", help_text="District code.")

    class Meta:
        model = Subdistrict
        fields = ["district"]


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    """Provinces (DOPA codes). Geography is public to any signed-in user."""

    queryset = Province.objects.order_by("code")
    serializer_class = ProvinceSerializer
    lookup_value_converter = "str"


class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    """Districts (amphoe; khet in Bangkok)."""

    queryset = District.objects.order_by("code")
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilter
    lookup_value_converter = "str"


class SubdistrictViewSet(viewsets.ReadOnlyModelViewSet):
    """Subdistricts (tambon; khwaeng in Bangkok)."""

    queryset = Subdistrict.objects.order_by("code")
    serializer_class = SubdistrictSerializer
    filterset_class = SubdistrictFilter
    lookup_value_converter = "str"


class CommunitySerializer(serializers.ModelSerializer):
    """A community with its counts: exact for users who may see its people; for the rest
    (researchers) as the area hierarchy's one decision shows them (ppaos.dashboards.hierarchy:
    the same figure as on every page, as at the last dashboard refresh; null when hidden there,
    as "< 5" or "*"), so a community's count here cannot be set against an area's total."""

    district = serializers.CharField(source="district_code", read_only=True)
    household_count = serializers.IntegerField(read_only=True, allow_null=True)
    people_count = serializers.IntegerField(read_only=True, allow_null=True)

    def to_representation(self, instance):
        from ppaos.dashboards.hierarchy import area_figure, decision_for

        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        if "people_area" not in self.context:
            self.context["people_area"] = user and scope_for(user).area(VIEW_PEOPLE)
        people_area = self.context["people_area"]
        exact = bool(people_area) and people_area.contains_community(instance)
        decision = None
        if not exact and user is not None and user.is_authenticated:
            if "decision" not in self.context:
                self.context["decision"] = decision_for(user)
            decision = self.context["decision"]
        table = Table("api-community")
        for key, metric in (("household_count", "households"), ("people_count", "people")):
            table.add(key, data[key], ident=area_figure(instance, metric))
        shown = table.protect(exact=exact, decision=decision)
        # null: hidden, small ("< 5") or withheld to protect a small count elsewhere ("*").
        data.update({k: None if is_hidden(v) else v for k, v in shown.items()})
        return data

    class Meta:
        model = Community
        fields = [
            "id",
            "code",
            "name_th",
            "name_en",
            "subdistrict",
            "district",
            "community_type",
            "latitude",
            "longitude",
            "is_demo",
            "household_count",
            "people_count",
        ]
        read_only_fields = fields


class CommunityFilter(filters.FilterSet):
    area = AreaCodeFilter(field_name="subdistrict__code")
    community_type = filters.ChoiceFilter(choices=community_type_choices)

    class Meta:
        model = Community
        fields = ["area", "community_type"]


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    """Communities the user may count (`view_counts`), with their household and people counts.

    Counts are aggregates: no personal data, so no audit row."""

    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    lookup_value_converter = "int"
    queryset = Community.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        area = scope_for(self.request.user).area(VIEW_COUNTS)
        households = (
            Household.objects.filter(community=OuterRef("pk"))
            .order_by()
            .values("community")
            .annotate(n=Count("id"))
            .values("n")
        )
        people = (
            Membership.objects.filter(household__community=OuterRef("pk"), end_date__isnull=True)
            .order_by()
            .values("household__community")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            Community.objects.filter(area.community_q())
            .annotate(
                household_count=Coalesce(Subquery(households, output_field=IntegerField()), 0),
                people_count=Coalesce(Subquery(people, output_field=IntegerField()), 0),
            )
            .order_by("code")
        )
