"""Versioned indicator sets (configuration) and the survey answers they are asked with."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.lib.i18n import localized
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
        verbose_name = _("indicator set")
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

    @property
    def title(self) -> str:
        """The set's name in the reader's language, with its version: what pages show."""
        return f"{localized(self.name_th, self.name_en)} ({self.version})"

    @property
    def note(self) -> str:
        """The definition's note in the reader's language (Thai unless English is chosen)."""
        english = self.definition.get("note", "")
        return localized(self.definition.get("note_th") or english, english)

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
        verbose_name = _("survey")
        ordering = ["-collected_on", "-id"]
        indexes = [models.Index(fields=["household", "collected_on"])]

    def __str__(self) -> str:
        return f"survey {self.pk} of household {self.household_id}"


class PovertyStatus(models.TextChoices):
    POOR = "poor", _("poor")
    NOT_POOR = "not_poor", _("not poor")
    INCOMPLETE = "incomplete", _("incomplete data")


class Assessment(models.Model):
    """One household's result for one survey round. Immutable: computed once by
    `ppaos assess`, never updated; a new round gives a new row. It keeps the indicator-set
    version and the survey it was computed from, so later versions never change it.

    `deprivations`: {indicator code: 1 deprived, 0 not deprived, null does not apply or
    unknown}, read from the two bit masks `deprived_mask` and `unset_mask` (typed columns: a
    million JSON objects cost `ppaos assess` most of its time); the unknown ones are listed in
    `missing` (never guessed, see engine.py).
    `details`: why, for computed and person-level indicators (income per person against the
    threshold; which members failed). `deprivation_score` is the exact weighted share of
    indicators deprived ("3/20"); `capital_scores`: {capital code: mean of its items 1–4}."""

    # Indexed by the (household, round_name) unique constraint.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
    round_name = models.CharField(_("survey round"), max_length=50)
    # Sets are never deleted, so the PROTECT check never needs an index; each index costs every
    # bulk insert of a round.
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    survey = models.ForeignKey(SurveyResponse, on_delete=models.PROTECT, related_name="+")
    members = models.PositiveSmallIntegerField(_("members at the survey"), default=0)
    details = models.JSONField(default=dict)
    # Bit j set when the set's j-th indicator (definition order) is deprived: area pages and
    # `ppaos mpi` group a million rows by this integer instead of by the JSON.
    deprived_mask = models.BigIntegerField(default=0)
    # Bit j set when the j-th indicator does not apply or is unknown (null in `deprivations`).
    unset_mask = models.BigIntegerField(default=0)
    deprivation_score = models.CharField(max_length=40)
    deprivation_score_value = models.FloatField()
    is_poor = models.BooleanField(_("multidimensionally poor"))
    # Poor, not poor, or incomplete: unknown indicators could still change the answer (then
    # `is_poor` is false). Empty on rows stored before the status existed: read `poverty_status`.
    status = models.CharField(
        _("poverty status"), max_length=12, choices=PovertyStatus.choices, blank=True, default=""
    )
    # Indicator codes whose value is unknown, then capital items without a 1–4 answer.
    missing = models.JSONField(default=list)
    capital_scores = models.JSONField(default=dict)
    overall_score = models.FloatField(_("overall score"), null=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True)
    # The level from the scores alone, and the codes of the set's level overrides that moved it.
    score_level = models.PositiveSmallIntegerField(_("level from the scores"), null=True)
    level_reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assessment")
        ordering = ["-computed_at", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "round_name"], name="one_assessment_per_household_round"
            )
        ]
        indexes = [models.Index(fields=["round_name", "level"])]

    def __str__(self) -> str:
        return f"assessment of household {self.household_id}, round {self.round_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("assessments are immutable: assess a new round instead")
        super().save(*args, **kwargs)

    def indicator_codes(self) -> list[str]:
        """The set's indicator codes in definition order: bit j of the masks is the j-th."""
        return [i["code"] for i in self.indicator_set.indicators()]

    @property
    def deprivations(self) -> dict:
        """{indicator code: 1 deprived, 0 not deprived, None does not apply or unknown}."""
        deprived, unset = self.deprived_mask or 0, self.unset_mask or 0
        return {
            code: None if unset >> j & 1 else deprived >> j & 1
            for j, code in enumerate(self.indicator_codes())
        }

    @deprivations.setter
    def deprivations(self, values: dict) -> None:
        """Set both masks from {code: 1, 0 or None}; a code not given reads as None."""
        self.deprived_mask = self.unset_mask = 0
        for j, code in enumerate(self.indicator_codes()):
            value = values.get(code)
            if value is None:
                self.unset_mask |= 1 << j
            elif value:
                self.deprived_mask |= 1 << j

    @property
    def poverty_status(self) -> str:
        """`status`, or for rows stored before it existed, poor / not poor from `is_poor`."""
        if self.status:
            return self.status
        return PovertyStatus.POOR if self.is_poor else PovertyStatus.NOT_POOR

    @property
    def is_complete(self) -> bool:
        return not self.missing
