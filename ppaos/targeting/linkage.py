"""Record linkage of Thai person records with Splink: target lists to the registry, and
duplicates inside the registry.

Input frames have the columns in `COLUMNS` (anything but `id` may be empty). `prepare` adds the
Thai-aware derived columns; `link_frames` and `dedupe_frame` train a Fellegi–Sunter model with
Splink and return the pairs at or above a match probability.

Comparisons (Splink comparisons over the derived columns; level order matters, first hit wins):

- `national_id`: exact match of a *valid* 13-digit ID (mod-11 checksum), or two valid IDs that
  differ; an invalid or missing ID counts as missing. Frames from the database carry
  `national_id_hash` (the keyed hash, `registry.id_crypto`) instead: then `nid` is that hash,
  and the same comparison runs on it without any ID being decrypted. The u of an exact
  match is fixed at 1e-7 (two different people share a valid ID only through a copying
  error), so an ID match dominates (about +23 bits); the m of a mismatch is estimated but
  at least 0.2 % (a mistyped ID that still passes the checksum), so two different valid IDs
  weigh about −8 to −9 bits.
- `first_name`: exact (term-frequency adjusted); same romanisation (PyThaiNLP `royin`, which
  folds ณ/น, ศ/ษ/ส, tone marks ...); Jaro–Winkler ≥ 0.9; two or more of four PyThaiNLP soundex
  codes equal (udom83, lk82, metasound, prayut_and_somchaip); first and last name swapped;
  else.
- `surname_household`: surname and address in one comparison, because people in one house
  mostly share a surname: treated as independent evidence, the two would make every relative
  look like a match. Same surname and house; similar surname (romanisation, Jaro–Winkler ≥ 0.9
  or soundex) and same house; same house with another surname (marriage); same surname in the
  same district; same surname elsewhere (term-frequency adjusted); similar surname; same
  district; else.
- `sex_prefix`: same sex and prefix; a prefix change life explains (นางสาว ↔ นาง on marriage,
  or a child prefix ↔ the adult one when the person is 10-25 now and both prefixes fit their
  record's sex and age); same sex with a prefix missing or a title (rank, monk); same sex with
  prefixes that disagree; different sex. Sex comes from the sex column, else from the prefix.
- `birth_date` (Buddhist Era years converted, Thai digits read): exact; day and month swapped;
  same year with the day or the month different; year off by one; same day and month in
  another year; year within one; else.

Blocking (a pair is scored when any rule admits it, which keeps recall high): same valid ID;
same first- and last-name lk82 soundex; same house (subdistrict + house number); same birth
date and the same surname or first-name soundex; swapped names; same birth date and district.

Training (deterministic for a fixed input and date):

1. `probability_two_random_records_match`: pairs that share a valid ID, divided by the share
   of pairs where both records have one (ID presence assumed independent of matching), over all
   pairs; without IDs, half of the smaller frame is assumed to match (a tenth of the records
   to be duplicates when deduplicating).
2. u by Splink's random sampling (hash-based, seed `SEED`, up to `MAX_U_PAIRS` pairs).
3. m by expectation maximisation: one session blocked on the national ID (near-certain
   matches: how names, dates, addresses vary within one person) and one on birth date +
   first-name soundex (which also estimates the ID comparison). A session with fewer than
   `MIN_EM_PAIRS` pairs is skipped; one that fails is rolled back.
4. `_clean_model`: a level keeps its trained (m, u) only if both were estimated, otherwise it
   takes both priors from `_comparison_specs` (chosen from what Thai field surveys look like:
   about a fifth of IDs missing, one name in seven mistyped, one household in eight moved).
   m is floored at 0.001 so that one rare disagreement never outweighs everything else.
   This is what makes a few-hundred-row input (or one without IDs) work.

The same settings run on DuckDB (default, in memory) or Spark (`backend="spark"`: Splink's
`SparkAPI` on the active SparkSession or a new local one, see `spark_session`; needs the
`spark` extra, i.e. PySpark 4, and Java 17). `backend` scores the comparisons; training runs
on `train_backend` (DuckDB by default: it works on a bounded sample, and on Spark its few
hundred small queries cost minutes of overhead). Both give the same pairs (tests in
`tests/test_linkage_spark.py`, marker `spark`). A Spark session outlives a run: each run
drops the tables it created. Scale measurements and a national estimate: docs/scale.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import math
import os
import re
import string
import sys
import tempfile
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ppaos.registry import national_id
from ppaos.targeting.models import IDENTITY_FIELDS

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

logger = logging.getLogger(__name__)

COLUMNS = ("id", *IDENTITY_FIELDS)
OUTPUT_COLUMNS = ("left_id", "right_id", "match_probability")
BACKENDS = ("duckdb", "spark")
_LEFT, _RIGHT = "ppaos_left", "ppaos_right"  # Splink table names (LEFT/RIGHT are SQL words)
SEED = 2566
SOUNDEX_ENGINES = ("udom83", "lk82", "metasound", "prayut_and_somchaip")  # offline, rule based
BLOCKING_SOUNDEX = "lk82"
ROMANIZE_ENGINE = "royin"
U_ID_EXACT = 1e-7
M_ID_MISMATCH_MIN = 0.002
M_U_MIN = 0.001
U_MIN = 1e-7
# u from this many random pairs: 2e6 took half of Splink's time at 100k × 100k for the same
# F1 (0.9974) as 5e5; a level too rare to be seen in the sample keeps its prior.
MAX_U_PAIRS = 5e5
# Spark: shuffle partitions of a new cluster session (Spark's default), and per core locally.
SPARK_SHUFFLE_PARTITIONS = 200
SPARK_PARTITIONS_PER_CORE = 2

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_NOT_DIGITS = re.compile(r"\D")
# Text that `_clean_text` and `national_id.normalize` leave as it is (`_map_unique`'s
# `unchanged`): printable ASCII without spaces, and ASCII digits.
_PLAIN_ASCII = "[!-~]+"
_ASCII_DIGITS = "[0-9]+"
# prepare's text columns: Arrow strings, which DuckDB reads without converting each value.
TEXT = pd.StringDtype("pyarrow")

# Prefix spellings → registry codes (ppaos.registry.models.Prefix).
PREFIX_CODES = {
    "nai": "nai",
    "นาย": "nai",
    "mr": "nai",
    "nang": "nang",
    "นาง": "nang",
    "mrs": "nang",
    "nangsao": "nangsao",
    "นางสาว": "nangsao",
    "น.ส.": "nangsao",
    "นส": "nangsao",
    "น.ส": "nangsao",
    "miss": "nangsao",
    "ms": "nangsao",
    "dekchai": "dekchai",
    "เด็กชาย": "dekchai",
    "ด.ช.": "dekchai",
    "ดช": "dekchai",
    "ด.ช": "dekchai",
    "master": "dekchai",
    "dekying": "dekying",
    "เด็กหญิง": "dekying",
    "ด.ญ.": "dekying",
    "ดญ": "dekying",
    "ด.ญ": "dekying",
}
PREFIX_SEX = {"nai": "M", "dekchai": "M", "nang": "F", "nangsao": "F", "dekying": "F"}
CHILD_PREFIXES = ("dekchai", "dekying")
# เด็กชาย/เด็กหญิง are for children under 15; the ages at which a prefix is believable, with
# slack for a record written years ago.
_CHILD_PREFIX_MAX_AGE = 25
_ADULT_PREFIX_MIN_AGE = 12
# A child prefix on one record and an adult one on the other fits a person aged about 10-25 now
# (the child record written before their 15th birthday).
COMING_OF_AGE = (10, 25)
SEX_CODES = {
    "m": "M",
    "male": "M",
    "ชาย": "M",
    "ช": "M",
    "1": "M",
    "f": "F",
    "female": "F",
    "หญิง": "F",
    "ญ": "F",
    "2": "F",
}


class LinkageBackendUnavailable(RuntimeError):
    """The requested backend's engine is not installed."""


