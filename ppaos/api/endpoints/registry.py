"""Households and people: scoped through the registry selectors, written through its services.

Reads need `view_people`; creates and updates need `edit_people` over the record's community.
Updates carry the `version` the client read (optimistic locking): a stale one answers 409
with the current record. National IDs are masked unless the reader may edit the person.
Every list page and every detail read is audited.
"""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ppaos.accounts.scope import EDIT_PEOPLE, scope_for
from ppaos.api.base import (
    AuditedListMixin,
    AuditedRetrieveMixin,
    VersionField,
    conflict,
    validation_error,
)
from ppaos.api.filters import AreaCodeFilter, IntegerFilter, SinceFilter
from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.i18n import Deferred
from ppaos.lib.thaidate import age_on
from ppaos.registry import id_crypto, search, services
from ppaos.registry.models import (
    DuplicateIdFlag,
    Education,
    Household,
    HouseRegister,
    Membership,
    Nationality,
    Person,
    Prefix,
    Relation,
    Sex,
    Tenure,
)
from ppaos.registry.selectors import household_list, household_members, person_list

OLDEST = 150
# The registry's own fields, less what the API derives: the subdistrict comes from the
# community, and whether a person is undocumented from the national ID.
ADDRESS_FIELDS = [f for f in services.HOUSEHOLD_FIELDS if f != "subdistrict_id"]
PERSON_FIELDS = [f for f in services.PERSON_FIELDS if f != "is_undocumented"]
# Health data (PDPA s.26) shown only to those who may edit the person, as on the pages.
HEALTH_FIELDS = ["chronic_illness", "adl_score", "adl_assessed_on", "incontinent"]
RECORD_FIELDS = ["version", "is_demo", "created_at", "updated_at", "created_by", "updated_by"]
COORDINATES = {
    "latitude": {"min_value": -90, "max_value": 90},
    "longitude": {"min_value": -180, "max_value": 180},
}


def _user(serializer) -> object:
    return serializer.context["request"].user


def _require_edit(user) -> None:
    if not scope_for(user).can(EDIT_PEOPLE):
        raise PermissionDenied(_("Your role does not edit the registry."))


class EditableCommunityField(serializers.PrimaryKeyRelatedField):
    """A community the user may add households to; others look like ids that do not exist."""

    def get_queryset(self):
        area = scope_for(self.context["request"].user).area(EDIT_PEOPLE)
        return Community.objects.filter(area.community_q())


class EditableHouseholdField(serializers.PrimaryKeyRelatedField):
    """A household the user may add people to; others look like ids that do not exist."""

    def get_queryset(self):
        area = scope_for(self.context["request"].user).area(EDIT_PEOPLE)
        return Household.objects.filter(area.q("community"))


# Households ---------------------------------------------------------------------------------


class HouseholdMemberSerializer(serializers.ModelSerializer):
    """A current member: who, and how they are related to the head."""

    person = serializers.IntegerField(source="person_id", read_only=True)
    full_name = serializers.CharField(source="person.full_name", read_only=True)
    sex = serializers.CharField(source="person.sex", read_only=True)
    birth_date = serializers.DateField(source="person.birth_date", read_only=True)

    class Meta:
        model = Membership
        fields = ["person", "full_name", "sex", "birth_date", "relation", "start_date"]
        read_only_fields = fields


