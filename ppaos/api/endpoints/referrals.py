"""Read-only API of the referral system, registered in `ppaos.api.routes`.

`services/`: the catalogue with the rule and amount in force today, for any signed-in user
(public information, like the catalogue page). `referrals/`: scoped exactly like the referral
pages (`ppaos.referrals.access`): the city side sees referrals of households in its
`view_people` area; an agency officer sees only referrals addressed to their organisation
(never drafts) and only what the agency page shows (data minimisation: the city-only fields
are null). Out of scope is 404. Every list page and detail read of referrals is audited.
Referrals are created and moved on through the pages (consent, state machine), not here."""

from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from ppaos.accounts.scope import VIEW_PEOPLE, scope_for
from ppaos.api.base import AuditedListMixin
from ppaos.api.filters import IntegerFilter
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.referrals.models import (
    OPEN_STATUSES,
    Category,
    Period,
    Referral,
    Service,
    ServiceRule,
    Status,
)
from ppaos.referrals.models import Level as ServiceLevel
from ppaos.referrals.selectors import agency_organisation_ids

# Services ------------------------------------------------------------------------------------


class ServiceRuleSerializer(serializers.ModelSerializer):
    eligibility = serializers.JSONField(
        read_only=True,
        help_text="Eligibility expression of the rule language; null: on a professional's "
        "judgement only.",
    )
    amount = serializers.JSONField(
        read_only=True, help_text="Amount expression (baht) of the rule language, or null."
    )

    class Meta:
        model = ServiceRule
        fields = ["effective_from", "eligibility", "amount", "note", "is_confirmed", "source"]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="provider_id", read_only=True, allow_null=True)
    provider_name = serializers.CharField(
        source="provider.name_th", read_only=True, allow_null=True, default=None
    )
    amount_period = serializers.ChoiceField(
        choices=Period.choices, allow_blank=True, read_only=True
    )
    required_documents = serializers.ListField(child=serializers.CharField(), read_only=True)
    current_rule = serializers.SerializerMethodField(
        help_text="The rule version in force today (null: none yet)."
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "code",
            "name_th",
            "name_en",
            "category",
            "level",
            "provider",
            "provider_name",
            "provider_is_district_office",
            "description",
            "required_documents",
            "sla_days",
            "amount_period",
            "is_active",
            "current_rule",
        ]
        read_only_fields = fields

    @extend_schema_field(ServiceRuleSerializer(allow_null=True))
    def get_current_rule(self, service) -> dict | None:
        rule = service.rule_on(timezone.localdate())
        return ServiceRuleSerializer(rule).data if rule is not None else None


class ServiceFilter(filters.FilterSet):
    code = filters.CharFilter()
    category = filters.ChoiceFilter(choices=Category.choices)
    level = filters.ChoiceFilter(choices=ServiceLevel.choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = Service
        fields = ["code", "category", "level", "is_active"]


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The service catalogue (public information): any signed-in user."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    lookup_value_converter = "int"
    queryset = (
        Service.objects.select_related("provider")
        .prefetch_related(Prefetch("rules", queryset=ServiceRule.objects.order_by()))
        .order_by("category", "code")
    )


# Referrals -----------------------------------------------------------------------------------

# Shown to the city side only; null for an agency officer (what the agency page leaves out).
CITY_ONLY = (
    "household",
    "household_code",
    "person",
    "reason",
    "expected_amount",
    "consent_by",
    "consent_override_reason",
    "close_reason",
    "created_by",
)


def _nullable_text(**kwargs) -> serializers.CharField:
    return serializers.CharField(read_only=True, allow_null=True, **kwargs)


class ReferralSerializer(serializers.ModelSerializer):
    side = serializers.SerializerMethodField(
        help_text="`city` (full record) or `agency` (minimised: the city-only fields are null)."
    )
    number = serializers.CharField(read_only=True)
    service_code = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    required_documents = serializers.ListField(
        source="service.required_documents", child=serializers.CharField(), read_only=True
    )
    organisation_name = serializers.CharField(source="organisation.name_th", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    phone = serializers.CharField(source="person.phone", read_only=True)
    address = serializers.CharField(source="household.address_line", read_only=True)
    subdistrict = serializers.CharField(source="household.subdistrict.name", read_only=True)
    district = serializers.CharField(source="household.subdistrict.district.name", read_only=True)
    postal_code = serializers.CharField(source="household.postal_code", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)
    household_code = _nullable_text(source="household.code")
    person = serializers.IntegerField(source="person_id", read_only=True, allow_null=True)
    reason = _nullable_text()
    expected_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, allow_null=True
    )
    consent_by = _nullable_text()
    consent_override_reason = _nullable_text()
    close_reason = _nullable_text()
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "number",
            "side",
            "status",
            "service",
            "service_code",
            "service_name",
            "required_documents",
            "organisation",
            "organisation_name",
            "person_name",
            "phone",
            "address",
            "subdistrict",
            "district",
            "postal_code",
            "note",
            "consent_given",
            "sent_at",
            "due_on",
            "is_overdue",
            "accepted_at",
            "rejected_at",
            "rejection_reason",
            "started_at",
            "completed_at",
            "outcome",
            "benefit_amount",
            "benefit_from",
            "closed_at",
            "version",
            "updated_at",
            *CITY_ONLY,
            "created_at",
        ]
        read_only_fields = fields

    def _city(self, referral) -> bool:
        return bool(getattr(referral, "city_side", False))

    @extend_schema_field(serializers.ChoiceField(choices=["city", "agency"]))
    def get_side(self, referral) -> str:
        return "city" if self._city(referral) else "agency"

    def get_is_overdue(self, referral) -> bool:
        return referral.is_overdue(timezone.localdate())

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if not self._city(referral):
            for name in CITY_ONLY:
                data[name] = None
        return data


class ReferralFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices)
    service = IntegerFilter(field_name="service_id")
    overdue = filters.BooleanFilter(
        method="filter_overdue", help_text="Open and past its due date (true), or not (false)."
    )

    class Meta:
        model = Referral
        fields = ["status", "service", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class ReferralViewSet(AuditedListMixin, viewsets.ReadOnlyModelViewSet):
    """Referrals scoped like the referral pages: the city side by area (households in its
    `view_people` scope), an agency officer by organisation (sent or later, minimised)."""

    audit_name = "referrals"
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    lookup_value_converter = "int"
    queryset = Referral.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        user = self.request.user
        city = scope_for(user).area(VIEW_PEOPLE).q("household__community")
        agency = Q(organisation_id__in=sorted(agency_organisation_ids(user))) & ~Q(
            status=Status.DRAFT
        )
        return (
            Referral.objects.filter(city | agency)
            .annotate(city_side=ExpressionWrapper(city, output_field=BooleanField()))
            .select_related(
                "household__subdistrict__district",
                "person",
                "service",
                "organisation",
                "created_by",
            )
            .order_by(F("due_on").asc(nulls_last=True), "id")
        )

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=referral,
            label=f"{referral.number} {referral.household.code}",
        )
        return Response(self.get_serializer(referral).data)
