"""Synthetic Thai people for linkage benchmarks and tests, with the true matches known.

`generate(n, seed)` builds a population of households (shared surname, address and house
number, so family members are realistic near-misses), puts `n` people in the registry (left) and
`n` records in a target list (right). A share `overlap` of the right records are registry people
seen again, with the kinds of damage a second survey does:

- national ID missing, or mistyped (the checksum then usually fails);
- Thai typing errors in first and last names: a tone mark dropped or changed, a look-alike or
  sound-alike consonant (ณ/น, ศ/ษ/ส, ธ/ท, ภ/พ ...), a short/long vowel, a dropped, doubled or
  transposed character;
- first and last name swapped;
- prefix changes: นางสาว → นาง on marriage (with the husband's surname), เด็กชาย → นาย when a
  child turns 15; prefixes written as codes (`nangsao`), in full (นางสาว) or abbreviated (น.ส.);
- birth dates with a typed digit wrong, day and month swapped, the year off by one or written in
  Buddhist Era (CE + 543), or missing;
- moved address (district, subdistrict, house number), house numbers in Thai digits;
- sex or area missing.

The rest of the right records are other people (some from the same households as registry
people). Everything comes from one `random.Random(seed)`; names are sampled from the Faker th_TH
person provider's lists (no Faker call per record), codes are real Bangkok-region geography
(geothai), and IDs are valid and unique (`ppaos.registry.national_id`).

Pure Python + pandas, no Django: importable from tests and from `bench/linkage.py`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import geothai
import pandas as pd
from faker import Faker

from ppaos.registry import national_id

COLUMNS = (
    "id",
    "national_id",
    "prefix",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "district_code",
    "subdistrict_code",
    "house_no",
)
PROVINCES = ("10", "11", "12", "13")  # Bangkok, Samut Prakan, Nonthaburi, Pathum Thani
TODAY = dt.date(2026, 1, 1)
TONES = "\u0e48\u0e49\u0e4a\u0e4b"  # ่ ้ ๊ ๋
# Letters Thais confuse when typing or hearing a name (same sound, or neighbouring shapes).
CONFUSABLE = {
    "ณ": "น",
    "น": "ณ",
    "ศ": "ส",
    "ษ": "ส",
    "ส": "ศ",
    "ธ": "ท",
    "ท": "ธ",
    "ฑ": "ท",
    "ฒ": "ท",
    "ภ": "พ",
    "พ": "ภ",
    "ฎ": "ด",
    "ฏ": "ต",
    "ฐ": "ถ",
    "ญ": "ย",
    "ฬ": "ล",
    "ล": "ร",
    "ร": "ล",
    "ข": "ค",
    "ค": "ข",
    "ซ": "ส",
    "ช": "ฉ",
    "ั": "ะ",
    "ิ": "ี",
    "ี": "ิ",
    "ุ": "ู",
    "ู": "ุ",
    "า": "ะ",
}
PREFIX_TEXT = {
    "nai": ("นาย",),
    "nang": ("นาง",),
    "nangsao": ("นางสาว", "น.ส."),
    "dekchai": ("เด็กชาย", "ด.ช."),
    "dekying": ("เด็กหญิง", "ด.ญ."),
}
TITLES = ("จ.ส.อ.", "ร.ต.ท.", "ส.ต.", "พ.ต.อ.", "ด.ต.")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@dataclass
class Rates:
    """Chance of each kind of damage on a record seen again (right side)."""

    id_missing: float = 0.20
    id_typo: float = 0.03
    first_typo: float = 0.15
    last_typo: float = 0.12
    swapped: float = 0.03
    married: float = 0.30  # of women who were นางสาว on the left
    grew_up: float = 0.5  # of children aged 12-17
    birth_typo: float = 0.04
    birth_swap: float = 0.02
    birth_year: float = 0.02
    birth_be: float = 0.03
    birth_missing: float = 0.02
    moved: float = 0.12
    house_thai_digits: float = 0.05
    sex_missing: float = 0.05
    area_missing: float = 0.04
    prefix_missing: float = 0.03
    prefix_title: float = 0.005  # a rank instead of นาย/นาง (จ.ส.อ., ร.ต.ท. ...)


# Registry records are cleaner than field records, but not perfect.
LEFT_RATES = Rates(
    id_missing=0.05,
    id_typo=0.0,
    first_typo=0.02,
    last_typo=0.02,
    swapped=0.0,
    married=0.0,
    grew_up=0.0,
    birth_typo=0.0,
    birth_swap=0.0,
    birth_year=0.0,
    birth_be=0.0,
    birth_missing=0.01,
    moved=0.0,
    house_thai_digits=0.0,
    sex_missing=0.01,
    area_missing=0.0,
    prefix_missing=0.0,
    prefix_title=0.0,
)


@dataclass
class Dataset:
    left: pd.DataFrame
    right: pd.DataFrame
    truth: pd.DataFrame  # left_id, right_id

    def truth_pairs(self) -> set[tuple[str, str]]:
        return set(zip(self.truth["left_id"], self.truth["right_id"], strict=True))


def name_lists() -> tuple[list[str], list[str], list[str]]:
    """(male first names, female first names, surnames) from Faker's th_TH person provider."""
    names = Faker("th_TH").provider("faker.providers.person")
    return list(names.first_names_male), list(names.first_names_female), list(names.last_names)


