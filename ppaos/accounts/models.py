"""Users, organisations, and role assignments that carry an area or organisation scope."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.areas.models import Community, District, Province


class User(AbstractUser):
    """A person who signs in. What they may see comes from their role assignments."""

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        "Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )


class OrganisationKind(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("District office")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    UNIVERSITY = "university", _("University")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PRIVATE = "private", _("Private sector")
    COMMUNITY_ORGANISATION = "community_organisation", _("Community organisation")


class Organisation(models.Model):
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    # A district office belongs to its district; other organisations may leave this empty.
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    RESEARCHER = "researcher", _("Researcher")
    VOLUNTEER = "volunteer", _("Volunteer")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    COMMUNITY_LEADER = "community_leader", _("Community leader")


class RoleAssignment(models.Model):
    """One role for one user over exactly one scope: a province, district, community or
    organisation. A user may hold several (a volunteer assigned to three communities)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_has_exactly_one_scope",
                condition=(
                    models.Q(
                        province__isnull=False,
                        district__isnull=True,
                        community__isnull=True,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        province__isnull=True,
                        district__isnull=False,
                        community__isnull=True,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        province__isnull=True,
                        district__isnull=True,
                        community__isnull=False,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        province__isnull=True,
                        district__isnull=True,
                        community__isnull=True,
                        organisation__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        target = self.province or self.district or self.community or self.organisation
        return f"{self.get_role_display()} · {target}"