# ---------------------------------------------------------------------------------------------
# Derived columns


def _clean_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # codes read as numbers from a column with blanks: 1001.0
    text = str(value)
    if text.isascii():
        # Nothing for NFC or the zero-width characters to change; the spaces only when
        # there is something to collapse (3.2M ID hashes took 7 s through the regexes).
        if not text.isprintable() or "  " in text:
            text = _SPACES.sub(" ", text)
        return text.strip() or None
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text or None


@functools.cache
def _thai_normalize(text: str) -> str:
    from pythainlp.util import normalize

    return normalize(text)


@functools.cache
def soundex_codes(name: str) -> dict[str, str]:
    """{engine: code} for a Thai name from several PyThaiNLP soundex engines (offline, rule
    based); the engines catch different spelling variants."""
    from pythainlp.soundex import soundex

    codes = {}
    for engine in SOUNDEX_ENGINES:
        try:
            code = soundex(name, engine=engine)
        except Exception:  # noqa: BLE001 - an engine failing on odd input is just no code
            code = ""
        if code:
            codes[engine] = code
    return codes


# A name's derived keys: {engine: soundex code, "rom": romanisation}; only the keys it has.
NameKeys = dict[str, str]
# Keys for many names at once: `name_keys_compute`, or a store that remembers them between runs
# (`targeting.services.name_keys_ensure`, the linkage job's).
NameKeysSource = Callable[[list[str]], dict[str, NameKeys]]
ROMANIZED = "rom"
# Raise when `name_keys` changes what it derives: stored keys of an older revision are then
# worked out again.
NAME_KEYS_REVISION = 1


def name_keys(name: str) -> NameKeys:
    """The soundex codes and the romanisation of one normalised name."""
    keys = dict(soundex_codes(name))
    rom = romanized(name)
    if rom:
        keys[ROMANIZED] = rom
    return keys


def name_keys_compute(names: Iterable[str]) -> dict[str, NameKeys]:
    """{name: its keys}, worked out here (about 0.4 ms a name, most of it romanising)."""
    return {name: name_keys(name) for name in names}


def name_keys_version() -> str:
    """What the keys depend on: a stored key of another version is worked out again."""
    from importlib.metadata import version

    engines = ",".join(SOUNDEX_ENGINES)
    return (
        f"ppaos {NAME_KEYS_REVISION}; pythainlp {version('pythainlp')}; soundex {engines}; "
        f"romanize {ROMANIZE_ENGINE}"
    )


@functools.cache
def romanized(name: str) -> str | None:
    """Royal Institute romanisation (rule based, offline): ณัฐพล and นัฐพล both give `natpn`."""
    from pythainlp.transliterate import romanize

    try:
        text = romanize(name, engine=ROMANIZE_ENGINE)
    except Exception:  # noqa: BLE001
        return None
    text = re.sub(r"[^a-z]", "", (text or "").lower())
    return text or None


def normalize_name(value: Any) -> str | None:
    """NFC, no zero-width characters, PyThaiNLP normalisation (duplicate or misordered vowels
    and tone marks), single spaces."""
    text = _clean_text(value)
    if text is None:
        return None
    return _thai_normalize(text) or None


def _normalize_names(series: pd.Series) -> pd.Series:
    """`normalize_name` of a whole column, PyThaiNLP's part over all distinct names at once."""
    return _map_distinct(
        _clean_column(series), lambda names: [n or None for n in thai_normalize_many(names)]
    )


# PyThaiNLP's `normalize` is some thirty regular-expression passes over its text: called for
# each of 18,000 distinct names it was a fifth of `prepare`. Called once on all of them joined
# by newlines it gives each name's own result (a test compares the two on every name of the
# synthetic data and on generated Thai text), because no rule reaches across a newline between
# cleaned names: single spaces, none at either end, no line breaks. Two rules look at the
# start of the text or at the character before, so a name that does not start with a Thai
# consonant, a leading vowel or an ASCII letter or digit (a stray tone mark or vowel sign,
# which is dropped only at the very start; ๅ, which becomes า after another character) is
# normalised on its own.
_JOIN = "\n"


def thai_normalize_many(texts: Iterable[str]) -> list[str]:
    """`[normalize(text) for text in texts]` (PyThaiNLP's), for cleaned text (`_clean_text`),
    with one call for all the texts that can be joined."""
    from pythainlp.util import normalize

    out = list(texts)
    alone = [i for i, text in enumerate(out) if not _joinable(text)]
    together = [i for i, text in enumerate(out) if _joinable(text)]
    if together:
        parts = normalize(_JOIN.join(out[i] for i in together)).split(_JOIN)
        if len(parts) == len(together):
            for i, part in zip(together, parts, strict=True):
                out[i] = part
        else:  # a rule reached across a line after all: each on its own
            alone += together
    for i in alone:
        out[i] = normalize(out[i])
    return out


