"""The referral system: a catalogue of agencies' services with eligibility rules (data, with
effective dates), the benefits people receive, referral cases between the city and agencies,
notifications, and household development plans.

Rules are JSON expressions in a small declarative language (see `rules.py`), never code."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ppaos.accounts.models import Organisation
from ppaos.areas.models import LocalGovernment
from ppaos.lib.i18n import LocalizedName, localized
from ppaos.referrals.windows import Opening, opening
from ppaos.registry.models import Household, Person

USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    RELIEF = "relief", _("Relief")
    WELFARE = "welfare", _("Welfare")
    HEALTH = "health", _("Health")
    DOCUMENTS = "documents", _("Documents and civil registration")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    DEVELOPMENT = "development", _("Development and work")


class Level(models.TextChoices):
    PERSON = "person", _("Person")
    HOUSEHOLD = "household", _("Household")


class Period(models.TextChoices):
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")
    ONCE = "once", _("once")


class AreaRoute(models.TextChoices):
    """How a service with a fixed provider is routed where the province says otherwise
    (`ppaos.areas.provinces`): e.g. the adult-diaper benefit goes to Bangkok's health fund in
    Bangkok, and to the local health fund of the household's อปท. elsewhere."""

    NONE = "", _("always the provider")
    HEALTH_FUND = "health_fund", _("the local health fund of the household's area")


class Service(LocalizedName, models.Model):
    """A service an organisation gives. `provider` is a fixed organisation; a service given by
    "the district office" (`provider_is_district_office`) is routed by area when a referral is
    made: to the office of the household's district in Bangkok, to the อปท. covering the
    household elsewhere (`ppaos.referrals.routing`)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    level = models.CharField(
        _("given to"), max_length=10, choices=Level.choices, default=Level.PERSON
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("provider"),
    )
    provider_is_district_office = models.BooleanField(
        _("given by the household's district office (or อปท. outside Bangkok)"), default=False
    )
    area_route = models.CharField(
        _("outside Bangkok, routed to"),
        max_length=20,
        choices=AreaRoute.choices,
        default=AreaRoute.NONE,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    sla_days = models.PositiveSmallIntegerField(_("response time (days)"), default=15)
    amount_period = models.CharField(
        _("amount paid"), max_length=10, choices=Period.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_th = models.CharField(_("source (Thai)"), max_length=500, blank=True)
    # When one can apply (windows.py): any time, or only in registration windows.
    registration_by_rounds = models.BooleanField(
        _("applications only in announced registration rounds"), default=False
    )
    registration_windows = models.JSONField(_("registration windows"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("service")
        constraints = [
            models.CheckConstraint(
                name="service_has_one_provider",
                condition=models.Q(provider__isnull=False, provider_is_district_office=False)
                | models.Q(provider__isnull=True, provider_is_district_office=True),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description_shown(self) -> str:
        """The description in the reader's language: Thai unless English is chosen."""
        return localized(self.description_th or self.description, self.description)

    @property
    def source_shown(self) -> str:
        """The sources in the reader's language (Thai unless English is chosen)."""
        return localized(self.source_th or self.source, self.source)

    def opening(self, on: dt.date) -> Opening:
        """When one can apply, seen from `on`."""
        return opening(
            by_rounds=self.registration_by_rounds, windows=self.registration_windows, on=on
        )

    def rule_on(self, on: dt.date) -> "ServiceRule | None":
        """The rule version in force on `on` (the latest that took effect by then)."""
        rules = getattr(self, "_rules_cache", None)
        if rules is None:
            rules = sorted(
                (r for r in self.rules.all() if r.replaced_at is None),
                key=lambda r: r.effective_from,
                reverse=True,
            )
            self._rules_cache = rules
        return next((r for r in rules if r.effective_from <= on), None)

    def forget_rules(self) -> None:
        """Drop the rule versions `rule_on` remembered (after a version was added)."""
        self.__dict__.pop("_rules_cache", None)


