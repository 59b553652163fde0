"""The community's own side of PPAOS: corrections it proposes to its registry data, and its
yearly fund (budget, proposals, the community's decisions, then either district procurement
and delivery of the chosen items, or expenditures with receipts: see `programme`).

Money is `Decimal` with two places (baht and satang). Rows of the fund are never edited after
they are recorded: the ledger is the history."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community, Province
from ppaos.community.programme import FundMode, ProcurementMethod, fiscal_year_bounds
from ppaos.registry.models import Household, Person

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 12, "decimal_places": 2}


# Corrections ---------------------------------------------------------------------------------


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted and applied")
    REJECTED = "rejected", _("Rejected")


class CorrectionKind(models.TextChoices):
    FIELD = "field", _("Correction of a field")
    DEATH = "death", _("Death of a member")
    MOVED_OUT = "moved_out", _("Member moved out")
    NEW_HOUSEHOLD = "new_household", _("New household")


# Life events: reported by the community, reviewed like corrections, applied through the
# registry services (the membership ends, or the household and its head are registered).
LIFE_EVENTS = (CorrectionKind.DEATH, CorrectionKind.MOVED_OUT, CorrectionKind.NEW_HOUSEHOLD)


class Correction(models.Model):
    """A change to one field of a household or a person that someone of the community proposes
    and a district officer reviews. `old_value` and `base_version` are the record as the proposer
    saw it: if the record has moved on by the review, the reviewer sees a conflict instead of the
    change being applied over someone else's edit."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(
        _("kind"), max_length=16, choices=CorrectionKind.choices, default=CorrectionKind.FIELD
    )
    # Empty only for a new household not yet accepted (then set to the household created).
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("household"),
    )
    # Empty: the correction is to the household itself; set: to this member.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    field = models.CharField(_("field"), max_length=40)
    # JSON-ready values (dates ISO, decimals as text) and the text shown for them.
    old_value = models.JSONField(null=True, blank=True)
    old_display = models.CharField(_("value now"), max_length=300, blank=True)
    proposed_value = models.JSONField(null=True, blank=True)
    proposed_display = models.CharField(_("proposed value"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    # A death or a move-out: when it happened.
    event_date = models.DateField(_("date"), null=True, blank=True)
    base_version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    # The record's version after the change was applied.
    applied_version = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["community", "status"])]
        verbose_name = _("correction")

    def __str__(self) -> str:
        return f"C-{self.pk:05d}" if self.pk else "C-new"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def target(self) -> Household | Person | None:
        return self.person if self.person_id else self.household

    @property
    def is_pending(self) -> bool:
        return self.status == CorrectionStatus.PENDING

    @property
    def is_event(self) -> bool:
        return self.kind in LIFE_EVENTS

    @property
    def label(self) -> str:
        """For the audit trail: number, household code (if any) and field or event."""
        code = self.household.code if self.household_id else "-"
        what = self.field if self.kind == CorrectionKind.FIELD else self.kind
        return f"{self.number} · {code} · {what}"


class CorrectionEvent(models.Model):
    """One step in a correction's history: proposed, conflict found, accepted, rejected."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFLICT = "conflict", _("Record changed since the proposal")
        ACCEPTED = "accepted", _("Accepted and applied")
        REJECTED = "rejected", _("Rejected")

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.TextField(blank=True)
    # Values at that moment (the record's version and the field's value then).
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("correction event")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.correction} {self.kind}"


class CorrectionNotice(models.Model):
    """An in-app notice to the proposer and the community's leaders that a correction or a
    life event was decided; read when they open it (or mark all read on their home page)."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="correction_notices")
    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("correction notice")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "correction"], name="one_correction_notice"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.correction} → {self.recipient_id}"


# Community fund ------------------------------------------------------------------------------