@functools.cache
def _join_starts() -> frozenset[str]:
    from pythainlp import thai_consonants, thai_lead_vowels

    return frozenset(thai_consonants + thai_lead_vowels + string.ascii_letters + string.digits)


def _joinable(text: str) -> bool:
    return (
        bool(text)
        and text[0] in _join_starts()
        and _JOIN not in text
        and "  " not in text
        and text == text.strip()
    )


def prefix_code(value: Any) -> str | None:
    """`นางสาว`, `น.ส.`, `nangsao` → `nangsao`; other titles (ranks, monks) → `other`."""
    text = _clean_text(value)
    if text is None:
        return None
    key = text.lower().replace(" ", "")
    if key in PREFIX_CODES:
        return PREFIX_CODES[key]
    return PREFIX_CODES.get(key.rstrip("."), "other")


def sex_code(value: Any) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    return SEX_CODES.get(text.lower())


@functools.cache
def parse_birth_date(value: str) -> tuple[int, int, int] | None:
    """(year CE, month, day) from ISO `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY/MM/DD`, Thai or Arabic
    digits; years of 2400 and more are Buddhist Era and lose 543."""
    text = value.translate(_THAI_DIGITS).strip()
    parts = [p for p in re.split(r"[-/.\s]+", text) if p]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        year, month, day = (int(p) for p in parts)
    elif len(parts[2]) == 4:
        day, month, year = (int(p) for p in parts)
    else:
        return None
    if year >= 2400:
        year -= 543
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1850 <= year <= 2200):
        return None
    return year, month, day


def _birth_parts(value: Any) -> tuple[int, int, int] | None:
    """Birth date parts from a date (e.g. a registry DateField) or text."""
    if isinstance(value, dt.date | pd.Timestamp):
        return value.year, value.month, value.day
    return parse_birth_date(str(value))


def _digits(value: Any) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    text = _NOT_DIGITS.sub("", text.translate(_THAI_DIGITS))
    return text or None


def _house_no(value: Any) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    text = text.translate(_THAI_DIGITS).lower().replace(" ", "")
    return text or None


def _valid_id(value: Any) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    digits = national_id.normalize(text.translate(_THAI_DIGITS))
    return digits if national_id.is_valid(digits) else None


_ID_WEIGHTS = np.arange(13, 1, -1)


def _valid_ids(ids: pd.Series) -> pd.Series:
    """`_valid_id` of a whole column (cleaned text or None), the shape and the mod-11
    checksum vectorised: one Python call per record made the ID check a third of `prepare`."""
    digits = _map_unique(ids, national_id.normalize, unchanged=_ASCII_DIGITS)
    text = pa.array(digits, type=pa.large_string(), from_pandas=True)
    shaped = pc.fill_null(pc.match_substring_regex(text, "^[0-9]{13}$"), False)
    candidates = text.filter(shaped).to_pylist()
    valid = np.zeros(len(text), dtype=bool)
    if candidates:
        matrix = (
            np.frombuffer("".join(candidates).encode("ascii"), dtype=np.uint8).reshape(-1, 13) - 48
        ).astype(np.int64)
        check = (11 - (matrix[:, :12] @ _ID_WEIGHTS) % 11) % 10
        valid[np.flatnonzero(shaped.to_numpy(zero_copy_only=False))] = check == matrix[:, 12]
    found = pc.if_else(pa.array(valid), text, pa.scalar(None, pa.large_string()))
    return pd.Series(pd.arrays.ArrowStringArray(found), index=ids.index)


def _split_prefix(prefix: str | None, first: str | None) -> tuple[str | None, str | None]:
    """A prefix typed into the first-name field ("นางสาว สมใจ", "ด.ช.ก้อง") moves to prefix."""
    if prefix or not first:
        return prefix, first
    head, _, rest = first.partition(" ")
    if rest and prefix_code(head) not in (None, "other"):
        return head, rest
    for spelling in sorted((p for p in PREFIX_CODES if "." in p), key=len, reverse=True):
        if first.startswith(spelling) and len(first) > len(spelling) + 1:
            return spelling, first[len(spelling) :]
    return prefix, first


def _map_unique(series: pd.Series, func, *, unchanged: str | None = None) -> pd.Series:
    """Apply `func` once per distinct non-null value (names, dates, codes repeat a lot);
    nulls and null results come back as None. Text that fully matches the regular expression
    `unchanged` is known to be its own result: it is picked out in Arrow, and `func` called
    for the rest only (a Python call for each of 100,000 distinct IDs was most of their
    cost)."""
    return _map_unique_each(series, [func], unchanged=unchanged)[0]


def _map_unique_each(series: pd.Series, funcs, *, unchanged: str | None = None) -> list[pd.Series]:
    """`_map_unique` of each of `funcs` over one column, which is numbered once
    (`pd.factorize`) and every result taken by number: a dictionary lookup per row made this
    most of `prepare` once the names' keys were stored."""
    codes, uniques = _factorize(series)
    same = _fully_matching(uniques, unchanged)
    mapped = []
    for func in funcs:
        if same is None:
            results = _apply(func, uniques)
        else:
            results = uniques.copy()
            results[~same] = _apply(func, uniques[~same])
        mapped.append(_take(results, codes, series.index))
    return mapped


def _map_distinct(series: pd.Series, func_all) -> pd.Series:
    """`_map_unique` with `func_all` taking every distinct non-null value at once (an array)
    and giving their results in the same order."""
    codes, uniques = _factorize(series)
    results = np.fromiter(func_all(uniques), dtype=object, count=len(uniques))
    return _take(results, codes, series.index)


def _take(found: np.ndarray, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """`found[codes]` (one result per distinct value; code -1 is null), null results (None,
    NaN, NA) as None: as Arrow text when every result is text (converted once per distinct
    value, not per record; DuckDB then reads the column without converting it again)."""
    results = np.empty(len(found) + 1, dtype=object)  # the last one stands for code -1
    results[:-1] = found
    results[pd.isna(results)] = None
    if pd.api.types.infer_dtype(results, skipna=True) != "string":
        return pd.Series(results[codes], index=index, dtype=object)
    positions = np.where(codes < 0, len(results) - 1, codes)  # -1 (null) is the last one
    text = pa.array(results, type=pa.large_string()).take(pa.array(positions))
    return pd.Series(pd.arrays.ArrowStringArray(text), index=index)


def _factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) as `pd.factorize` gives them, null as -1; Arrow text is
    numbered in Arrow, without a Python object per record."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        encoded = pc.dictionary_encode(pa.array(series))
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return codes.astype(np.intp), encoded.dictionary.to_numpy(zero_copy_only=False)
    return pd.factorize(series.to_numpy(dtype=object, na_value=None))