class ServiceRule(models.Model):
    """One version of a service's eligibility rule and benefit amount, in force from
    `effective_from` until the next version. Versions are never edited in place once used:
    a coordinator adds a new version with its own effective date, which ends the version
    before it the day before. A new version taking effect on the same day as another replaces
    it: the replaced one is kept (`replaced_at`, `replaced_by`) as history, in force no more.

    `eligibility` and `amount` are expressions of the rule language (`rules.py`); an empty
    eligibility means the service is given on a professional's judgement only, so it is never
    listed as "eligible but excluded"."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rules")
    effective_from = models.DateField(_("in force from"))
    eligibility = models.JSONField(_("eligibility rule"), null=True, blank=True)
    amount = models.JSONField(_("amount (baht)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    note_th = models.TextField(_("note (Thai)"), blank=True)
    # Facts the domain brief marks as unconfirmed stay data, flagged for review.
    is_confirmed = models.BooleanField(_("confirmed"), default=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    source_th = models.CharField(_("source (Thai)"), max_length=800, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("service rule version")
        ordering = ["service", "-effective_from", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "effective_from"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_rule_per_service_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service.code} from {self.effective_from}"

    @property
    def note_shown(self) -> str:
        """The note in the reader's language (Thai unless English is chosen)."""
        return localized(self.note_th or self.note, self.note)

    @property
    def source_shown(self) -> str:
        """The sources in the reader's language (Thai unless English is chosen)."""
        return localized(self.source_th or self.source, self.source)


class Benefit(models.Model):
    """A person receiving (enrolled in) a service's benefit: what makes someone "receiving"
    rather than "eligible but excluded". Household-level services are recorded on the head."""

    class Source(models.TextChoices):
        REFERRAL = "referral", _("Completed referral")
        SURVEY = "survey", _("Reported in a survey")
        IMPORT = "import", _("Agency list")
        MANUAL = "manual", _("Entered by staff")
        DEMO = "demo", _("Demo data")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="benefits")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="benefits")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (baht)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    referral = models.OneToOneField(
        "Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="benefit"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("benefit")
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["service", "since"])]

    def __str__(self) -> str:
        return f"{self.person_id} receives {self.service_id} since {self.since}"

    def is_current(self, on: dt.date) -> bool:
        return self.since <= on and (self.until is None or self.until >= on)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS)

# The referral's state machine, in one place: each action and the statuses it may start from.
# The services refuse an action from any other status; the access check offers an action only
# from these statuses (and to the side allowed to take it, `access.SIDES`).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "send": (Status.DRAFT,),
    "accept": (Status.SENT,),
    "reject": (Status.SENT,),
    "start": (Status.ACCEPTED,),
    "complete": (Status.ACCEPTED, Status.IN_PROGRESS),
    "close": (Status.DRAFT, Status.REJECTED, *OPEN_STATUSES),
    "transfer": (Status.REJECTED, *OPEN_STATUSES),
    "comment": tuple(Status.values),
}


class Referral(models.Model):
    """A case sent from the city (district office, coordinator) to an agency for a service.

    draft → sent → accepted / rejected → in progress → completed or closed. Sending needs the
    person's consent or a recorded, justified override. `due_on` follows the service's response
    time from the day it was sent (or transferred). `organisation` is the agency that holds the
    case now; a transfer moves it and the old agency loses access."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    intervention = models.ForeignKey(
        "PlanIntervention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note to the agency"), blank=True)
    # Why the person was referred (eligibility reasons); for the city side only.
    reason = models.TextField(_("eligibility reasons"), blank=True)
    expected_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    consent_given = models.BooleanField(_("consent given"), default=False)
    consent_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_override_reason = models.TextField(_("consent override reason"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(pgettext_lazy("referral", "outcome"), blank=True)
    benefit_amount = models.DecimalField(
        _("benefit (baht)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    benefit_from = models.DateField(_("benefit from"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("referral")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"R-{self.pk:06d}" if self.pk else "R-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class ReferralEvent(models.Model):
    """The timeline of a referral: every status change, transfer, override and comment."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        STARTED = "started", _("Work started")
        COMPLETED = "completed", pgettext_lazy("referral status", "Completed")
        CLOSED = "closed", _("Closed")
        TRANSFERRED = "transferred", _("Transferred")
        CONSENT_OVERRIDE = "consent_override", _("Sent without consent (override)")
        COMMENT = "comment", _("Comment")
        OVERDUE = "overdue", _("Overdue")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("referral event")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind}"


