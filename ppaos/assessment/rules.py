"""The rules an indicator set declares: who is poor, and the overrides of the level.

* `poverty_rule.kind`: `union` (poor when any one indicator is not met: TPMAP's rule),
  `intersection` (poor only when every indicator is not met) or `k` (Alkire–Foster: poor when
  the weighted share of indicators not met is at least `k`, given exactly as a string such as
  `"1/3"` or `"0.25"`; a JSON float is refused). Each kind comes to one exact cutoff for
  `mpi.alkire_foster`: the smallest indicator weight for `union` (a score is a sum of weights, so
  it reaches the smallest one exactly when one indicator is not met), 1 for `intersection`.
  A definition without `kind` (older versions) is read as `k`.
* `capitals.level_overrides`: a list of `{"code", "when": {"indicator": code, "is":
  "deprived"|"met"}, "at_most"|"at_least": level, "reason_th", "reason_en"}`; the level from the
  scores is lowered to `at_most` (raised to `at_least`) when the indicator is known to be in
  that state. Floors apply first, then ceilings.
* Capital items may carry `rubric_th` / `rubric_en`: four texts, what a score of 1, 2, 3 and 4
  means.

Pure: no database. Problems are appended to the caller's list, each naming its field.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _

KINDS = ("union", "intersection", "k")
RULE_FIELDS = ("kind", "k", "household_deprived_when")
OVERRIDE_FIELDS = ("code", "when", "at_most", "at_least", "reason_th", "reason_en")
WHEN_FIELDS = ("indicator", "is")
STATES = ("deprived", "met")
RUBRIC_SCORES = 4


@dataclass(frozen=True)
class PovertyRule:
    kind: str
    cutoff: Fraction
    k: Fraction | None = None  # as declared, for kind "k"

    def describe(self) -> str:
        """The rule in words (translated: Thai on Thai pages)."""
        if self.kind == "union":
            return _("A household is poor when it does not meet any one indicator.")
        if self.kind == "intersection":
            return _("A household is poor only when it meets none of the indicators.")
        return _(
            "A household is poor when the weighted share of indicators it does not meet is "
            "at least %(k)s."
        ) % {"k": self.k}


@dataclass(frozen=True)
class LevelOverride:
    code: str
    indicator: str
    state: str
    at_most: int | None
    at_least: int | None
    reason_th: str
    reason_en: str


def _exact(value, what: str, problems: list[str]) -> Fraction | None:
    """A number given exactly: an integer or a string ("1/3", "0.25"); never a JSON float."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.append(f'{what} must be written exactly, as a string such as "1/3": {value!r}')
        return None
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        problems.append(f"{what} is not a number: {value!r}")
        return None


def read_poverty_rule(rule: dict, weights: list[Fraction], problems: list[str]) -> PovertyRule:
    """The identification rule of `poverty_rule`; problems name the field at fault."""
    for name in sorted(set(rule) - set(RULE_FIELDS)):
        problems.append(f"poverty_rule.{name}: unknown field (known: {', '.join(RULE_FIELDS)})")
    kind = rule.get("kind", "k")
    if kind not in KINDS:
        problems.append(f"poverty_rule.kind must be one of {', '.join(KINDS)}, not {kind!r}")
        return PovertyRule(kind="k", cutoff=Fraction(1))
    if kind != "k":
        if "k" in rule:
            problems.append(f'poverty_rule.k is only for kind "k", not {kind!r}')
        positive = [w for w in weights if w > 0]
        cutoff = min(positive) if kind == "union" and positive else Fraction(1)
        return PovertyRule(kind=kind, cutoff=cutoff)
    k = _exact(rule.get("k", "1/3"), "poverty_rule.k", problems)
    if k is not None and not 0 < k <= 1:
        problems.append(f"poverty_rule.k must be above 0 and at most 1, not {k}")
    k = k if k is not None and 0 < k <= 1 else Fraction(1)
    return PovertyRule(kind="k", cutoff=k, k=k)