def _apply(func, values: np.ndarray) -> np.ndarray:
    # fromiter: a result may be a tuple (a birth date's parts), which np.array would unpack.
    return np.fromiter((func(value) for value in values), dtype=object, count=len(values))


def _fully_matching(values: np.ndarray, pattern: str | None) -> np.ndarray | None:
    """Which of `values` (all text) fully match `pattern`; None when there is no pattern or
    some value is not text."""
    if pattern is None or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    found = pc.match_substring_regex(pa.array(values, type=pa.string()), f"^(?:{pattern})$")
    return found.to_numpy(zero_copy_only=False)


def _clean_column(series: pd.Series) -> pd.Series:
    return _map_unique(series, _clean_text, unchanged=_PLAIN_ASCII)


def prepare(
    frame: pd.DataFrame, *, today: dt.date | None = None, keys: NameKeysSource | None = None
) -> pd.DataFrame:
    """The input columns cleaned, plus the derived columns the linkage model compares.

    Added: `nid` (valid national ID or null), `prefix_code`, `prefix_sex`, `sex_std`
    (sex, or the prefix's sex when empty), `prefix_child`, `prefix_consistent` (prefix agrees
    with the sex column and with the age at `today`), `coming_of_age` (age 10-25, when a
    child prefix may have become an adult one), `first_name_<engine>` and `last_name_<engine>`
    (a soundex code per engine in `SOUNDEX_ENGINES`), `*_rom` (romanised), `birth_date` (ISO,
    CE), `birth_year`, `birth_month`, `birth_day`, `age`, `province_code`, `house_base` (house
    number before the `/`). Names are NFC- and PyThaiNLP-normalised, a prefix typed into the
    first-name field is moved out, codes and house numbers get Arabic digits.

    `keys` gives the soundex codes and romanisation of the distinct names (default
    `name_keys_compute`; romanising is most of the time `prepare` takes)."""
    today = today or dt.date.today()
    if "id" not in frame.columns:
        raise ValueError("records need an id column")
    ids = frame["id"].astype("string").str.strip()
    if ids.isna().any() or (ids == "").any():
        raise ValueError("every record needs an id")
    if ids.duplicated().any():
        raise ValueError("ids must be unique within a frame")

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].reset_index(drop=True)
        return pd.Series([None] * len(frame), dtype=object)

    out = pd.DataFrame({"id": ids.reset_index(drop=True)})
    out["national_id"] = _clean_column(column("national_id"))
    if "national_id_hash" in frame.columns:
        # The registry's IDs come as their keyed hash (validated when stored): equal IDs have
        # equal hashes, which is all the exact-match comparison and the blocking rule need.
        out["nid"] = _clean_column(column("national_id_hash"))
    else:
        out["nid"] = _valid_ids(out["national_id"])

    prefix = _clean_column(column("prefix"))
    first = _normalize_names(column("first_name"))
    missing = prefix.isna() & first.notna()
    if missing.any():
        split = [_split_prefix(None, f) for f in first[missing]]
        prefix, first = prefix.astype(object), first.astype(object)
        prefix[missing] = [p for p, _ in split]
        first[missing] = [f for _, f in split]
    out["prefix"] = prefix
    out["first_name"] = first
    out["last_name"] = _normalize_names(column("last_name"))
    names = pd.unique(pd.concat([out["first_name"], out["last_name"]]).dropna())
    found = (keys or name_keys_compute)([str(n) for n in names])
    derived = (*SOUNDEX_ENGINES, ROMANIZED)
    getters = [lambda v, k=key: found[v].get(k) for key in derived]
    for col in ("first_name", "last_name"):
        for key, mapped in zip(derived, _map_unique_each(out[col], getters), strict=True):
            out[f"{col}_{key}"] = mapped

    out["prefix_code"] = _map_unique(out["prefix"], prefix_code)
    out["prefix_sex"] = out["prefix_code"].map(PREFIX_SEX)
    out["sex"] = _map_unique(column("sex"), sex_code)
    out["sex_std"] = out["sex"].where(out["sex"].notna(), out["prefix_sex"])
    out["prefix_child"] = out["prefix_code"].map(
        {code: code in CHILD_PREFIXES for code in set(PREFIX_CODES.values())}
    )

    dates = _map_unique(column("birth_date"), _birth_parts)
    year, month, day, iso = _map_unique_each(
        dates,
        [
            lambda d: d[0],
            lambda d: d[1],
            lambda d: d[2],
            lambda d: f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}",
        ],
    )
    for part, values in (("birth_year", year), ("birth_month", month), ("birth_day", day)):
        out[part] = values.astype("Int64")
    out["birth_date"] = iso
    not_yet = (out["birth_month"] * 100 + out["birth_day"]) > today.month * 100 + today.day
    out["age"] = today.year - out["birth_year"] - not_yet.astype("Int64")
    out["coming_of_age"] = out["age"].between(*COMING_OF_AGE).astype("boolean")
    out.loc[out["age"].isna(), "coming_of_age"] = pd.NA
    out["prefix_consistent"] = _prefix_consistency(out)

    sub = _map_unique(column("subdistrict_code"), _digits)
    district = _map_unique(column("district_code"), _digits)
    district = district.where(district.notna(), _map_unique(sub, lambda s: s[:4]))
    out["subdistrict_code"] = sub
    out["district_code"] = district
    out["province_code"] = _map_unique(district, lambda d: d[:2])
    out["house_no"] = _map_unique(column("house_no"), _house_no)
    out["house_base"] = _map_unique(out["house_no"], lambda h: h.split("/")[0] or None)

    for col in out.columns:
        if col in ("birth_year", "birth_month", "birth_day", "age"):
            continue
        if col in ("prefix_child", "prefix_consistent", "coming_of_age"):
            out[col] = out[col].astype("boolean")
        else:
            out[col] = out[col].astype(TEXT)
    return out


