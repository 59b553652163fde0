"""Loading indicator sets and recording survey answers."""

import json
from fractions import Fraction
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from ppaos.assessment.models import IndicatorSet

DEFAULT_SET = Path(__file__).resolve().parent / "data" / "indicators-default.json"


def _check_definition(definition: dict) -> None:
    problems = []
    for key in ("code", "version", "name_th", "dimensions", "capitals"):
        if key not in definition:
            problems.append(f"missing {key!r}")
    if problems:
        raise ValidationError("; ".join(problems))
    total = sum(Fraction(d["weight"]) for d in definition["dimensions"])
    if total != 1:
        problems.append(f"dimension weights add up to {total}, not 1")
    codes = [i["code"] for d in definition["dimensions"] for i in d["indicators"]]
    codes += [i["code"] for i in definition["capitals"]["items"]]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        problems.append(f"codes used twice: {', '.join(repeated)}")
    thresholds = [Fraction(level["min"]) for level in definition["capitals"]["levels"]]
    if thresholds != sorted(thresholds):
        problems.append("level thresholds must increase")
    if problems:
        raise ValidationError("; ".join(problems))


@transaction.atomic
def indicator_set_load(*, definition: dict, actor=None, activate: bool = True) -> IndicatorSet:
    """Store a new indicator-set version (and make it the one new surveys use).

    Loading the same code and version again returns the stored one unchanged."""
    _check_definition(definition)
    existing = IndicatorSet.objects.filter(
        code=definition["code"], version=definition["version"]
    ).first()
    if existing:
        if existing.definition != definition:
            raise ValidationError(
                f"{existing} is already loaded with a different definition: "
                "give the new one its own version"
            )
        indicator_set = existing
    else:
        indicator_set = IndicatorSet.objects.create(
            code=definition["code"],
            version=definition["version"],
            name_th=definition["name_th"],
            name_en=definition.get("name_en", ""),
            definition=definition,
            loaded_by=actor,
        )
    if activate and not indicator_set.is_active:
        IndicatorSet.objects.filter(is_active=True).update(is_active=False)
        indicator_set.is_active = True
        indicator_set.save(update_fields=["is_active"])
    return indicator_set


def indicator_set_load_default() -> IndicatorSet:
    return indicator_set_load(definition=json.loads(DEFAULT_SET.read_text(encoding="utf-8")))