class FundProvinceRule(models.Model):
    """How a province runs its community funds (a configuration row; without one the built-in
    default of `programme.default_mode` and `PPAOS_COMMUNITY_FUND_BUDGET` apply). A fund year
    copies the mode when it is opened, so changing the rule never rewrites past years."""

    province = models.OneToOneField(
        Province, on_delete=models.PROTECT, related_name="fund_rule", verbose_name=_("province")
    )
    mode = models.CharField(_("how the fund is used"), max_length=12, choices=FundMode.choices)
    # Empty: PPAOS_COMMUNITY_FUND_BUDGET.
    budget = models.DecimalField(_("yearly budget (baht)"), null=True, blank=True, **MONEY)
    source = models.TextField(_("source (regulation, date)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("community fund rule")

    def __str__(self) -> str:
        return f"{self.province_id} {self.mode}"


class FundYear(models.Model):
    """A community's budget for one fiscal year (ปีงบประมาณ, B.E.: 1 October of the year before
    to 30 September), given by the city to be decided on by the community itself."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="fund_years")
    year_be = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"))
    budget = models.DecimalField(_("budget (baht)"), **MONEY)
    # Rows from before modes existed were cash ledgers.
    mode = models.CharField(
        _("how the fund is used"), max_length=12, choices=FundMode.choices, default=FundMode.CASH
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["community", "-year_be"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year_be"], name="one_fund_year"),
            models.CheckConstraint(
                name="fund_budget_not_negative", condition=models.Q(budget__gte=0)
            ),
        ]
        verbose_name = _("fund year")

    def __str__(self) -> str:
        return f"{self.community} {self.year_be}"

    @property
    def starts_on(self) -> dt.date:
        return fiscal_year_bounds(self.year_be)[0]

    @property
    def ends_on(self) -> dt.date:
        return fiscal_year_bounds(self.year_be)[1]

    @property
    def is_procurement(self) -> bool:
        return self.mode == FundMode.PROCUREMENT


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the community's decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class Proposal(models.Model):
    """A project the community is asked to fund."""

    fund_year = models.ForeignKey(FundYear, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    amount_requested = models.DecimalField(_("amount requested (baht)"), **MONEY)
    proposer_name = models.CharField(_("proposed by (name or group)"), max_length=200)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="proposal_amount_positive", condition=models.Q(amount_requested__gt=0)
            )
        ]
        verbose_name = _("proposal")

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """The community meeting's decision on one proposal: who came, how they voted, how much."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    meeting_date = models.DateField(_("meeting date"))
    attendance = models.PositiveIntegerField(_("people attending"))
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"))
    votes_abstain = models.PositiveIntegerField(_("abstentions"), default=0)
    approved = models.BooleanField(_("approved"))
    approved_amount = models.DecimalField(_("approved amount (baht)"), default=0, **MONEY)
    minutes_note = models.TextField(_("minutes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="decision_amount_not_negative", condition=models.Q(approved_amount__gte=0)
            )
        ]
        verbose_name = _("decision")

    def __str__(self) -> str:
        return f"{self.proposal} ({self.meeting_date})"


def receipt_path(instance: "Expenditure", filename: str) -> str:
    """Receipts live under MEDIA_ROOT by community and year; the name is the upload's suffix
    only, so nothing the uploader typed reaches the file system."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    year = instance.proposal.fund_year
    return f"community/receipts/{year.community_id}/{year.year_be}/{instance.uid}.{suffix}"


class Expenditure(models.Model):
    """Money paid out of an approved proposal, with its receipt."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="expenditures")
    spent_on = models.DateField(_("date paid"))
    amount = models.DecimalField(_("amount (baht)"), **MONEY)
    payee = models.CharField(_("paid to"), max_length=200)
    description = models.CharField(_("what for"), max_length=300)
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, blank=True)
    uid = models.CharField(max_length=32, editable=False, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="expenditure_amount_positive", condition=models.Q(amount__gt=0)
            )
        ]
        verbose_name = _("expenditure")

    def __str__(self) -> str:
        return f"{self.spent_on} {self.amount} {self.description}"


# District procurement (the Bangkok way) ------------------------------------------------------


class ProcurementStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested from the district office")
    PROCURED = "procured", _("Bought by the district office")
    DELIVERED = "delivered", _("Delivered to the community")
    RECEIVED = "received", _("Receipt confirmed by the community")


class Procurement(models.Model):
    """An approved proposal run the Bangkok way: the community asks the district office for
    the items it chose (request), the district buys them (procurement) and hands them over
    (delivery), and the community confirms what it received. No cash reaches the community.
    Each step keeps who did it and when; the row is locked optimistically (`version`)."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="procurement")
    status = models.CharField(
        max_length=10, choices=ProcurementStatus.choices, default=ProcurementStatus.REQUESTED
    )
    items = models.TextField(_("items and quantities"))
    amount_requested = models.DecimalField(_("amount requested (baht)"), **MONEY)
    requested_on = models.DateField(_("date requested"))
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    procured_on = models.DateField(_("date bought"), null=True, blank=True)
    method = models.CharField(
        _("procurement method"), max_length=12, choices=ProcurementMethod.choices, blank=True
    )
    reference = models.CharField(_("purchase order or contract no."), max_length=100, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount of the purchase (baht)"), null=True, blank=True, **MONEY)
    procured_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivered_on = models.DateField(_("date delivered"), null=True, blank=True)
    delivery_note = models.TextField(_("what was delivered"), blank=True)
    delivered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(_("date received"), null=True, blank=True)
    received_complete = models.BooleanField(_("everything requested arrived"), null=True)
    receipt_note = models.TextField(_("note on what arrived"), blank=True)
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="procurement_request_positive", condition=models.Q(amount_requested__gt=0)
            ),
            models.CheckConstraint(
                name="procurement_amount_positive",
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
            ),
        ]
        verbose_name = _("procurement")

    def __str__(self) -> str:
        return f"P-{self.pk:05d}" if self.pk else "P-new"

    @property
    def number(self) -> str:
        return str(self)


class ProcurementEvent(models.Model):
    """One step of a procurement, as it was taken: who, when, and the values recorded."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT)
    kind = models.CharField(max_length=10, choices=ProcurementStatus.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("procurement event")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.procurement} {self.kind}"