class Notification(models.Model):
    """An in-app notice (also e-mailed when the user has an address). `key` makes sending
    idempotent: one notice per referral, kind and state (e.g. overdue while sent, due 1 May)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New referral")
        OVERDUE = "overdue", _("Overdue referral")
        COMPLETED = "completed", _("Referral completed")
        REJECTED = "rejected", _("Referral rejected")

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=60)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "referral", "kind", "key"], name="one_notice_per_state"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message


# Household development plans ------------------------------------------------------------------


class HouseholdPlan(models.Model):
    """A household's development plan (China's 建档立卡 "five questions"): its problems, the
    interventions chosen, the referrals made, follow-up visits and the exit check, with a named
    responsible person. One open plan per household; an exited plan stays as history."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        EXITED = "exited", _("Exited (out of poverty)")
        CLOSED = "closed", _("Closed")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="plans")
    responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible person")
    )
    goal = models.TextField(_("goal"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"))
    exit_checked_on = models.DateField(_("exit checked on"), null=True, blank=True)
    exit_check = models.JSONField(default=list, blank=True)
    exit_notes = models.TextField(_("exit notes"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("household plan")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="open"),
                name="one_open_plan_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} of {self.household_id}"


class PlanProblem(models.Model):
    plan = models.ForeignKey(HouseholdPlan, on_delete=models.CASCADE, related_name="problems")
    # A problem code of the active indicator set ("income", "documents", ...) or empty.
    code = models.CharField(_("problem"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_on = models.DateField()
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan problem")
        ordering = ["recorded_on", "id"]

    def __str__(self) -> str:
        return self.code or self.description[:40]


class PlanIntervention(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        REFERRED = "referred", _("Referred")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(HouseholdPlan, on_delete=models.CASCADE, related_name="interventions")
    problem = models.ForeignKey(
        PlanProblem, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("service")
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("what will be done"))
    responsible_name = models.CharField(_("who does it"), max_length=200, blank=True)
    target_date = models.DateField(_("by"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("plan action")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:60]


class PlanVisit(models.Model):
    """A follow-up visit: what changed, and when the next visit is due."""

    class Progress(models.TextChoices):
        BETTER = "better", _("Better")
        SAME = "same", _("No change")
        WORSE = "worse", _("Worse")

    plan = models.ForeignKey(HouseholdPlan, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices)
    notes = models.TextField(_("notes"), blank=True)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up visit")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"visit {self.visited_on} to plan {self.plan_id}"


class LocalProvider(models.Model):
    """The organisation that answers referrals for an อปท.: the อปท. itself (`office`) or its
    local health fund (กองทุนหลักประกันสุขภาพระดับท้องถิ่น, `health_fund`). Its staff are
    agency officers of that organisation, so they accept its referrals as any agency does."""

    class Function(models.TextChoices):
        OFFICE = "office", _("Local government office")
        HEALTH_FUND = "health_fund", _("Local health fund")

    local_government = models.ForeignKey(
        LocalGovernment, on_delete=models.PROTECT, related_name="providers"
    )
    function = models.CharField(max_length=20, choices=Function.choices)
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="local_provider"
    )

    class Meta:
        verbose_name = _("local provider")
        ordering = ["local_government", "function"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_government", "function"], name="one_provider_per_function"
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name_th
