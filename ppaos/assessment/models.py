"""Versioned indicator sets (configuration) and the survey answers they are asked with."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.registry.models import Household


class IndicatorSet(models.Model):
    """A version of the TPMAP-style indicators, the 5-capital items and the level thresholds.

    Definitions are data (see data/indicators-default.json). A new version never changes an
    old one: surveys and assessments keep the version they were made with."""

    code = models.CharField(max_length=50)
    version = models.CharField(max_length=20)
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    definition = models.JSONField()
    is_active = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indicator_set_version"),
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_indicator_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    def indicators(self) -> list[dict]:
        """Every indicator with its dimension code and weight (as a fraction string)."""
        result = []
        for dimension in self.definition["dimensions"]:
            for indicator in dimension["indicators"]:
                result.append(
                    {
                        **indicator,
                        "dimension": dimension["code"],
                        "dimension_weight": dimension["weight"],
                        "count_in_dimension": len(dimension["indicators"]),
                    }
                )
        return result

    def capital_items(self) -> list[dict]:
        return list(self.definition["capitals"]["items"])


class SurveyResponse(models.Model):
    """One household's answers to one indicator set, collected on one day.

    `indicators`: {indicator code: true when met, false when not met, null when it does not
    apply}; person-level indicators are answered per member in `member_indicators`
    ({person id: {code: bool}}). `capital_items`: {item code: 1–4}."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="surveys")
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT)
    collected_on = models.DateField(_("collected on"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    round_name = models.CharField(_("survey round"), max_length=50, blank=True)
    indicators = models.JSONField(default=dict)
    member_indicators = models.JSONField(default=dict)
    capital_items = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    needs = models.TextField(_("needs"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-collected_on", "-id"]
        indexes = [models.Index(fields=["household", "collected_on"])]

    def __str__(self) -> str:
        return f"survey {self.pk} of household {self.household_id}"
