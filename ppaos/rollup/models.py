"""The national side of the roll-up: trusted province keys, imported packages and their
areas' figures (provinces → districts → communities).

Every import keeps its package: the province's current figures are those of its latest
package (latest period, then latest generation), and its trend has one snapshot per period
(that period's latest package). Figures are stored as the package published them: counts,
"< 5" or "*" (never a true small value: the province never sent one)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.lib.i18n import localized


class ProvinceKey(models.Model):
    """The public key a province signs its packages with (registered by the national
    administrators: `ppaos rollup trust` or the admin)."""

    province_code = models.CharField(_("province code"), max_length=2, unique=True)
    public_key = models.TextField(_("public key (PEM)"))
    fingerprint = models.CharField(max_length=64, editable=False)
    registered_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["province_code"]
        verbose_name = _("trusted province key")

    def __str__(self) -> str:
        return f"{self.province_code} {self.fingerprint[:16]}"


class Package(models.Model):
    """One imported package (its SHA-256 digest makes a re-import a no-op)."""

    digest = models.CharField(max_length=64, unique=True)
    province_code = models.CharField(max_length=2)
    province_name_th = models.CharField(max_length=100)
    province_name_en = models.CharField(max_length=100, blank=True)
    # The first day of the month the figures describe.
    period = models.DateField()
    generated_at = models.DateTimeField()
    schema_version = models.PositiveSmallIntegerField()
    # The small-count threshold the province protected the figures with ("< 5").
    threshold = models.PositiveSmallIntegerField()
    # The rounds the mobility figures compare (empty: fewer than two rounds assessed).
    from_round = models.CharField(max_length=50, blank=True)
    to_round = models.CharField(max_length=50, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    areas_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["province_code", "-period", "-generated_at", "-id"]
        indexes = [models.Index(fields=["province_code", "period", "generated_at"])]
        verbose_name = _("roll-up package")

    def __str__(self) -> str:
        return f"{self.province_code} {self.period:%Y-%m} ({self.digest[:12]})"

    @property
    def province_name(self) -> str:
        return localized(self.province_name_th, self.province_name_en)


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNITY = "community", _("Community")


class Area(models.Model):
    """One area's figures in one package: {metric: count, "< 5" or "*"}, the error rates
    with their intervals, levels per round, monthly trends and mobility."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="areas")
    level = models.CharField(max_length=10, choices=Level.choices)
    code = models.CharField(max_length=20)
    parent_code = models.CharField(max_length=20, blank=True)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "level", "code"], name="rollup_area_unique_in_package"
            )
        ]
        indexes = [models.Index(fields=["level", "code"])]
        verbose_name = _("roll-up area")

    def __str__(self) -> str:
        return f"{self.level} {self.code}"

    @property
    def name(self) -> str:
        return localized(self.name_th, self.name_en)
