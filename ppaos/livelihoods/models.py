"""Pro-poor value-chain programmes: stages, partners, enrolled members and their income."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community
from ppaos.registry.models import Household, Person, Versioned


class ProgrammeKind(models.TextChoices):
    COMMUNITY_ENTERPRISE = "community_enterprise", _("Community enterprise")
    MARKET_LINKAGE = "market_linkage", _("Market linkage")
    SKILLS_TO_JOB = "skills_to_job", _("Skills to job")
    OTHER = "other", _("Other")


class Programme(models.Model):
    """A livelihood programme (a value chain) that may span several communities."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices)
    description = models.TextField(_("description"), blank=True)
    communities = models.ManyToManyField(
        Community, related_name="programmes", verbose_name=_("communities")
    )
    start_date = models.DateField(_("started on"))
    end_date = models.DateField(_("ended on"), null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("programme")

    def __str__(self) -> str:
        return self.name_th


class Stage(models.Model):
    """One step of the programme's value chain (production → processing → marketing)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("order"))
    name_th = models.CharField(_("name (Thai)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("stage")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="stage_position")
        ]

    def __str__(self) -> str:
        return self.name_th


class PartnerKind(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    TRAINER = "trainer", _("Trainer")
    LENDER = "lender", _("Lender")
    SUPPLIER = "supplier", _("Supplier")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """A buyer, trainer, lender ... working with the programme at one stage (or all)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="partners"
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("partner")
        ordering = ["programme", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    LEFT = "left", _("Left")


class Enrolment(Versioned):
    """A household member taking part in a programme, at one stage of its chain.

    The household is the one the person lived in when enrolled (kept if they move), so
    mobility is counted for the household the programme worked with."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrolments")
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    start_date = models.DateField(_("enrolled on"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("enrolment")
        ordering = ["programme", "household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person"],
                condition=models.Q(status="active"),
                name="one_active_enrolment_per_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"enrolment {self.pk} of person {self.person_id} in {self.programme_id}"


class IncomeSource(models.TextChoices):
    PROGRAMME = "programme", _("Programme activity")
    WAGES = "wages", _("Wages")
    SELF_EMPLOYED = "self_employed", _("Own business")
    OTHER = "other", _("Other")


class IncomeRecord(Versioned):
    """A member's monthly income as recorded in one survey round (editable, versioned)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="incomes")
    round_name = models.CharField(_("survey round"), max_length=50)
    monthly_income = models.DecimalField(
        _("monthly income (baht)"), max_digits=10, decimal_places=2
    )
    source = models.CharField(
        _("main source"), max_length=20, choices=IncomeSource.choices, default=IncomeSource.OTHER
    )

    class Meta:
        verbose_name = _("income record")
        ordering = ["enrolment", "round_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "round_name"], name="one_income_per_enrolment_round"
            ),
        ]

    def __str__(self) -> str:
        return f"income of enrolment {self.enrolment_id}, round {self.round_name}"