def _prefix_consistency(out: pd.DataFrame) -> pd.Series:
    """Does the prefix fit the record's own sex and age? NA when it cannot be told (no prefix
    or a title; or neither sex nor age known)."""
    code = out["prefix_code"]
    known = code.notna() & (code != "other")
    child = out["prefix_child"].astype("boolean")
    age = out["age"]
    sex_ok = (out["sex"].isna() | (out["sex"] == out["prefix_sex"])).astype("boolean")
    age_ok = pd.Series(pd.NA, index=out.index, dtype="boolean")
    age_ok[child.fillna(False)] = age <= _CHILD_PREFIX_MAX_AGE
    adult = (~child).fillna(False)
    age_ok[adult] = age >= _ADULT_PREFIX_MIN_AGE
    result = sex_ok & age_ok.fillna(True)
    unknown = ~known | (out["sex"].isna() & age.isna())
    return result.mask(unknown, pd.NA)


# ---------------------------------------------------------------------------------------------
# Splink model

# Each comparison: its levels in order, with the prior (m, u) of every non-null level. Priors
# are used for a level that training could not estimate (see `_clean_model`); they come from
# what a Thai field survey looks like (about 20 % missing IDs, one name in seven mistyped, one
# household in eight moved) and were checked on the synthetic benchmark.


def _custom(sql: str, label: str):
    from splink.internals.comparison_level_library import CustomLevel

    return CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


def _soundex_votes(col: str) -> str:
    """SQL: how many of the soundex engines give the two names the same code."""
    return " + ".join(
        f"(CASE WHEN {col}_{e}_l = {col}_{e}_r THEN 1 ELSE 0 END)" for e in SOUNDEX_ENGINES
    )


def _first_name_levels() -> list:
    import splink.comparison_level_library as cll

    b = BLOCKING_SOUNDEX
    swapped = (
        f"(first_name_l = last_name_r OR first_name_{b}_l = last_name_{b}_r) "
        f"AND (last_name_l = first_name_r OR last_name_{b}_l = first_name_{b}_r)"
    )
    return [
        (cll.NullLevel("first_name"), None),
        (
            cll.ExactMatchLevel("first_name").configure(
                tf_adjustment_column="first_name", tf_minimum_u_value=1e-4
            ),
            (0.8, 0.003),
        ),
        (
            _custom("first_name_rom_l = first_name_rom_r", "same romanisation (royin)"),
            (0.05, 0.0005),
        ),
        (cll.JaroWinklerLevel("first_name", 0.9), (0.05, 0.001)),
        (
            _custom(f"{_soundex_votes('first_name')} >= 2", "two or more soundex codes equal"),
            (0.02, 0.004),
        ),
        (_custom(swapped, "first and last name swapped"), (0.02, 0.00002)),
        (cll.ElseLevel(), (0.04, 0.94)),
    ]


def _surname_household_levels() -> list:
    """Surname and address in one comparison: people in one house mostly share a surname, so
    counting the two as independent evidence would make every relative look like a match."""
    import splink.comparison_level_library as cll

    null = _custom(
        "(last_name_l IS NULL OR last_name_r IS NULL) "
        "AND (district_code_l IS NULL OR district_code_r IS NULL)",
        "surname and address missing",
    ).configure(is_null_level=True)
    exact = cll.ExactMatchLevel("last_name")

    def similar():
        return cll.Or(
            _custom("last_name_rom_l = last_name_rom_r", "same romanisation"),
            cll.JaroWinklerLevel("last_name", 0.9),
            _custom(f"{_soundex_votes('last_name')} >= 2", "two or more soundex codes equal"),
        )

    same_house_no = _custom(
        "subdistrict_code_l = subdistrict_code_r AND house_no_l = house_no_r",
        "same subdistrict and house number",
    )

    def same_house():
        return _custom(
            "subdistrict_code_l = subdistrict_code_r AND house_base_l = house_base_r",
            "same subdistrict and house-number base",
        )

    def same_district():
        return _custom("district_code_l = district_code_r", "same district")

    return [
        (null, None),
        (
            cll.And(exact, same_house_no).configure(label_for_charts="same surname, same house"),
            (0.72, 0.0002),
        ),
        (
            cll.And(same_house(), similar()).configure(
                label_for_charts="similar surname, same house"
            ),
            (0.12, 0.00005),
        ),
        (same_house().configure(label_for_charts="same house, other surname"), (0.04, 0.0001)),
        (
            cll.And(cll.ExactMatchLevel("last_name"), same_district()).configure(
                label_for_charts="same surname, same district"
            ),
            (0.03, 0.0002),
        ),
        (
            cll.ExactMatchLevel("last_name").configure(
                label_for_charts="same surname elsewhere",
                tf_adjustment_column="last_name",
                tf_minimum_u_value=1e-4,
                disable_tf_exact_match_detection=True,
            ),
            (0.06, 0.003),
        ),
        (similar().configure(label_for_charts="similar surname"), (0.02, 0.002)),
        (same_district().configure(label_for_charts="other surname, same district"), (0.01, 0.02)),
        (cll.ElseLevel(), (0.02, 0.97)),
    ]