def _blank_choice(choices) -> serializers.ChoiceField:
    """A read-only choice that may be blank (ModelSerializer drops `allow_blank` from
    read-only fields, and the schema would then forbid "")."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class HouseholdSerializer(serializers.ModelSerializer):
    tenure = _blank_choice(Tenure.choices)
    community_code = serializers.CharField(source="community.code", read_only=True)
    address = serializers.CharField(source="address_line", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    can_edit = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "community",
            "community_code",
            "subdistrict",
            *ADDRESS_FIELDS,
            "address",
            "member_count",
            "can_edit",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    def get_can_edit(self, household) -> bool:
        area = scope_for(_user(self)).area(EDIT_PEOPLE)
        return area.contains_community(household.community)


class HouseholdDetailSerializer(HouseholdSerializer):
    members = serializers.SerializerMethodField()

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields

    @extend_schema_field(HouseholdMemberSerializer(many=True))
    def get_members(self, household):
        return HouseholdMemberSerializer(household_members(household=household), many=True).data


class HouseholdCreateSerializer(serializers.ModelSerializer):
    """A new household: its community (one you may edit) and its address. The code, version
    and record fields are set by the registry."""

    community = EditableCommunityField(queryset=Community.objects.all())

    class Meta:
        model = Household
        fields = ["community", *ADDRESS_FIELDS]
        extra_kwargs = COORDINATES


class HouseholdUpdateSerializer(serializers.ModelSerializer):
    """A change of address or tenure, with the `version` it was made against."""

    version = VersionField()

    class Meta:
        model = Household
        fields = [*ADDRESS_FIELDS, "version"]
        extra_kwargs = COORDINATES

    def validate(self, attrs):
        if "version" not in attrs:
            required = self.fields["version"].error_messages["required"]
            raise serializers.ValidationError({"version": [required]})
        return attrs


class HouseholdFilter(filters.FilterSet):
    community = IntegerFilter(field_name="community_id", help_text="Community id.")
    area = AreaCodeFilter(field_name="community__subdistrict__code")
    code = filters.CharFilter(help_text="Household code, exactly.")
    updated_since = SinceFilter(field_name="updated_at")

    class Meta:
        model = Household
        fields = ["community", "area", "code", "updated_since"]


def _conflict_schema(name: str, serializer) -> serializers.Serializer:
    return inline_serializer(
        name, {"detail": serializers.CharField(), "current": serializer(read_only=True)}
    )


HOUSEHOLD_CONFLICT = _conflict_schema("HouseholdConflict", HouseholdDetailSerializer)


@extend_schema_view(
    create=extend_schema(
        request=HouseholdCreateSerializer, responses={201: HouseholdDetailSerializer}
    ),
    update=extend_schema(
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, 409: HOUSEHOLD_CONFLICT},
    ),
    partial_update=extend_schema(
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, 409: HOUSEHOLD_CONFLICT},
    ),
)
class HouseholdViewSet(
    AuditedListMixin,
    AuditedRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Households in the user's `view_people` scope. Out of scope answers 404."""

    audit_name = "households"
    filterset_class = HouseholdFilter
    lookup_value_converter = "int"
    queryset = Household.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        return (
            household_list(user=self.request.user)
            .select_related("created_by", "updated_by")
            .order_by("code")
        )

    def get_serializer_class(self):
        return {
            "create": HouseholdCreateSerializer,
            "update": HouseholdUpdateSerializer,
            "partial_update": HouseholdUpdateSerializer,
            "retrieve": HouseholdDetailSerializer,
        }.get(self.action, HouseholdSerializer)

    def _detail(self, pk: int) -> dict:
        household = self.get_queryset().get(pk=pk)
        return HouseholdDetailSerializer(household, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        _require_edit(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        community = data.pop("community")
        try:
            household = services.household_create(
                actor=request.user, community=community, data=data
            )
        except DjangoValidationError as e:
            raise validation_error(e, {"subdistrict_id": "subdistrict"}) from None
        return Response(self._detail(household.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        household = self.get_object()
        if not scope_for(request.user).area(EDIT_PEOPLE).contains_community(household.community):
            raise PermissionDenied(_("You may read this household but not change it."))
        serializer = self.get_serializer(
            household, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("version")
        try:
            services.household_update(
                actor=request.user, household=household, expected_version=expected, data=data
            )
        except services.StaleEditError:
            current = self._detail(household.pk)
            audit_record(actor=request.user, action=Action.VIEW, obj=household)
            return conflict(current)
        except DjangoValidationError as e:
            raise validation_error(e, {"subdistrict_id": "subdistrict"}) from None
        return Response(self._detail(household.pk))


# People -------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    """A person. `national_id` is masked (x-xxxx-xxxxx-78-1) and `chronic_illness` (health
    data, PDPA s.26) is null unless you may edit them."""

    national_id = serializers.CharField(read_only=True, allow_null=True)
    chronic_illness = serializers.CharField(read_only=True, allow_null=True)
    prefix = _blank_choice(Prefix.choices)
    education = _blank_choice(Education.choices)
    nationality = _blank_choice(Nationality.choices)
    house_register = _blank_choice(HouseRegister.choices)
    national_id_masked = serializers.SerializerMethodField()
    full_name = serializers.CharField(read_only=True)
    age = serializers.SerializerMethodField()
    household = serializers.SerializerMethodField()
    relation = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            *PERSON_FIELDS,
            "national_id_masked",
            "is_undocumented",
            "full_name",
            "age",
            "household",
            "relation",
            "can_edit",
            *RECORD_FIELDS,
        ]
        read_only_fields = fields

    def _current(self, person) -> Membership | None:
        current = getattr(person, "current", None)
        return current[0] if current else None

    def get_can_edit(self, person) -> bool:
        return bool(getattr(person, "api_can_edit", False))

    def get_national_id_masked(self, person) -> bool:
        return bool(person.national_id_hash) and not self.get_can_edit(person)

    def get_age(self, person) -> int | None:
        return age_on(person.birth_date, timezone.localdate()) if person.birth_date else None

    def get_household(self, person) -> int | None:
        membership = self._current(person)
        return membership.household_id if membership else None

    @extend_schema_field(serializers.ChoiceField(choices=Relation.choices, allow_null=True))
    def get_relation(self, person) -> str | None:
        membership = self._current(person)
        return membership.relation if membership else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["national_id_masked"]:
            data["national_id"] = id_crypto.mask(instance.national_id)
        elif data["can_edit"] and getattr(instance, "api_held_id", None):
            # An ID held for duplicate review reads back as entered: the answer to a save
            # must not tell whether the ID exists elsewhere (registry.DuplicateIdFlag).
            data["national_id"] = id_crypto.decrypt(instance.api_held_id)
        if not data["can_edit"]:
            for name in HEALTH_FIELDS:
                data[name] = None  # the pages show them to editors only, too
        return data


class PersonWriteSerializer(serializers.ModelSerializer):
    national_id = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="13 digits (dashes and spaces allowed); empty when the person has none.",
    )

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        extra_kwargs = {
            "monthly_income": {"min_value": 0},
            "financial_assets": {"min_value": 0},
            "adl_score": {"min_value": 0, "max_value": 20},
        }


class PersonCreateSerializer(PersonWriteSerializer):
    """A new person, added as a current member of a household you may edit."""

    household = EditableHouseholdField(queryset=Household.objects.all())
    relation = serializers.ChoiceField(choices=Relation.choices)
    start_date = serializers.DateField(
        required=False, help_text="When they joined the household (default: today)."
    )

    class Meta(PersonWriteSerializer.Meta):
        fields = ["household", "relation", "start_date", *PERSON_FIELDS]


class PersonUpdateSerializer(PersonWriteSerializer):
    """A change of a person's details, with the `version` it was made against."""

    version = VersionField()

    class Meta(PersonWriteSerializer.Meta):
        fields = [*PERSON_FIELDS, "version"]

    def validate(self, attrs):
        if "version" not in attrs:
            required = self.fields["version"].error_messages["required"]
            raise serializers.ValidationError({"version": [required]})
        return attrs


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class PersonFilter(filters.FilterSet):
    household = IntegerFilter(method="filter_household", help_text="Current household id.")
    community = IntegerFilter(method="filter_community", help_text="Current community id.")
    area = AreaCodeFilter(method="filter_area")
    sex = filters.ChoiceFilter(choices=Sex.choices)
    has_disability_card = filters.BooleanFilter()
    undocumented = filters.BooleanFilter(field_name="is_undocumented")
    national_id = filters.CharFilter(
        method="filter_national_id",
        help_text="The person with this national ID (13 digits, dashes allowed), found by its "
        "keyed hash: IDs are stored encrypted.",
    )
    q = filters.CharFilter(
        method="filter_q",
        max_length=search.MAX_QUERY,
        help_text="Search as the page does: a name (tone marks and prefixes such as นาย or "
        "น.ส. ignored, part of a first or family name found), a whole national ID or phone "
        "number (dashes, spaces and Thai digits allowed; found by keyed hash). Results come "
        "best match first; the search is audited with IDs and phones masked.",
    )
    age_min = IntegerFilter(
        method="filter_age_min", max_value=OLDEST, help_text="Age in whole years, at least."
    )
    age_max = IntegerFilter(
        method="filter_age_max", max_value=OLDEST, help_text="Age in whole years, at most."
    )
    updated_since = SinceFilter(field_name="updated_at")

    class Meta:
        model = Person
        fields = [
            "household",
            "community",
            "area",
            "sex",
            "has_disability_card",
            "undocumented",
            "national_id",
            "q",
            "age_min",
            "age_max",
            "updated_since",
        ]

    def _members(self, queryset, **condition):
        current = Membership.objects.filter(end_date__isnull=True, **condition)
        return queryset.filter(pk__in=current.values("person_id"))

    def filter_household(self, queryset, name, value):
        return self._members(queryset, household_id=value)

    def filter_community(self, queryset, name, value):
        return self._members(queryset, household__community_id=value)

    def filter_area(self, queryset, name, value):
        return self._members(queryset, household__community__subdistrict__code__startswith=value)

    def filter_national_id(self, queryset, name, value):
        return queryset.filter(national_id_hash=id_crypto.lookup_hash(value) or "-")

    def filter_q(self, queryset, name, value):
        return search.person_matches(queryset, value) if value.strip() else queryset

    def filter_age_min(self, queryset, name, value):
        return queryset.filter(birth_date__lte=_years_before(timezone.localdate(), int(value)))

    def filter_age_max(self, queryset, name, value):
        return queryset.filter(birth_date__gt=_years_before(timezone.localdate(), int(value) + 1))


PERSON_CONFLICT = _conflict_schema("PersonConflict", PersonSerializer)


@extend_schema_view(
    create=extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer}),
    update=extend_schema(
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, 409: PERSON_CONFLICT},
    ),
    partial_update=extend_schema(
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, 409: PERSON_CONFLICT},
    ),
)
class PersonViewSet(
    AuditedListMixin,
    AuditedRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People whose current household is in the user's `view_people` scope (404 otherwise)."""

    audit_name = "people"
    filterset_class = PersonFilter
    lookup_value_converter = "int"
    queryset = Person.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        user = self.request.user
        editable = Membership.objects.filter(
            scope_for(user).area(EDIT_PEOPLE).q("household__community"),
            person=OuterRef("pk"),
            end_date__isnull=True,
        )
        held = (
            DuplicateIdFlag.objects.filter(person=OuterRef("pk"), resolved_at__isnull=True)
            .order_by("-pk")
            .values("national_id_encrypted")
        )
        return (
            person_list(user=user)
            .select_related("created_by", "updated_by")
            .annotate(api_can_edit=Exists(editable), api_held_id=Subquery(held[:1]))
            .order_by("last_name", "first_name", "id")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        query = request.query_params.get("q", "").strip()
        if query and response.status_code == status.HTTP_200_OK:
            search.search_audit(
                actor=request.user,
                query=query,
                where=Deferred(gettext_noop("API, people")),
                people=response.data["count"],
            )
        return response

    def get_serializer_class(self):
        return {
            "create": PersonCreateSerializer,
            "update": PersonUpdateSerializer,
            "partial_update": PersonUpdateSerializer,
        }.get(self.action, PersonSerializer)

    def _representation(self, pk: int) -> dict:
        person = self.get_queryset().get(pk=pk)
        return PersonSerializer(person, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        _require_edit(request.user)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = data.pop("household")
        relation = data.pop("relation")
        start_date = data.pop("start_date", None)
        try:
            person = services.person_add_to_household(
                actor=request.user,
                household=household,
                data=data,
                relation=relation,
                start_date=start_date,
            )
        except DjangoValidationError as e:
            raise validation_error(e) from None
        return Response(self._representation(person.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        person = self.get_object()
        if not person.api_can_edit:
            raise PermissionDenied(_("You may read this person but not change them."))
        serializer = self.get_serializer(
            person, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        expected = changes.pop("version")
        # The service checks and stores a whole person: start from the stored values.
        data = {name: getattr(person, name) for name in PERSON_FIELDS} | changes
        if not person.nationality_reason and "nationality" not in changes:
            # Derived from the ID, not recorded: derive it again (the ID may be changing).
            del data["nationality"], data["nationality_reason"]
        try:
            services.person_update(
                actor=request.user, person=person, expected_version=expected, data=data
            )
        except services.StaleEditError:
            current = self._representation(person.pk)
            audit_record(actor=request.user, action=Action.VIEW, obj=person)
            return conflict(current)
        except DjangoValidationError as e:
            raise validation_error(e) from None
        return Response(self._representation(person.pk))