def read_rubric(item: dict, key: str, problems: list[str]) -> tuple[str, ...]:
    """An item's rubric: four non-empty texts (scores 1–4), or () when it has none."""
    rubric = item.get(key)
    if rubric is None:
        return ()
    if (
        not isinstance(rubric, list)
        or len(rubric) != RUBRIC_SCORES
        or not all(isinstance(text, str) and text.strip() for text in rubric)
    ):
        problems.append(
            f"capitals.items {item.get('code')!r}.{key} must list {RUBRIC_SCORES} texts, "
            "what scores 1, 2, 3 and 4 mean"
        )
        return ()
    return tuple(text.strip() for text in rubric)


def _override(
    raw, where: str, indicators: list[str], levels: list[int], problems: list[str]
) -> LevelOverride | None:
    if not isinstance(raw, dict):
        problems.append(f"{where} must be an object")
        return None
    before = len(problems)
    for name in sorted(set(raw) - set(OVERRIDE_FIELDS)):
        problems.append(f"{where}.{name}: unknown field (known: {', '.join(OVERRIDE_FIELDS)})")
    when = raw.get("when")
    if not isinstance(when, dict):
        problems.append(f'{where}.when must be {{"indicator": code, "is": "deprived"}}')
        when = {}
    for name in sorted(set(when) - set(WHEN_FIELDS)):
        problems.append(f"{where}.when.{name}: unknown field (known: {', '.join(WHEN_FIELDS)})")
    indicator = when.get("indicator")
    if indicator not in indicators:
        problems.append(f"{where}.when.indicator: unknown indicator {indicator!r}")
    state = when.get("is", "deprived")
    if state not in STATES:
        problems.append(f"{where}.when.is must be one of {', '.join(STATES)}, not {state!r}")
    bounds = [name for name in ("at_most", "at_least") if name in raw]
    if len(bounds) != 1:
        problems.append(f"{where} needs exactly one of at_most, at_least")
    for name in bounds:
        if raw[name] not in levels or isinstance(raw[name], bool):
            problems.append(f"{where}.{name}: unknown level {raw[name]!r}")
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        problems.append(f"{where}.code is missing")
    if not str(raw.get("reason_th", "")).strip():
        problems.append(f"{where}.reason_th is missing")
    if len(problems) > before:
        return None
    return LevelOverride(
        code=code,
        indicator=indicator,
        state=state,
        at_most=raw.get("at_most"),
        at_least=raw.get("at_least"),
        reason_th=raw["reason_th"].strip(),
        reason_en=str(raw.get("reason_en", "")).strip(),
    )


def read_level_overrides(
    raw, *, indicators: list[str], levels: list[int], problems: list[str]
) -> tuple[LevelOverride, ...]:
    """`capitals.level_overrides`, every one checked against the set's indicators and levels."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("capitals.level_overrides must be a list")
        return ()
    result = []
    for n, entry in enumerate(raw):
        override = _override(entry, f"capitals.level_overrides[{n}]", indicators, levels, problems)
        if override is not None:
            result.append(override)
    codes = [o.code for o in result]
    if len(set(codes)) != len(codes):
        problems.append("capitals.level_overrides: each override needs its own code")
    return tuple(result)


def score_choices(item: dict, *, english: bool = False) -> list[tuple[str, str]]:
    """Form choices for a 1–4 capital item (a definition's raw item): "1 – what 1 means", …
    from its rubric; plain "1"…"4" when it has none. For the survey form and the XLSForm."""
    texts = (item.get("rubric_en") if english else None) or item.get("rubric_th") or []
    if not isinstance(texts, list) or len(texts) != RUBRIC_SCORES:
        texts = [""] * RUBRIC_SCORES
    return [
        (str(score), f"{score} – {text}" if text else str(score))
        for score, text in enumerate(texts, start=1)
    ]
