"""Which column of a target-list file means what: a versioned, documented data file.

`data/tpmap-columns.json` (code, version) names the identity columns, the TPMAP / จปฐ.
attributes (11-digit house code, state-welfare-card holder, survey year, failed dimensions),
one column per dimension, the numbered จปฐ. indicator columns, and the words for pass / fail
and yes / no. Headers are matched on a normalised form (case, spaces, dots, dashes and
underscores ignored). A province loads its own export by copying the file with other aliases
and a new version. Every column that matches nothing is kept and reported as unknown.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path

from ppaos.lib.thaidate import BE_OFFSET
from ppaos.registry import national_id
from ppaos.targeting.models import IDENTITY_FIELDS

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "tpmap-columns.json"
ATTRIBUTE_KINDS = {"house_code", "flag", "year", "dimensions"}
MAX_COLUMNS = 500
MAX_CELL = 2000


class ColumnConfigError(ValueError):
    """The column file is not a usable configuration."""


@lru_cache(maxsize=4096)
def normalise(header: str) -> str:
    """Headers and cell words compared without case, spaces, dots, dashes and underscores
    (cached: an import normalises the same few words on every row)."""
    return re.sub(r"[\s._\-]+", "", header.strip().lower())


@dataclass(frozen=True)
class ColumnConfig:
    code: str
    version: str
    identity: dict[str, tuple[str, ...]]
    attributes: dict[str, tuple[str, tuple[str, ...]]]  # name → (kind, aliases)
    dimensions: dict[str, tuple[str, ...]]
    dimension_columns: re.Pattern
    indicator_columns: re.Pattern
    values: dict[str, frozenset[str]]

    @property
    def label(self) -> str:
        return f"{self.code} {self.version}"

    @cached_property
    def _dimension_words(self) -> dict[str, str]:
        """normalised code or alias → dimension code (the first dimension naming it wins)."""
        words: dict[str, str] = {}
        for code, aliases in self.dimensions.items():
            for word in (code, *aliases):
                words.setdefault(normalise(word), code)
        return words

    def dimension_code(self, text: str) -> str | None:
        return self._dimension_words.get(normalise(text))


def load(path: Path | None = None) -> ColumnConfig:
    """Read and check a column file (the shipped one, read once, by default)."""
    return _load(str(path)) if path else _default()


@cache
def _default() -> ColumnConfig:
    return _load(str(DEFAULT_FILE))


def _load(path: str) -> ColumnConfig:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        identity = {f: tuple(data["identity"][f]) for f in IDENTITY_FIELDS}
        attributes = {
            name: (spec["kind"], tuple(spec["aliases"]))
            for name, spec in data.get("attributes", {}).items()
        }
        config = ColumnConfig(
            code=str(data["code"]),
            version=str(data["version"]),
            identity=identity,
            attributes=attributes,
            dimensions={k: tuple(v) for k, v in data.get("dimensions", {}).items()},
            dimension_columns=re.compile(data.get("dimension_columns", r"^$(?!)")),
            indicator_columns=re.compile(data.get("indicator_columns", r"^$(?!)")),
            values={k: frozenset(normalise(v) for v in data["values"][k]) for k in _VALUE_KEYS},
        )
    except (OSError, ValueError, KeyError, TypeError, re.error) as e:
        raise ColumnConfigError(f"column file {path}: {type(e).__name__}: {e}") from None
    bad = {kind for kind, _a in config.attributes.values()} - ATTRIBUTE_KINDS
    if bad:
        raise ColumnConfigError(f"column file {path}: unknown attribute kind(s) {sorted(bad)}")
    return config


_VALUE_KEYS = ("pass", "fail", "yes", "no")


@dataclass
class ColumnPlan:
    """How one file's header maps: identity fields, attributes, dimensions, indicators, and
    the columns nothing recognises."""

    config: ColumnConfig
    identity: dict[str, str] = field(default_factory=dict)  # field → header
    attributes: dict[str, str] = field(default_factory=dict)  # attribute → header
    dimensions: dict[str, str] = field(default_factory=dict)  # header → dimension code
    indicators: dict[str, int] = field(default_factory=dict)  # header → indicator number
    unknown: list[str] = field(default_factory=list)

    def report(self) -> dict:
        """For the import report: what was recognised, and every unknown column."""
        recognised = {h: f for f, h in self.identity.items()}
        recognised |= {h: a for a, h in self.attributes.items()}
        recognised |= {h: f"dimension:{d}" for h, d in self.dimensions.items()}
        recognised |= {h: f"indicator:{n}" for h, n in self.indicators.items()}
        return {"mapping": self.config.label, "recognised": recognised, "unknown": self.unknown}


def plan(headers: list[str], identity: dict[str, str], config: ColumnConfig) -> ColumnPlan:
    """Map every header not already taken by an identity field."""
    if len(headers) > MAX_COLUMNS:
        raise ColumnConfigError(f"the file has {len(headers)} columns; at most {MAX_COLUMNS}")
    result = ColumnPlan(config=config, identity=dict(identity))
    taken = set(identity.values())
    aliases = {
        normalise(alias): name for name, (_k, names) in config.attributes.items() for alias in names
    }
    for header in headers:
        if header in taken:
            continue
        key = normalise(header)
        if key in aliases and aliases[key] not in result.attributes:
            result.attributes[aliases[key]] = header
        elif match := config.indicator_columns.match(key):
            result.indicators[header] = int(match.group(1))
        elif (match := config.dimension_columns.match(key)) and (
            code := config.dimension_code(match.group(1))
        ):
            result.dimensions[header] = code
        else:
            result.unknown.append(header)
    return result


def _word(config: ColumnConfig, text: str, true: str, false: str, what: str) -> bool | None:
    key = normalise(text)
    if not key:
        return None
    if key in config.values[true]:
        return True
    if key in config.values[false]:
        return False
    raise ValueError(f"{what} {text!r} is neither {true} nor {false}")


def _house_code(text: str) -> str:
    digits = re.sub(r"[\s\-]", "", text)
    if digits and not re.fullmatch(r"\d{11}", digits):
        raise ValueError(f"house code {text!r} is not 11 digits")
    return digits


def _year(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise ValueError(f"survey year {text!r} is not a year")
    year = int(text)
    year = year + BE_OFFSET if 1900 <= year < 2400 else year
    if not 2400 <= year <= 2700:
        raise ValueError(f"survey year {text!r} is not a year")
    return year


def _dimensions(config: ColumnConfig, text: str) -> list[str]:
    codes = []
    for part in re.split(r"[,;/|]+", text):
        if not part.strip():
            continue
        code = config.dimension_code(part)
        if code is None:
            known = ", ".join(config.dimensions)
            raise ValueError(f"dimension {part.strip()!r} is not one of {known}")
        codes.append(code)
    return sorted(set(codes))


def row_attributes(row: dict[str, str], columns: ColumnPlan) -> dict:
    """The TPMAP / จปฐ. values of one row; ValueError with the reason for a bad cell."""
    config, get = columns.config, lambda header: (row.get(header) or "").strip()
    values: dict = {
        "house_code": "",
        "welfare_card": None,
        "survey_year_be": None,
        "failed_dimensions": [],
        "indicator_results": {},
    }
    for name, header in columns.attributes.items():
        kind, text = config.attributes[name][0], get(header)
        if kind == "house_code":
            values["house_code"] = _house_code(text)
        elif kind == "flag":
            values[name] = _word(config, text, "yes", "no", name.replace("_", " "))
        elif kind == "year":
            values["survey_year_be"] = _year(text)
        elif kind == "dimensions":
            values["failed_dimensions"] = _dimensions(config, text)
    failed = set(values["failed_dimensions"])
    for header, code in columns.dimensions.items():
        if _word(config, get(header), "fail", "pass", f"dimension {code}"):
            failed.add(code)
    values["failed_dimensions"] = sorted(failed)
    for header, number in sorted(columns.indicators.items(), key=lambda kv: kv[1]):
        result = _word(config, get(header), "pass", "fail", f"indicator {number}")
        if result is not None:
            values["indicator_results"][str(number)] = result
    return values


def source_row(row: dict[str, str], columns: ColumnPlan) -> dict[str, str]:
    """Every column of the row as read, for the record. The national-ID column is left out
    (the ID is stored encrypted); any other cell holding a valid national ID is masked."""
    id_header = columns.identity.get("national_id")
    kept = {}
    for header, text in row.items():
        if header == id_header:
            continue
        if len(text) > MAX_CELL:
            raise ValueError(f"column {header!r} holds more than {MAX_CELL} characters")
        if len(text) < 13:  # normalising never lengthens: too short to hold an ID
            kept[header] = text
            continue
        candidate = national_id.normalize(text)
        kept[header] = national_id.masked(candidate) if national_id.is_valid(candidate) else text
    return kept
