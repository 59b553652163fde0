"""PDPA records: consent per person and purpose, data-subject requests with their 30-day clock,
legal holds, and the mark left on a person whose identifying data was erased."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppaos.registry.models import Person

USER = settings.AUTH_USER_MODEL
# PDPA s.30: an access request is answered within 30 days; PPAOS applies it to every request.
RESPONSE_DAYS = 30


class Purpose(models.TextChoices):
    REGISTRY = "registry", _("Poverty registry and field verification")
    REFERRAL = "referral", _("Referral to welfare and help")
    RESEARCH = "research", _("Research and statistics (pseudonymised)")
    OTHER = "other", _("Other (described in the notes)")


class LawfulBasis(models.TextChoices):
    """PDPA s.19 (consent) and the s.24 bases that need none."""

    CONSENT = "consent", _("Consent (PDPA s.19)")
    RESEARCH = "research", _("Research or statistics with safeguards (s.24(1))")
    VITAL_INTEREST = "vital_interest", _("Preventing danger to life, body or health (s.24(2))")
    CONTRACT = "contract", _("Contract (s.24(3))")
    PUBLIC_TASK = "public_task", _("Public task or official authority (s.24(4))")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (s.24(5))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (s.24(6))")


class ConsentRecord(models.Model):
    """The basis on which one person's data is processed for one purpose.

    Health and disability data (s.26) need the person's explicit consent: `sensitive_data`.
    A minor (under 20, s.20) consents through a guardian, named here."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=LawfulBasis.choices)
    # The version of the privacy notice (s.23) the person was given.
    notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    sensitive_data = models.BooleanField(
        _("explicit consent to health and disability data (s.26)"), default=False
    )
    share_with_agencies = models.BooleanField(
        _("may be shared with agencies that help (referrals)"), default=False
    )
    given_by = models.CharField(_("given by (name)"), max_length=200, blank=True)
    guardian_name = models.CharField(_("guardian (for a minor)"), max_length=200, blank=True)
    guardian_relation = models.CharField(_("guardian's relation"), max_length=100, blank=True)
    collector = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("consent record")
        indexes = [models.Index(fields=["person", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_lawful_basis_display()})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy (s.30)")
    PORTABILITY = "portability", _("Portability (s.31)")
    OBJECTION = "objection", _("Objection (s.32)")
    ERASURE = "erasure", _("Erasure or anonymisation (s.33)")
    RESTRICTION = "restriction", _("Restriction (s.34)")
    RECTIFICATION = "rectification", _("Rectification (s.35)")


class DataSubjectRequest(models.Model):
    """A request under PDPA ss.30-35, due 30 days after it was received. A rejection keeps its
    reason: that is the s.39 record."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="privacy_requests")
    kind = models.CharField(_("request"), max_length=20, choices=RequestKind.choices)
    requester_name = models.CharField(_("requested by"), max_length=200, blank=True)
    details = models.TextField(_("details"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    received_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("outcome or reason"), blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("data-subject request")
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if not self.due_at:
            self.due_at = self.received_at + dt.timedelta(days=RESPONSE_DAYS)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole days until the deadline (negative once overdue)."""
        now = now or timezone.now()
        return (timezone.localdate(self.due_at) - timezone.localdate(now)).days

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.due_at


class LegalHold(models.Model):
    """Keeps a person's data from erasure (a dispute, an inquiry, an audit) until released."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    placed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")

    def __str__(self) -> str:
        return self.reason

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class AnonymisationReason(models.TextChoices):
    REQUEST = "request", _("Erasure request (s.33)")
    RETENTION = "retention", _("Retention period over (s.37(3))")


class Anonymisation(models.Model):
    """The flag on a person whose names, ID, phone and free text were erased. The row and its
    memberships stay, so counts of people and households do not change."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="anonymisation")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=20, choices=AnonymisationReason.choices)
    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("anonymisation")

    def __str__(self) -> str:
        return f"{self.person_id} {self.reason}"