def _comparison_specs() -> dict[str, list]:
    import splink.comparison_level_library as cll

    return {
        "national_id": [
            (cll.NullLevel("nid"), None),
            (
                cll.ExactMatchLevel("nid").configure(
                    u_probability=U_ID_EXACT, fix_u_probability=True
                ),
                (0.995, U_ID_EXACT),
            ),
            (cll.ElseLevel(), (0.005, 1.0)),
        ],
        "first_name": _first_name_levels(),
        "surname_household": _surname_household_levels(),
        "sex_prefix": [
            (cll.NullLevel("sex_std"), None),
            (
                _custom(
                    "sex_std_l = sex_std_r AND prefix_code_l = prefix_code_r",
                    "same sex and prefix",
                ),
                (0.88, 0.3),
            ),
            (
                _custom(
                    "sex_std_l = sex_std_r AND ("
                    "(prefix_code_l IN ('nang', 'nangsao') "
                    "AND prefix_code_r IN ('nang', 'nangsao'))"
                    " OR (prefix_child_l <> prefix_child_r"
                    " AND coalesce(coming_of_age_l, coming_of_age_r)"
                    " AND coalesce(coming_of_age_r, coming_of_age_l)))"
                    " AND coalesce(prefix_consistent_l, TRUE)"
                    " AND coalesce(prefix_consistent_r, TRUE)",
                    "prefix change explained by marriage or coming of age",
                ),
                (0.08, 0.15),
            ),
            (
                _custom(
                    "sex_std_l = sex_std_r AND (prefix_code_l IS NULL OR prefix_code_r IS NULL "
                    "OR prefix_code_l = 'other' OR prefix_code_r = 'other')",
                    "same sex, a prefix missing or a title (rank, monk)",
                ),
                (0.03, 0.05),
            ),
            (_custom("sex_std_l = sex_std_r", "same sex, prefixes disagree"), (0.005, 0.05)),
            (cll.ElseLevel(), (0.01, 0.5)),
        ],
        "birth_date": [
            (cll.NullLevel("birth_date"), None),
            (cll.ExactMatchLevel("birth_date"), (0.88, 0.00004)),
            (
                _custom(
                    "birth_year_l = birth_year_r AND birth_month_l = birth_day_r "
                    "AND birth_day_l = birth_month_r",
                    "day and month swapped",
                ),
                (0.01, 0.00001),
            ),
            (
                _custom(
                    "birth_year_l = birth_year_r AND "
                    "(birth_month_l = birth_month_r OR birth_day_l = birth_day_r)",
                    "same year, day or month differs",
                ),
                (0.04, 0.001),
            ),
            (
                _custom(
                    "birth_month_l = birth_month_r AND birth_day_l = birth_day_r "
                    "AND abs(birth_year_l - birth_year_r) <= 1",
                    "year off by one",
                ),
                (0.03, 0.0001),
            ),
            (
                _custom(
                    "birth_month_l = birth_month_r AND birth_day_l = birth_day_r",
                    "same day and month, another year",
                ),
                (0.01, 0.003),
            ),
            (_custom("abs(birth_year_l - birth_year_r) <= 1", "year within one"), (0.01, 0.03)),
            (cll.ElseLevel(), (0.01, 0.97)),
        ],
    }


def _comparisons() -> list:
    from splink.internals.comparison_library import CustomComparison

    return [
        CustomComparison(comparison_levels=[lv for lv, _ in levels], output_column_name=name)
        for name, levels in _comparison_specs().items()
    ]


def priors() -> dict[str, list[tuple[float, float]]]:
    """{comparison: [(m, u) of each non-null level, in order]}: the fallback parameters."""
    return {
        name: [prior for _, prior in levels if prior is not None]
        for name, levels in _comparison_specs().items()
    }


BLOCKING_RULES = (
    "l.nid = r.nid",
    "l.first_name_lk82 = r.first_name_lk82 AND l.last_name_lk82 = r.last_name_lk82",
    "l.subdistrict_code = r.subdistrict_code AND l.house_no = r.house_no",
    "l.birth_date = r.birth_date AND l.last_name_lk82 = r.last_name_lk82",
    "l.birth_date = r.birth_date AND l.first_name_lk82 = r.first_name_lk82",
    "l.first_name_lk82 = r.last_name_lk82 AND l.last_name_lk82 = r.first_name_lk82",
    "l.birth_date = r.birth_date AND l.district_code = r.district_code",
)
# Expectation maximisation, one session per rule (equality on these columns). The first gives
# near-certain matches, so it measures how names, dates and addresses vary within a person; the
# second estimates the national-ID comparison (and the rest again).
ID_KEYS = ("nid",)
EM_BLOCKING_KEYS = (ID_KEYS, ("birth_date", "first_name_lk82"))
MIN_EM_PAIRS = 30


def settings(link_type: str, probability_two_random_records_match: float = 1e-4):
    """The Splink settings (comparisons, blocking rules); m and u still to be trained."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="id",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=list(BLOCKING_RULES),
        probability_two_random_records_match=probability_two_random_records_match,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
        em_convergence=0.0001,
    )


def _db_api(backend: str):
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    spark = spark_session()
    from splink import SparkAPI

    if not spark.sparkContext.master.startswith("local"):
        # A cluster: Splink's defaults (intermediate tables written as parquet to the
        # checkpoint directory, shuffle partitions as the session has them).
        return SparkAPI(spark_session=spark)
    # One machine: intermediate tables kept in memory, and a few partitions per core instead
    # of Splink's 100 (each an empty task on small inputs: 200 records took minutes).
    return SparkAPI(
        spark_session=spark,
        break_lineage_method="persist",
        num_partitions_on_repartition=_local_partitions(spark),
    )


def _local_partitions(spark) -> int:
    return max(2, SPARK_PARTITIONS_PER_CORE * spark.sparkContext.defaultParallelism)


def spark_session(*, master: str | None = None, config: dict[str, str] | None = None):
    """The active SparkSession, else a new one (local on all cores unless `master` or
    spark-submit says otherwise) with Splink's jar (Jaro-Winkler) and a checkpoint directory.

    `config`: more Spark settings for a new session. An existing session is used as it is: it
    needs `similarity_jar_location()` in `spark.jars`.
    Raises LinkageBackendUnavailable when PySpark is not installed."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise LinkageBackendUnavailable(
            "The Spark backend needs PySpark, which is not installed. Install it with "
            "`pip install pyspark` or `pip install 'ppaos[spark]'` (Spark 4 also needs Java 17), "
            "or use backend='duckdb'."
        ) from exc
    from splink.backends.spark import similarity_jar_location

    spark = SparkSession.getActiveSession()
    if spark is None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this Python
        builder = SparkSession.builder.appName("ppaos-linkage")
        if master:
            builder = builder.master(master)
        for key, value in (config or {}).items():
            builder = builder.config(key, value)
        spark = (
            builder.config("spark.jars", similarity_jar_location())
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.shuffle.partitions", str(SPARK_SHUFFLE_PARTITIONS))
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        if spark.sparkContext.master.startswith("local"):
            spark.conf.set("spark.sql.shuffle.partitions", str(_local_partitions(spark)))
    if not spark.sparkContext.getCheckpointDir():
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="ppaos-splink-"))
    return spark


def _prior_probability(frames: list[pd.DataFrame], id_pairs: int) -> float:
    """Chance that two random records match (within one frame or across two), from
    `id_pairs`, the pairs sharing a valid ID (`_pair_count(frames, ID_KEYS)`)."""
    if len(frames) == 1:
        (left,) = frames
        n = len(left)
        total = n * (n - 1) / 2
        recall = left["nid"].notna().mean() ** 2
        fallback = 0.1 * n / max(total, 1)
    else:
        left, right = frames
        total = len(left) * len(right)
        recall = left["nid"].notna().mean() * right["nid"].notna().mean()
        fallback = 0.5 * min(len(left), len(right)) / max(total, 1)
    if total <= 0:
        return 0.5
    if id_pairs == 0 or recall < 0.05:
        return min(0.5, max(1e-9, fallback))
    return min(0.5, max(1e-9, id_pairs / recall / total))