def _areas() -> list[tuple[str, str]]:
    """(district code, subdistrict code) for the Bangkok region."""
    return [
        (d.code, s.code)
        for p in PROVINCES
        for d in geothai.districts(p)
        for s in geothai.subdistricts(d.code)
    ]


def thai_typo(rng: random.Random, word: str) -> str:
    """One realistic typing or spelling error in a Thai word."""
    if len(word) < 2:
        return word
    for _ in range(10):
        kind = rng.random()
        chars = list(word)
        i = rng.randrange(len(chars))
        if kind < 0.25:  # tone mark dropped, added or changed
            tones = [j for j, c in enumerate(chars) if c in TONES]
            if tones:
                j = rng.choice(tones)
                if rng.random() < 0.6:
                    del chars[j]
                else:
                    chars[j] = rng.choice(TONES.replace(chars[j], ""))
            else:
                chars.insert(i + 1, rng.choice(TONES[:2]))
        elif kind < 0.6:  # confusable letter or vowel
            spots = [j for j, c in enumerate(chars) if c in CONFUSABLE]
            if not spots:
                continue
            j = rng.choice(spots)
            chars[j] = CONFUSABLE[chars[j]]
        elif kind < 0.75:  # dropped character
            del chars[i]
        elif kind < 0.85:  # doubled character
            chars.insert(i, chars[i])
        elif kind < 0.95 and len(chars) > 2:  # neighbours transposed
            j = min(i, len(chars) - 2)
            chars[j], chars[j + 1] = chars[j + 1], chars[j]
        else:  # any Thai consonant
            chars[i] = chr(rng.randrange(0x0E01, 0x0E2F))
        typo = "".join(chars)
        if typo != word and typo:
            return typo
    return word


def _id_typo(rng: random.Random, nid: str) -> str:
    digits = list(nid)
    i = rng.randrange(13)
    if rng.random() < 0.7:
        digits[i] = rng.choice("0123456789".replace(digits[i], ""))
    else:
        j = min(i, 11)
        digits[j], digits[j + 1] = digits[j + 1], digits[j]
    return "".join(digits)


