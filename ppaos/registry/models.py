"""Households, people and their membership over time."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community, Subdistrict
from ppaos.registry.fields import EncryptedTextField
from ppaos.registry.id_crypto import EncryptedNationalId


class Tenure(models.TextChoices):
    OWNED = "owned", _("Owns house and land")
    OWNED_HOUSE_RENTED_LAND = "owned_house_rented_land", _("Owns house on rented land")
    RENTED = "rented", _("Rents")
    RENT_FREE = "rent_free", _("Lives rent-free with permission")
    PUBLIC_LAND = "public_land", _("On public land without permission")
    OTHER = "other", _("Other")


class Versioned(models.Model):
    """Optimistic locking: every save through a service checks and bumps `version`."""

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Never filtered on, so no index: each index costs every bulk load and every save.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Synthetic rows made by `ppaos demo-data`; the UI flags them.
    is_demo = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Household(Versioned):
    code = models.CharField(_("household code"), max_length=30, unique=True)
    # Indexed by the (community, code) index below.
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("community"),
        db_index=False,
    )
    # Address parts in the order Thai forms write them.
    house_no = models.CharField(_("house number"), max_length=20, blank=True)
    moo = models.CharField(_("village number (moo)"), max_length=5, blank=True)
    village = models.CharField(_("village / building"), max_length=120, blank=True)
    soi = models.CharField(_("soi"), max_length=120, blank=True)
    road = models.CharField(_("road"), max_length=120, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdistrict")
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    house_registration_no = models.CharField(
        _("house registration number"), max_length=11, blank=True
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    tenure = models.CharField(_("tenure"), max_length=30, choices=Tenure.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        indexes = [models.Index(fields=["community", "code"])]

    def __str__(self) -> str:
        return self.code

    def address_line(self) -> str:
        """House number, moo, village, soi and road as Thai forms write them."""
        parts = [
            self.house_no,
            f"หมู่ {self.moo}" if self.moo else "",
            self.village,
            _with_prefix(self.soi, "ซ.", ("ซอย", "ซ.")),
            _with_prefix(self.road, "ถ.", ("ถนน", "ถ.")),
        ]
        return " ".join(p for p in parts if p)


def _with_prefix(value: str, prefix: str, already: tuple[str, ...]) -> str:
    """`ร่วมใจ` → `ซ.ร่วมใจ`, but `ซอยร่วมใจ` stays as typed."""
    value = value.strip()
    if not value or value.startswith(already):
        return value
    return f"{prefix}{value}"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Prefix(models.TextChoices):
    MR = "nai", "นาย"
    MRS = "nang", "นาง"
    MISS = "nangsao", "นางสาว"
    BOY = "dekchai", "เด็กชาย"
    GIRL = "dekying", "เด็กหญิง"
    OTHER = "other", _("Other")


# The prefixes as Thai documents write them (for target lists and linkage input).
PREFIX_TEXT = {code: label for code, label in Prefix.choices if code != Prefix.OTHER}


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    PRESCHOOL = "preschool", _("Pre-school")
    PRIMARY = "primary", _("Primary (P.1–6)")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary (M.1–3)")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary (M.4–6)")
    VOCATIONAL = "vocational", _("Vocational certificate")
    DIPLOMA = "diploma", _("Diploma")
    BACHELOR = "bachelor", _("Bachelor's degree")
    HIGHER = "higher", _("Higher than bachelor's")


class Nationality(models.TextChoices):
    THAI = "thai", _("Thai nationality")
    OTHER = "other", _("Other nationality")


class HouseRegister(models.TextChoices):
    HERE = "here", _("On the house register of this district")
    ELSEWHERE = "elsewhere", _("On a house register elsewhere")


ADL_MAX = 20  # Barthel ADL index: 0 (fully dependent) to 20 (independent)


class Person(EncryptedNationalId, Versioned):
    # The ID itself is `national_id` (id_crypto.EncryptedNationalId): stored encrypted, found
    # and kept unique by its keyed hash. Never filter on the plaintext: use id_crypto.lookup_hash.
    national_id_encrypted = models.TextField(_("national ID (encrypted)"), blank=True)
    # Unique through Meta.constraints, not unique=True: on PostgreSQL that would add a second,
    # LIKE-only index (varchar_pattern_ops) for a hash nobody searches by prefix.
    national_id_hash = models.CharField(max_length=64, null=True, blank=True)
    # True when the person has no ID, or one starting with 0 (no Thai registration status).
    is_undocumented = models.BooleanField(_("undocumented"), default=False)
    prefix = models.CharField(_("prefix"), max_length=10, choices=Prefix.choices, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("birth date is estimated"), default=False)
    has_disability_card = models.BooleanField(_("holds a disability card"), default=False)
    # Health data (PDPA s.26) and the phone number: encrypted at rest (registry.fields).
    chronic_illness = EncryptedTextField(_("chronic illness"), max_length=200, blank=True)
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    monthly_income = models.DecimalField(
        _("monthly income (baht)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    # Search keys (registry.search_keys), written with the name and the phone: the name
    # normalised (no tone marks or prefix; a trigram index on PostgreSQL), the phone as the
    # keyed hash of its digits, since the phone itself is encrypted.
    search_name = models.CharField(max_length=210, blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # Derived from the ID's first digit (national_id.nationality) unless recorded with a reason.
    nationality = models.CharField(
        _("nationality"), max_length=10, choices=Nationality.choices, blank=True
    )
    nationality_reason = models.CharField(
        _("why nationality differs from the ID"), max_length=200, blank=True
    )
    house_register = models.CharField(
        _("house register"), max_length=10, choices=HouseRegister.choices, blank=True
    )
    house_register_place = models.CharField(
        _("house register elsewhere: where"), max_length=200, blank=True
    )
    adl_score = models.PositiveSmallIntegerField(
        _("Barthel ADL score (0-20)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(ADL_MAX)],
    )
    adl_assessed_on = models.DateField(_("ADL assessed on"), null=True, blank=True)
    incontinent = models.BooleanField(_("incontinent (bladder or bowel)"), null=True, blank=True)
    state_pension = models.BooleanField(
        _("receives a state pension or other regular state payment"), null=True, blank=True
    )
    in_state_care = models.BooleanField(_("lives in a state care home"), null=True, blank=True)
    financial_assets = models.DecimalField(
        _("financial assets (baht)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["national_id_hash"], name="person_id_hash_unique")
        ]
        indexes = [models.Index(fields=["phone_hash"], name="person_phone_hash")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        prefix = self.get_prefix_display() if self.prefix and self.prefix != "other" else ""
        return f"{prefix}{self.first_name} {self.last_name}".strip()

    def entered_national_id(self) -> str | None:
        """The ID as last entered for this person: one held for duplicate review if any (the
        editor sees what they typed, whatever the review finds), else the stored one."""
        held = self.duplicate_id_flags.filter(resolved_at__isnull=True).order_by("-pk").first()
        return held.national_id if held else self.national_id


class DuplicateIdResolution(models.TextChoices):
    ASSIGNED = "assigned", _("ID given to this record")
    DISMISSED = "dismissed", _("Entry was wrong: ID not given")


class DuplicateIdFlag(EncryptedNationalId, models.Model):
    """A national ID entered for `person` that another record (`existing`) already holds.

    The save is accepted with the ID held here instead of on the person, and the editor gets
    the same answer as for any other save: refusing would tell them the ID exists somewhere in
    the city, even outside their scope. A reviewer whose scope covers both records decides.
    The ID is stored as on Person (encrypted and keyed hash; `rotate-id-keys` covers it)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duplicate_id_flags")
    existing = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    national_id_encrypted = models.TextField(_("national ID (encrypted)"))
    national_id_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=DuplicateIdResolution.choices, blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("duplicate national ID for review")
        verbose_name_plural = _("duplicate national IDs for review")

    def __str__(self) -> str:
        return f"{self.masked_id} on person {self.person_id} (held by {self.existing_id})"


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    RELATIVE = "relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related")


class Membership(models.Model):
    """A person's stay in a household. Ending it (a move, a death) keeps the history."""

    # Indexed by the (household, end_date) index below.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation to head"), max_length=20, choices=Relation.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("household membership")
        ordering = ["start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(end_date__isnull=True),
                name="one_current_household_per_person",
            ),
            models.CheckConstraint(
                name="membership_ends_after_start",
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
        ]
        indexes = [models.Index(fields=["household", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} ({self.relation})"

    @property
    def is_current(self) -> bool:
        return self.end_date is None