def _pair_count(frames: list[pd.DataFrame], keys: tuple[str, ...]) -> int:
    """Record pairs that agree (non-null) on all `keys`: across the two frames, or within one.

    The counts per key value are joined with a merge: aligning two value_counts indexes took
    22 s on the national ID of a 3.2M-person registry (3.6 s now)."""
    columns = list(keys)
    counts = [f[columns].dropna().groupby(columns, sort=False).size() for f in frames]
    if len(counts) == 1:
        return int((counts[0] * (counts[0] - 1) // 2).sum())
    left, right = (c.rename(side).reset_index() for c, side in zip(counts, "lr", strict=True))
    shared = left.merge(right, on=columns)
    return int((shared["l"] * shared["r"]).sum())


def _train(linker, inputs, frames: list[pd.DataFrame], known_pairs: dict, clock: _Clock):
    """u by sampling, then m by EM; returns the trained linker (rebuilt from the last good
    state if a training step fails, because a failed EM session can leave Splink's settings
    half-modified). `known_pairs`: `_pair_count`s already made, by keys."""
    from splink import Linker, block_on

    sizes = [len(f) for f in frames]
    n_pairs = sizes[0] * sizes[1] if len(sizes) > 1 else sizes[0] * (sizes[0] - 1) / 2
    snapshot = linker.misc.save_model_to_json()
    try:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=max(1e4, min(MAX_U_PAIRS, n_pairs)), seed=SEED, num_chunks=1
        )
    except Exception as exc:  # noqa: BLE001 - keep going with the priors
        logger.warning("linkage: u estimation failed, using prior u values: %s", exc)
        linker = Linker(inputs, snapshot, log_level=None)
    clock.lap("train_u")
    for keys in EM_BLOCKING_KEYS:
        pairs = known_pairs[keys] if keys in known_pairs else _pair_count(frames, keys)
        if pairs < MIN_EM_PAIRS:
            logger.info("linkage: EM on %s skipped: %d pairs", "+".join(keys), pairs)
            continue
        snapshot = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*keys), estimate_without_term_frequencies=True
            )
        except Exception as exc:  # noqa: BLE001 - e.g. EM not converging on odd data
            logger.warning("linkage: EM on %s failed, skipped: %s", "+".join(keys), exc)
            linker = Linker(inputs, snapshot, log_level=None)
        clock.lap("train_em_" + "+".join(keys))
    return linker


def _clean_model(model: dict[str, Any]) -> dict[str, Any]:
    """Use a level's trained (m, u) only when both were estimated, else both priors (a prior m
    over a measured u, or the reverse, gives an arbitrary weight); floor m at M_U_MIN so that
    one rare disagreement never outweighs everything else; keep the fixed ID levels."""
    fallback = priors()
    names = [c["output_column_name"] for c in model["comparisons"]]
    if names != list(fallback):
        raise RuntimeError(f"linkage model lost comparisons during training: {names}")
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level, (prior_m, prior_u) in zip(levels, fallback[name], strict=True):
            m, u = level.get("m_probability"), level.get("u_probability")
            if not (_probability(m) and _probability(u)):
                m, u = prior_m, prior_u
            level["m_probability"] = min(1.0, max(M_U_MIN, m))
            level["u_probability"] = min(1.0, max(U_MIN, u))
        if name == "national_id":
            exact, mismatch = levels
            exact["u_probability"] = U_ID_EXACT
            mismatch["m_probability"] = max(M_ID_MISMATCH_MIN, mismatch["m_probability"])
    return model


def _probability(value: Any) -> bool:
    return isinstance(value, int | float) and 0 < value <= 1