class _Population:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.male, self.female, self.surnames = name_lists()
        self.areas = _areas()
        self.serial = 0

    def _id(self, born: dt.date, district: str) -> str:
        self.serial += 1
        category = "1" if born.year >= 1984 else "3"
        scrambled = (self.serial * 7_919_773 + 1_234_567) % 10**7  # a bijection of 10**7
        return national_id.make(f"{category}{district}{scrambled:07d}")

    def household(self) -> list[dict]:
        rng = self.rng
        district, subdistrict = rng.choice(self.areas)
        house_no = str(rng.randint(1, 999)) + (
            f"/{rng.randint(1, 60)}" if rng.random() < 0.4 else ""
        )
        surname = rng.choice(self.surnames)
        size = rng.choices(range(1, 8), weights=(17, 23, 22, 16, 11, 7, 4))[0]
        head_age = rng.randint(20, 85)
        people: list[dict] = []
        given: set[str] = set()  # Thai families do not reuse a given name
        for k in range(size):
            if k == 0:
                age, relation = head_age, "head"
            elif k == 1 and rng.random() < 0.65:
                age, relation = max(18, min(95, head_age + rng.randint(-6, 6))), "spouse"
            else:
                age, relation = rng.randint(0, max(0, min(40, head_age - 18))), "child"
            sex = rng.choice("MF")
            if relation == "spouse":
                sex = "F" if people[0]["sex"] == "M" else "M"
            married = relation in ("head", "spouse") and age >= 20 and rng.random() < 0.7
            born = TODAY - dt.timedelta(days=age * 365 + rng.randrange(365))
            if age < 15:
                prefix = "dekchai" if sex == "M" else "dekying"
            elif sex == "M":
                prefix = "nai"
            else:
                prefix = "nang" if married else "nangsao"
            first = rng.choice(self.male if sex == "M" else self.female)
            while first in given:
                first = rng.choice(self.male if sex == "M" else self.female)
            given.add(first)
            people.append(
                {
                    "national_id": self._id(born, district),
                    "prefix": prefix,
                    "first_name": first,
                    "last_name": surname,
                    "sex": sex,
                    "birth_date": born,
                    "district_code": district,
                    "subdistrict_code": subdistrict,
                    "house_no": house_no,
                }
            )
        return people


def _prefix_text(rng: random.Random, code: str, style: str) -> str:
    if style == "code":
        return code
    return rng.choice(PREFIX_TEXT[code])


def _record(pop: _Population, person: dict, rates: Rates, style: str) -> dict:
    """A copy of `person` as one data source wrote it, with that source's errors."""
    rng = pop.rng
    r = dict(person)
    age = (TODAY - person["birth_date"]).days // 365
    # identity
    roll = rng.random()
    if roll < rates.id_missing:
        r["national_id"] = ""
    elif roll < rates.id_missing + rates.id_typo:
        r["national_id"] = _id_typo(rng, r["national_id"])
    elif rng.random() < 0.2:
        r["national_id"] = national_id.formatted(r["national_id"])
    # life events
    if r["prefix"] == "nangsao" and age >= 18 and rng.random() < rates.married:
        r["prefix"] = "nang"
        if rng.random() < 0.6:
            r["last_name"] = rng.choice(pop.surnames)
    if r["prefix"] in ("dekchai", "dekying") and age >= 12 and rng.random() < rates.grew_up:
        r["prefix"] = "nai" if r["prefix"] == "dekchai" else "nangsao"
    # names
    if rng.random() < rates.first_typo:
        r["first_name"] = thai_typo(rng, r["first_name"])
    if rng.random() < rates.last_typo:
        r["last_name"] = thai_typo(rng, r["last_name"])
    if rng.random() < rates.swapped:
        r["first_name"], r["last_name"] = r["last_name"], r["first_name"]
    r["prefix"] = _prefix_text(rng, r["prefix"], style)
    roll = rng.random()
    if roll < rates.prefix_missing:
        r["prefix"] = ""
    elif roll < rates.prefix_missing + rates.prefix_title and age >= 20:
        r["prefix"] = rng.choice(TITLES)
    # birth date
    born: dt.date = r["birth_date"]
    text = born.isoformat()
    roll = rng.random()
    edges = (
        rates.birth_missing,
        rates.birth_typo,
        rates.birth_swap,
        rates.birth_year,
        rates.birth_be,
    )
    cut = [sum(edges[: k + 1]) for k in range(len(edges))]
    if roll < cut[0]:
        text = ""
    elif roll < cut[1]:
        for _ in range(10):  # one digit of the day or month mistyped, still a real date
            pos = rng.choice((5, 6, 8, 9))
            candidate = text[:pos] + rng.choice("0123456789") + text[pos + 1 :]
            try:
                dt.date.fromisoformat(candidate)
            except ValueError:
                continue
            if candidate != text:
                text = candidate
                break
    elif roll < cut[2] and born.day <= 12 and born.day != born.month:
        text = born.replace(month=born.day, day=born.month).isoformat()
    elif roll < cut[3]:
        year = born.year + rng.choice((-1, 1))
        text = f"{year:04d}{text[4:]}" if not (born.month == 2 and born.day == 29) else text
    elif roll < cut[4]:
        text = f"{born.year + 543:04d}{text[4:]}"
    r["birth_date"] = text
    # address
    if rng.random() < rates.moved:
        r["district_code"], r["subdistrict_code"] = rng.choice(pop.areas)
        r["house_no"] = str(rng.randint(1, 999))
    if rng.random() < rates.house_thai_digits:
        r["house_no"] = r["house_no"].translate(THAI_DIGITS)
    if rng.random() < rates.area_missing:
        r["district_code"] = r["subdistrict_code"] = ""
    if rng.random() < rates.sex_missing:
        r["sex"] = ""
    return r


