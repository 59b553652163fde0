"""Administrative geography (DOPA codes, loaded from geothai) and communities."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.lib.i18n import LocalizedName, is_english


class NamedArea(models.Model):
    """An area with a DOPA code as its primary key, so scope filters can use code prefixes."""

    code = models.CharField(max_length=6, primary_key=True)
    name_th = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if is_english() else self.name_th


class Province(NamedArea):
    class Meta(NamedArea.Meta):
        verbose_name = _("province")


class District(NamedArea):
    """อำเภอ, or เขต (khet) in Bangkok."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")

    class Meta(NamedArea.Meta):
        verbose_name = _("district")


class Subdistrict(NamedArea):
    """ตำบล, or แขวง (khwaeng) in Bangkok."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    postal_code = models.CharField(max_length=5, blank=True)

    class Meta(NamedArea.Meta):
        verbose_name = _("subdistrict")


class CommunityType(models.TextChoices):
    """The six BMA community types (ระเบียบ กทม. ว่าด้วยชุมชนและกรรมการชุมชน พ.ศ. 2555).

    Bangkok's types only: which types a province uses is data (`data/provinces.json`, read
    through `ppaos.areas.provinces`), so a community's `community_type` is not limited to
    these."""

    SLUM = "slum", _("Crowded community")
    URBAN = "urban", _("Urban community")
    SUBURBAN = "suburban", _("Suburban community")
    HOUSING_ESTATE = "housing_estate", _("Housing estate community")
    PUBLIC_HOUSING = "public_housing", _("Public housing community")
    HIGH_RISE = "high_rise", _("High-rise community")


class LocalGovernmentKind(models.TextChoices):
    """The kinds of local administrative organisation (อปท.) in the DLA list."""

    PAO = "pao", _("Provincial administrative organisation")
    CITY_MUNICIPALITY = "city_municipality", _("City municipality")
    TOWN_MUNICIPALITY = "town_municipality", _("Town municipality")
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality", _("Subdistrict municipality")
    SAO = "sao", _("Subdistrict administrative organisation")
    SPECIAL = "special", _("Special local administration")


MUNICIPALITY_KINDS = frozenset(
    {
        LocalGovernmentKind.CITY_MUNICIPALITY,
        LocalGovernmentKind.TOWN_MUNICIPALITY,
        LocalGovernmentKind.SUBDISTRICT_MUNICIPALITY,
    }
)


class LocalGovernment(LocalizedName, models.Model):
    """อปท.: a local administrative organisation, keyed by its DLA code (7 digits).

    `subdistricts` are the tambons it covers, wholly or in part (empty for an อบจ., which
    covers the whole province above the others). Loaded by `ppaos onboard-province`."""

    code = models.CharField(max_length=7, primary_key=True)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=30, choices=LocalGovernmentKind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="local_governments"
    )
    subdistricts = models.ManyToManyField(Subdistrict, blank=True, related_name="local_governments")

    class Meta:
        ordering = ["code"]
        verbose_name = _("local government")

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind in MUNICIPALITY_KINDS


class Village(LocalizedName, models.Model):
    """หมู่บ้าน (หมู่ที่ N of a tambon), keyed by its DOPA code: province(2) + amphoe(2) +
    tambon(2) + moo(2). `local_government` is the อปท. it lies in (a municipality or an
    อบต.)."""

    code = models.CharField(max_length=8, primary_key=True)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="villages")
    moo = models.PositiveSmallIntegerField()
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="villages",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")

    def __str__(self) -> str:
        return self.name


class Community(LocalizedName, models.Model):
    """ชุมชน: the local unit households belong to. In Bangkok a BMA community (no หมู่);
    upcountry a village (หมู่บ้าน, `village`) or a community inside a municipality
    (`local_government`). Its type is one of its province's types (`ppaos.areas.provinces`)."""

    code = models.CharField(max_length=20, unique=True)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="communities"
    )
    community_type = models.CharField(max_length=30, default=CommunityType.URBAN)
    village = models.OneToOneField(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="community"
    )
    # The อปท. the community lies in (upcountry); empty in Bangkok.
    local_government = models.ForeignKey(
        LocalGovernment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Next household number inside this community (household codes are CODE-00001).
    household_seq = models.PositiveIntegerField(default=0)
    # Made by `ppaos demo-data`; the UI flags synthetic data.
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name

    @property
    def district_code(self) -> str:
        return self.subdistrict_id[:4]

    def get_community_type_display(self) -> str:
        """The type's label in the page's language, from the province types' data."""
        from ppaos.areas.provinces import community_type_label

        return community_type_label(self.community_type)


class BoundaryLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")


class Boundary(models.Model):
    """A province or district outline for maps (OCHA COD-AB GeoJSON), keyed by DOPA code.

    No foreign key: boundaries are loaded from a separate file, and a feature whose code is not
    in the geography is reported, not stored."""

    level = models.CharField(max_length=10, choices=BoundaryLevel.choices)
    code = models.CharField(max_length=6)
    geometry = models.JSONField()
    source = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="boundary_level_code_unique")
        ]
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return f"{self.level} {self.code}"