def _register(db_api, frames: Iterable[tuple[str, pd.DataFrame]]) -> list:
    if getattr(db_api.sql_dialect, "sql_dialect_str", "") != "spark":
        return [db_api.register(df, dataset_display_name=name) for name, df in frames]
    # Spark takes plain Python values: nullable pandas dtypes become object + None (Splink's
    # own clean-up of such frames warns about pandas downcasting, which is harmless here).
    tables = []
    for name, df in frames:
        plain = df.astype(object).where(df.notna(), None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            tables.append(db_api.register(plain, dataset_display_name=name))
    return tables


def _run(
    frames: list[tuple[str, pd.DataFrame]],
    link_type: str,
    threshold: float,
    backend: str,
    timings: dict[str, float] | None,
    train_backend: str,
) -> pd.DataFrame:
    # The ID pairs give the prior and decide the EM session on the ID: counted once (3.6 s
    # on a 3.2M-person registry).
    data = [df for _, df in frames]
    id_pairs = _pair_count(data, ID_KEYS)
    prior = _prior_probability(data, id_pairs)
    clock = _Clock(timings)
    db_api = _db_api(backend)
    train_api = db_api if train_backend == backend else _db_api(train_backend)
    clock.lap("engine")
    names = [name for name, _ in frames]
    try:
        with _quiet_splink():
            return _run_quietly(
                db_api, train_api, frames, link_type, prior, {ID_KEYS: id_pairs}, threshold, clock
            )
    finally:
        _drop_tables(db_api, names)
        if train_api is not db_api:
            _drop_tables(train_api, names)


def _drop_tables(db_api, inputs: list[str]) -> None:
    """Drop the run's tables: a Spark session outlives the run (the next run registers its
    inputs under the same names, and cached intermediate tables hold memory)."""
    try:
        db_api.delete_tables_created_by_splink_from_db()
        for name in inputs:
            db_api.delete_table_from_database(name)
    except Exception as exc:  # noqa: BLE001 - the pairs are found; cleaning up is best effort
        logger.warning("linkage: could not drop the run's tables: %s", exc)


class _Clock:
    """Seconds spent in each step, added to `timings` (when given) and logged."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings if timings is not None else {}
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = round(self.timings.get(step, 0.0) + now - self.last, 3)
        logger.info("linkage: %s took %.1f s", step, now - self.last)
        self.last = now


@contextlib.contextmanager
def _quiet_splink():
    """Splink logs every training step (and "level not observed" for each level EM cannot
    see, which we handle with priors) at INFO/WARNING; keep only its errors."""
    splink_logger = logging.getLogger("splink")
    level = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        splink_logger.setLevel(level)


def _run_quietly(
    db_api, train_api, frames, link_type, prior, known_pairs, threshold, clock: _Clock
) -> pd.DataFrame:
    from splink import Linker

    tables = _register(train_api, frames)
    inputs = tables if len(tables) > 1 else tables[0]
    clock.lap("register")
    linker = Linker(inputs, settings(link_type, prior), log_level=None)
    linker = _train(linker, inputs, [df for _, df in frames], known_pairs, clock)
    model = _clean_model(linker.misc.save_model_to_json())
    if train_api is not db_api:
        # The trained m and u, level by level, in the scoring engine's SQL dialect.
        model = _with_parameters(
            settings(link_type, prior).create_settings_dict(db_api.sql_dialect.sql_dialect_str),
            model,
        )
        tables = _register(db_api, frames)
        inputs = tables if len(tables) > 1 else tables[0]
        clock.lap("register")
    model["probability_two_random_records_match"] = prior
    # The model is the training linker's, whose settings Splink has already checked against
    # these inputs (checking them again took a tenth of a second).
    scorer = Linker(inputs, model, log_level=None, validate_settings=False)
    # Splink filters on the match weight; ask for a hair less and filter exactly afterwards.
    cut = threshold - 1e-9 if 0 < threshold < 1 else None
    predictions = scorer.inference.predict(threshold_match_probability=cut)
    pairs = predictions.as_pandas_dataframe()
    predictions.drop_table_from_database_and_remove_from_cache()
    clock.lap("predict")
    return pairs


def _with_parameters(model: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    """`model` (a settings dict) with the m and u of every level of `trained` (the same
    comparisons and levels, perhaps written for another SQL dialect)."""
    for comparison, source in zip(model["comparisons"], trained["comparisons"], strict=True):
        if comparison["output_column_name"] != source["output_column_name"]:
            raise RuntimeError("trained model and settings disagree on the comparisons")
        for level, learned in zip(
            comparison["comparison_levels"], source["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in learned:
                    level[key] = learned[key]
    return model


def _finish(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs, most probable first, then by left and right id (sorted in Arrow: pandas took
    a tenth of a second for 70,000 pairs, most of it ordering the ids as Python strings)."""
    table = pa.table(
        {
            "left_id": pa.array(pairs["left_id"].astype(str), type=pa.string()),
            "right_id": pa.array(pairs["right_id"].astype(str), type=pa.string()),
            "match_probability": pa.array(pairs["match_probability"], type=pa.float64()),
        }
    )
    ordered = table.sort_by(
        [("match_probability", "descending"), ("left_id", "ascending"), ("right_id", "ascending")]
    )
    return ordered.to_pandas()


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "left_id": pd.Series(dtype=str),
            "right_id": pd.Series(dtype=str),
            "match_probability": pd.Series(dtype=float),
        }
    )


def _prepared(frame: pd.DataFrame, keys: NameKeysSource | None) -> pd.DataFrame:
    return frame if "nid" in frame.columns else prepare(frame, keys=keys)


def link_frames(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    threshold: float = 0.9,
    backend: str = "duckdb",
    train_backend: str = "duckdb",
    timings: dict[str, float] | None = None,
    keys: NameKeysSource | None = None,
) -> pd.DataFrame:
    """Pairs (left_id, right_id, match_probability) at or above `threshold`, most probable
    first. `left` and `right` have the `COLUMNS` (raw, or already through `prepare`).

    `backend` scores the comparisons (blocking, comparison vectors, match probabilities: the
    work that grows with the data). Training estimates a few dozen parameters from at most
    `MAX_U_PAIRS` sampled pairs and the ID-blocked pairs; it runs on `train_backend`, by
    default DuckDB in this process, where the frames already are (Spark's per-query overhead
    made it most of a small Spark run). `timings`, when given, receives the seconds of each
    step (prepare, engine, register, train_u, train_em_*, predict). `keys`: where `prepare`
    gets the names' soundex codes and romanisation (default: worked out in this process)."""
    _check_threshold(threshold)
    _check_backends(backend, train_backend)
    if len(left) == 0 or len(right) == 0:
        return _empty()
    started = time.perf_counter()
    left, right = _prepared(left, keys), _prepared(right, keys)
    _add_time(timings, "prepare", started)
    pairs = _run(
        [(_LEFT, left), (_RIGHT, right)], "link_only", threshold, backend, timings, train_backend
    )
    if pairs.empty:
        return _empty()
    left_first = pairs["source_dataset_l"] == _LEFT
    pairs["left_id"] = pairs["id_l"].where(left_first, pairs["id_r"])
    pairs["right_id"] = pairs["id_r"].where(left_first, pairs["id_l"])
    return _finish(pairs[pairs["match_probability"] >= threshold])


def dedupe_frame(
    frame: pd.DataFrame,
    *,
    threshold: float = 0.9,
    backend: str = "duckdb",
    train_backend: str = "duckdb",
    timings: dict[str, float] | None = None,
    keys: NameKeysSource | None = None,
) -> pd.DataFrame:
    """Likely duplicate pairs inside one frame, as (left_id, right_id, match_probability) with
    left_id < right_id, most probable first (`backend`, `train_backend`, `timings` and `keys`
    as in `link_frames`)."""
    _check_threshold(threshold)
    _check_backends(backend, train_backend)
    if len(frame) < 2:
        return _empty()
    started = time.perf_counter()
    frame = _prepared(frame, keys)
    _add_time(timings, "prepare", started)
    pairs = _run(
        [("ppaos_records", frame)], "dedupe_only", threshold, backend, timings, train_backend
    )
    if pairs.empty:
        return _empty()
    a, b = pairs["id_l"].astype(str), pairs["id_r"].astype(str)
    pairs["left_id"] = a.where(a < b, b)
    pairs["right_id"] = b.where(a < b, a)
    return _finish(pairs[pairs["match_probability"] >= threshold])


def _add_time(timings: dict[str, float] | None, step: str, started: float) -> None:
    if timings is not None:
        timings[step] = round(time.perf_counter() - started, 3)


def _check_backends(*backends: str) -> None:
    for backend in backends:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


def _check_threshold(threshold: float) -> None:
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold}")