def generate(
    n: int,
    seed: int = 2566,
    *,
    overlap: float = 0.7,
    n_right: int | None = None,
    rates: Rates | None = None,
) -> Dataset:
    """`n` registry records (left), `n_right` (default `n`) target records (right), truth."""
    pop = _Population(seed)
    rng = pop.rng
    rates = rates or Rates()
    n_right = n if n_right is None else n_right
    n_matched = min(n, round(n_right * overlap))

    registry: list[dict] = []
    while len(registry) < n:
        registry.extend(pop.household())
    registry = registry[:n]
    # Others: people outside the registry, half of them relatives of registry people.
    others: list[dict] = []
    while len(others) < n_right - n_matched:
        household = pop.household()
        if rng.random() < 0.5:
            relative = rng.choice(registry)
            for p in household:
                for key in ("last_name", "district_code", "subdistrict_code", "house_no"):
                    p[key] = relative[key]
        others.extend(household)
    others = others[: n_right - n_matched]

    left = [_record(pop, p, LEFT_RATES, "code") for p in registry]
    for i, row in enumerate(left):
        row["id"] = f"L{i + 1:07d}"
    seen_again = rng.sample(range(n), n_matched)
    right_people = [(registry[i], left[i]["id"]) for i in seen_again] + [(p, "") for p in others]
    rng.shuffle(right_people)
    right, truth = [], []
    for j, (person, left_id) in enumerate(right_people):
        row = _record(pop, person, rates, rng.choice(("text", "text", "code")))
        row["id"] = f"R{j + 1:07d}"
        right.append(row)
        if left_id:
            truth.append((left_id, row["id"]))

    def frame(rows: list[dict]) -> pd.DataFrame:
        df = pd.DataFrame(rows, columns=list(COLUMNS))
        df["birth_date"] = df["birth_date"].map(
            lambda d: d.isoformat() if isinstance(d, dt.date) else d
        )
        return df.astype("string").fillna("")

    return Dataset(
        left=frame(left),
        right=frame(right),
        truth=pd.DataFrame(truth, columns=["left_id", "right_id"]).astype("string"),
    )


def generate_duplicates(n: int, seed: int = 2566, *, share: float = 0.1) -> Dataset:
    """One frame of `n` records (in `left`; `right` is empty) in which a share of the people
    appear twice with right-side damage; truth pairs have left_id < right_id."""
    pop = _Population(seed)
    rng = pop.rng
    n_dup = round(n * share)
    people: list[dict] = []
    while len(people) < n - n_dup:
        people.extend(pop.household())
    people = people[: n - n_dup]
    rows = [(_record(pop, p, LEFT_RATES, "code"), i) for i, p in enumerate(people)]
    for i in rng.sample(range(len(people)), n_dup):
        rows.append((_record(pop, people[i], Rates(), rng.choice(("text", "code"))), i))
    rng.shuffle(rows)
    records, owner = [], []
    for k, (row, person) in enumerate(rows):
        row["id"] = f"P{k + 1:07d}"
        records.append(row)
        owner.append(person)
    first: dict[int, str] = {}
    truth = []
    for row, person in zip(records, owner, strict=True):
        if person in first:
            a, b = sorted((first[person], row["id"]))
            truth.append((a, b))
        else:
            first[person] = row["id"]
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    frame["birth_date"] = frame["birth_date"].map(
        lambda d: d.isoformat() if isinstance(d, dt.date) else d
    )
    return Dataset(
        left=frame.astype("string").fillna(""),
        right=pd.DataFrame(columns=list(COLUMNS), dtype="string"),
        truth=pd.DataFrame(truth, columns=["left_id", "right_id"]).astype("string"),
    )
