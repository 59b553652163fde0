"""Target lists, their linkage to the registry, verification campaigns and visits."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community
from ppaos.assessment.models import Assessment, SurveyResponse
from ppaos.lib.jobs import JobProgress, JobStatus
from ppaos.registry.id_crypto import EncryptedNationalId
from ppaos.registry.models import Household, Person, Prefix, Sex

USER = settings.AUTH_USER_MODEL


class TargetList(models.Model):
    """A national (TPMAP) or local list of target poor, identified by source and BE year."""

    source = models.CharField(_("source"), max_length=30)
    year_be = models.PositiveIntegerField(_("year (B.E.)"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("target list")
        ordering = ["-year_be", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "year_be"], name="one_list_per_source_year")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.source.upper()} {self.year_be}"


class LinkStatus(models.TextChoices):
    UNLINKED = "unlinked", _("Not linked yet")
    AUTO = "auto", _("Linked automatically")
    REVIEW = "review", _("Waiting for review")
    ACCEPTED = "accepted", _("Linked after review")
    NEW = "new", _("Not in the registry (new person)")


# The identifying fields of a target-list row, as imported and as linked to the registry
# (`linkage.COLUMNS`), and every field an import writes: declared once, beside the model.
IDENTITY_FIELDS = (
    "national_id",
    "prefix",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "district_code",
    "subdistrict_code",
    "house_no",
)
RECORD_FIELDS = (
    *IDENTITY_FIELDS,
    "line_no",
    "house_code",
    "welfare_card",
    "survey_year_be",
    "failed_dimensions",
    "indicator_results",
    "source_row",
    "column_mapping",
    "extra",
)


class TargetRecord(EncryptedNationalId, models.Model):
    """One person on a target list. `record_key` makes re-imports idempotent: the keyed hash
    of the valid national ID, or a hash of name, birth date and area when there is none.
    `national_id` is stored encrypted (id_crypto), like the registry's."""

    # No index of its own: the (target_list, record_key) unique index leads with it. Each index
    # is written by every imported row (bench/importexport.py).
    target_list = models.ForeignKey(
        TargetList, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    record_key = models.CharField(max_length=64)
    line_no = models.PositiveIntegerField()
    national_id_encrypted = models.TextField(blank=True)
    # Indexed in Meta: a plain b-tree, without the LIKE index a CharField's db_index adds on
    # PostgreSQL (a hash is only ever looked up whole).
    national_id_hash = models.CharField(max_length=64, null=True, blank=True)
    prefix = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    district_code = models.CharField(max_length=4, blank=True)
    subdistrict_code = models.CharField(max_length=6, blank=True)
    house_no = models.CharField(max_length=20, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    # TPMAP / จปฐ. columns, as the column file (columns.py) maps them.
    house_code = models.CharField(_("house code"), max_length=11, blank=True)
    welfare_card = models.BooleanField(_("state welfare card holder"), null=True, blank=True)
    survey_year_be = models.PositiveIntegerField(_("survey year (B.E.)"), null=True, blank=True)
    failed_dimensions = models.JSONField(default=list, blank=True)  # dimension codes
    indicator_results = models.JSONField(default=dict, blank=True)  # {"1": true if passed}
    # Every column of the source row (header → text) except the national ID, which is
    # stored encrypted above; `column_mapping` is the column file's code and version.
    source_row = models.JSONField(default=dict, blank=True)
    column_mapping = models.CharField(max_length=60, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="target_records"
    )
    link_status = models.CharField(
        max_length=10, choices=LinkStatus.choices, default=LinkStatus.UNLINKED
    )
    link_probability = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("target-list record")
        ordering = ["line_no"]
        constraints = [
            models.UniqueConstraint(fields=["target_list", "record_key"], name="target_record_key")
        ]
        indexes = [
            models.Index(fields=["subdistrict_code"]),
            models.Index(fields=["link_status"]),
            models.Index(fields=["national_id_hash"], name="target_record_id_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def prefix_shown(self) -> str:
        """The prefix as a Thai document writes it ("nai" → นาย); other text as typed."""
        return str(dict(Prefix.choices).get(self.prefix, self.prefix))

    @property
    def sex_shown(self) -> str:
        """The sex by its label in the reader's language ("M" → ชาย)."""
        return str(dict(Sex.choices).get(self.sex, self.sex))

    def unknown_columns(self) -> dict[str, str]:
        """Source columns the column file did not recognise, with their values."""
        recognised = set((self.extra or {}).get("recognised", []))
        return {h: v for h, v in self.source_row.items() if h not in recognised}


class Job(JobProgress, models.Model):
    """Long work (an import, a linkage run) done by a background task; pages poll progress."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Target-list import")
        LINKAGE = "linkage", _("Record linkage")
        OFFLINE = "offline", _("Offline submissions import")

    Status = JobStatus

    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    params = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import or linkage job")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class LinkCandidate(models.Model):
    """A possible match between a target record and a registry person, for review.

    Decisions stay: a rejected pair is not offered again when linkage runs again."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Same person")
        REJECTED = "rejected", _("Different people")

    record = models.ForeignKey(TargetRecord, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("linkage pair")
        ordering = ["-probability"]
        constraints = [
            models.UniqueConstraint(fields=["record", "person"], name="one_candidate_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.record_id}~{self.person_id} {self.probability:.2f}"


class Campaign(models.Model):
    """A verification campaign: volunteers visit the households of assigned communities."""

    name = models.CharField(_("name"), max_length=200)
    target_list = models.ForeignKey(
        TargetList, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("target list")
    )
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(_("opened on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    is_open = models.BooleanField(default=True)
    sample_width = models.DecimalField(
        _("target width of the 95% interval"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0.010")), MaxValueValidator(Decimal("0.500"))],
        help_text=_(
            "For the random sample of households not on the list: 0.10 means the estimate of "
            "คนจนตกหล่น should be known to within ±5 percentage points."
        ),
    )

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignAssignment(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("campaign assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "community", "volunteer"], name="one_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.community_id} → {self.volunteer_id}"


class Outcome(models.TextChoices):
    CONFIRMED_POOR = "confirmed_poor", _("Confirmed poor")
    NOT_POOR = "not_poor", _("Not poor (listed: not really poor)")
    NOT_FOUND = "not_found", _("Not found")
    MOVED = "moved", _("Moved away")
    DIED = "died", _("Died")
    DUPLICATE = "duplicate", _("Duplicate")
    NEWLY_FOUND_POOR = "newly_found_poor", _("Newly found poor (poor but missed by the list)")


class Visit(models.Model):
    """A volunteer's visit to a household during a campaign, with its outcome and survey.

    PDPA: consent (who gave it, when, for which purpose) is recorded before anything else;
    without consent only the outcome is kept. `base_version` is the household version the
    volunteer started from; a submission made against an older version is a conflict."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        CONFLICT = "conflict", _("Conflict: needs review")
        RESOLVED = "resolved", _("Conflict resolved")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    volunteer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visited on"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    on_target_list = models.BooleanField(default=False)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("consent time"), null=True, blank=True)
    consent_purpose = models.CharField(_("purpose told"), max_length=300, blank=True)
    survey = models.OneToOneField(
        SurveyResponse, on_delete=models.PROTECT, null=True, blank=True, related_name="visit"
    )
    notes = models.TextField(_("notes"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="visits/%Y/%m/", null=True, blank=True)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECORDED)
    source = models.CharField(max_length=10, default="web")  # web, odk, kobo
    submission_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["campaign", "household"])]

    def __str__(self) -> str:
        return f"visit {self.pk} {self.outcome}"


class SurveyStatus(models.TextChoices):
    """A household's status as its assessed survey says (or the reviewer settles)."""

    POOR = "poor", _("Poor")
    NOT_POOR = "not_poor", _("Not poor")
    INCOMPLETE = "incomplete", _("Survey incomplete")
    NONE = "none", _("No assessed survey")


class VerificationReview(models.Model):
    """A reviewer's decision on a visit whose outcome disagrees with the assessed survey.

    The decision settles the household's status for the error report. It holds for the
    assessment it was made against: a later assessment that still disagrees is reviewed again."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reviews")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    survey_status = models.CharField(max_length=12, choices=SurveyStatus.choices)
    decision = models.CharField(
        _("reviewed status"),
        max_length=12,
        choices=[(SurveyStatus.POOR, _("Poor")), (SurveyStatus.NOT_POOR, _("Not poor"))],
    )
    note = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("verification review")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "assessment"], name="one_review_per_check")
        ]

    def __str__(self) -> str:
        return f"review of visit {self.visit_id}: {self.decision}"


class ExclusionSample(models.Model):
    """The campaign's random sample of households not on the target list (one per campaign).

    Drawn once, reproducibly: the frame (household ids in id order) and the seed give the
    same sample again; `frame_digest` lets anyone check that the frame was the same."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="exclusion_sample"
    )
    seed = models.BigIntegerField()
    target_width = models.DecimalField(max_digits=4, decimal_places=3)
    frame_size = models.PositiveIntegerField()
    frame_counts = models.JSONField(default=dict)  # {community id: households in the frame}
    frame_digest = models.CharField(max_length=64)
    sample_size = models.PositiveIntegerField()
    drawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()

    class Meta:
        verbose_name = _("exclusion sample")

    def __str__(self) -> str:
        return f"sample of campaign {self.campaign_id}: {self.sample_size}/{self.frame_size}"


class ExclusionSampleHousehold(models.Model):
    sample = models.ForeignKey(ExclusionSample, on_delete=models.CASCADE, related_name="members")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("household of an exclusion sample")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["sample", "household"], name="sampled_once")]

    def __str__(self) -> str:
        return f"{self.sample_id}#{self.position}: {self.household_id}"


class NameKey(models.Model):
    """The linkage keys of one normalised name (its soundex codes and romanisation), worked
    out once per engine version instead of in every linkage run: romanising is most of the
    time linkage spends preparing its records. Names only, tied to no one; erasing a person
    deletes their names here (`targeting.privacy`)."""

    name = models.TextField(_("name"))
    version = models.CharField(_("engine version"), max_length=200)
    keys = models.JSONField(_("keys"))  # {soundex engine: code, "rom": romanisation}

    class Meta:
        verbose_name = _("name's linkage keys")
        verbose_name_plural = _("names' linkage keys")
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="name_key_once_per_version")
        ]

    def __str__(self) -> str:
        return self.name
