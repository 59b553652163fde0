"""Synthetic demonstration data: the Bangkok pilot (3 districts, 30 communities, 658
households, about 2,100 people) or, with more households, a city-wide registry for benchmarks.

Everything comes from one seeded random generator, so a seed always gives the same registry.
Names are Thai (Faker th_TH name lists), geography is real (geothai), and every row is
marked `is_demo` so the interface can flag it. Large loads use PostgreSQL COPY.
"""

import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from faker import Faker

from ppaos.areas.models import Community, Subdistrict
from ppaos.demo.registry_facts import eligibility_facts
from ppaos.lib import bulk
from ppaos.registry import id_crypto, national_id, search_keys
from ppaos.registry.models import Household, Membership, Person

PILOT_DISTRICTS = {"1008": 12, "1009": 10, "1043": 8}  # communities per district
PILOT_HOUSEHOLDS = 658
HOUSEHOLDS_PER_COMMUNITY_AT_SCALE = 500
# Household sizes 1..9 (mean about 3.2, as in Bangkok's low-income communities).
SIZE_WEIGHTS = (17, 23, 22, 16, 11, 6, 3, 1.5, 0.5)
TENURE_WEIGHTS = {
    "rented": 33,
    "owned_house_rented_land": 22,
    "public_land": 18,
    "owned": 20,
    "rent_free": 7,
}
OCCUPATIONS = (
    ("รับจ้างทั่วไป", 30),
    ("ค้าขาย", 18),
    ("ขับรถจักรยานยนต์รับจ้าง", 8),
    ("พนักงานทำความสะอาด", 7),
    ("เก็บของเก่าขาย", 5),
    ("พนักงานบริษัท", 8),
    ("แม่บ้าน", 6),
    ("ก่อสร้าง", 6),
    ("ว่างงาน", 12),
)
ILLNESSES = ("เบาหวาน", "ความดันโลหิตสูง", "โรคหัวใจ", "โรคไต", "โรคปอด", "ข้อเข่าเสื่อม")
COMMUNITY_WORDS_A = (
    "ริมคลอง",
    "หลังวัด",
    "ตลาด",
    "ซอย",
    "บ้าน",
    "พัฒนา",
    "ร่วมใจ",
    "สามัคคี",
    "เคหะ",
    "ริมทาง",
)
COMMUNITY_WORDS_B = (
    "สามัคคีธรรม",
    "ร่วมพัฒนา",
    "มั่นคง",
    "เจริญสุข",
    "ศรีสุข",
    "วัดใหม่",
    "ท่าน้ำ",
    "ร่วมใจ",
    "สุขสันต์",
    "ประชาร่วมใจ",
    "พัฒนาใหม่",
    "สะพานไม้",
)
SOIS = ("1", "3", "5", "7", "9", "12", "15", "22", "วัดใหม่", "ร่วมใจ", "สุขใจ", "ตลาด")


@dataclass
class DemoSummary:
    communities: int
    households: int
    people: int


class _Ids:
    """Hands out primary keys above the current maximum, so COPY can write them directly."""

    def __init__(self, model):
        self.next = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _pick(rng: random.Random, weighted: dict[str, int] | tuple) -> str:
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def _synthetic_id(serial: int, birth_date: dt.date, district_code: str) -> str:
    """A valid, unique ID: category digit, registration office, a scrambled serial, check digit.

    Multiplying by a number coprime with 10**7 is a bijection, so serials never collide."""
    category = "1" if birth_date.year >= 1984 else "3"
    scrambled = (serial * 7_919_773 + 1_234_567) % 10**7
    return national_id.make(f"{category}{district_code}{scrambled:07d}")


def _community_rows(rng: random.Random, households: int) -> list[Community]:
    """Pilot communities in districts 1008/1009/1043, or city-wide ones at scale."""
    if households <= PILOT_HOUSEHOLDS:
        plan = PILOT_DISTRICTS
    else:
        total = max(30, math.ceil(households / HOUSEHOLDS_PER_COMMUNITY_AT_SCALE))
        districts = sorted(
            {
                s[:4]
                for s in Subdistrict.objects.filter(code__startswith="10").values_list(
                    "code", flat=True
                )
            }
        )
        plan = {
            d: total // len(districts) + (i < total % len(districts))
            for i, d in enumerate(districts)
        }
    communities = []
    for district, count in plan.items():
        khwaeng = list(Subdistrict.objects.filter(district_id=district).order_by("code"))
        for n in range(count):
            sub = khwaeng[n % len(khwaeng)]
            place = sub.name_th if rng.random() < 0.4 else rng.choice(COMMUNITY_WORDS_B)
            name = f"ชุมชน{rng.choice(COMMUNITY_WORDS_A)}{place}"
            communities.append(
                Community(
                    code=f"{sub.code}-{n // len(khwaeng) + 1:02d}",
                    name_th=name,
                    name_en="",
                    subdistrict=sub,
                    is_demo=True,
                    community_type=rng.choices(
                        ["slum", "urban", "suburban", "public_housing"], weights=[55, 25, 12, 8]
                    )[0],
                )
            )
    return communities


class _Generator:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.facts_rng = random.Random(seed * 7 + 13)  # the eligibility facts' own stream
        self.today = today
        names = Faker("th_TH").provider("faker.providers.person")
        self.male = list(names.first_names_male)
        self.female = list(names.first_names_female)
        self.surnames = list(names.last_names)
        self.serial = seed * 104_729

    def birth_date(self, age: int) -> dt.date:
        return self.today - dt.timedelta(days=age * 365 + self.rng.randrange(365))

    def person(self, *, age: int, sex: str, surname: str, married: bool, district: str) -> dict:
        rng = self.rng
        born = self.birth_date(age)
        self.serial += 1
        roll = rng.random()
        if roll < 0.03:
            nid = ""  # no ID at all
        elif roll < 0.04:
            nid = national_id.make(f"0{district}{self.serial % 10**7:07d}")  # บุคคลเลข 0
        else:
            nid = _synthetic_id(self.serial, born, district)
        if age < 15:
            prefix = "dekchai" if sex == "M" else "dekying"
        elif sex == "M":
            prefix = "nai"
        else:
            prefix = "nang" if married else "nangsao"
        working = 18 <= age < 65
        occupation = _pick(rng, OCCUPATIONS) if working else ("" if age < 15 else "ไม่ได้ทำงาน")
        income = None
        if working and occupation != "ว่างงาน":
            income = round(min(45_000, rng.lognormvariate(math.log(7_500), 0.45)), -2)
        elif age >= 60:
            income = float(rng.choice((600, 700, 800, 1000)))  # old-age allowance tiers
        chronic = rng.choice(ILLNESSES) if rng.random() < (0.45 if age >= 60 else 0.06) else ""
        education = (
            "preschool"
            if age < 6
            else "primary"
            if age < 12
            else rng.choices(
                ["none", "primary", "lower_secondary", "upper_secondary", "vocational", "bachelor"],
                weights=[6, 38, 24, 20, 8, 4],
            )[0]
        )
        row = {
            # A fresh IV per value, as for real IDs: the seed fixes the plaintext and the hash.
            "national_id_encrypted": id_crypto.encrypt(nid),
            "national_id_hash": id_crypto.lookup_hash(nid),
            "is_undocumented": not nid or nid.startswith("0"),
            "prefix": prefix,
            "first_name": rng.choice(self.male if sex == "M" else self.female),
            "last_name": surname,
            "sex": sex,
            "birth_date": born,
            "birth_date_estimated": not nid and rng.random() < 0.5,
            "has_disability_card": rng.random() < (0.09 if age >= 60 else 0.025),
            "chronic_illness": id_crypto.encrypt_text(chronic),  # raw rows: encrypt here
            "education": education,
            "occupation": occupation,
            "monthly_income": income,
            "phone": f"0{rng.choice('689')}{rng.randrange(10**8):08d}" if age >= 15 else "",
        }
        # Search keys from the plain name and phone; then the phone is encrypted (raw rows).
        phone = row["phone"]
        row |= search_keys.person_keys(row["first_name"], surname, phone)
        row["phone"] = id_crypto.encrypt_text(phone)
        disabled = row["has_disability_card"]
        return row | eligibility_facts(
            self.facts_rng, age=age, nid=nid, disabled=disabled, today=self.today
        )

    def roster(self, district: str) -> list[tuple[str, dict]]:
        """(relation, person fields) for one household, head first."""
        rng = self.rng
        size = rng.choices(range(1, 10), weights=SIZE_WEIGHTS)[0]
        surname = rng.choice(self.surnames)
        head_age = rng.choices(
            [rng.randint(22, 39), rng.randint(40, 59), rng.randint(60, 90)], weights=[25, 40, 35]
        )[0]
        head_sex = rng.choices("FM", weights=[55, 45])[0]
        couple = size > 1 and rng.random() < 0.65
        members = [
            (
                "head",
                self.person(
                    age=head_age, sex=head_sex, surname=surname, married=couple, district=district
                ),
            )
        ]
        if couple:
            spouse_age = max(20, min(95, head_age + rng.randint(-6, 6)))
            spouse_sex = "M" if head_sex == "F" else "F"
            members.append(
                (
                    "spouse",
                    self.person(
                        age=spouse_age,
                        sex=spouse_sex,
                        surname=surname,
                        married=True,
                        district=district,
                    ),
                )
            )
        while len(members) < size:
            if head_age >= 55 and rng.random() < 0.45:
                relation, age = "grandchild", rng.randint(0, 17)
            elif head_age < 45 and rng.random() < 0.12:
                relation, age = "parent", rng.randint(head_age + 18, min(98, head_age + 40))
            elif rng.random() < 0.1:
                relation, age = "relative", rng.randint(5, 70)
            else:
                relation, age = "child", rng.randint(0, max(0, min(40, head_age - 18)))
            sex = rng.choice("MF")
            members.append(
                (
                    relation,
                    self.person(
                        age=age, sex=sex, surname=surname, married=False, district=district
                    ),
                )
            )
        return members


def _household_fields(rng: random.Random, community: Community) -> dict:
    return {
        "house_no": f"{rng.randint(1, 999)}"
        + (f"/{rng.randint(1, 60)}" if rng.random() < 0.4 else ""),
        "moo": "",
        "village": "",
        "soi": rng.choice(SOIS) if rng.random() < 0.7 else "",
        "road": "",
        "subdistrict_id": community.subdistrict_id,
        "postal_code": community.subdistrict.postal_code,
        "house_registration_no": "",
        "latitude": None,
        "longitude": None,
        "tenure": _pick(rng, TENURE_WEIGHTS),
    }


@dataclass
class _Batch:
    households: list[dict]
    people: list[dict]
    memberships: list[dict]


def _batches(
    gen: _Generator,
    communities: list[Community],
    households: int,
    start_ids: dict,
    *,
    now: dt.datetime,
    batch_size: int,
) -> Iterator[_Batch]:
    rng = gen.rng
    weights = [rng.uniform(0.5, 1.5) for _ in communities]
    # Same draws as passing `weights`, without re-summing them for every household.
    cum_weights = list(itertools.accumulate(weights))
    indexes = range(len(communities))
    # Continue after any real household a community already has, so codes never collide.
    real = set(
        Household.objects.filter(community__in=communities, is_demo=False).values_list(
            "community_id", flat=True
        )
    )
    counts = [c.household_seq if c.id in real else 0 for c in communities]
    ids = dict(start_ids)
    batch = _Batch([], [], [])
    stamp = {
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by_id": None,
        "updated_by_id": None,
        "is_demo": True,
    }
    previous_household: dict[int, int] = {}
    for n in range(households):
        # Every community gets at least a few households; the rest follow the weights.
        index = n if n < len(communities) else rng.choices(indexes, cum_weights=cum_weights)[0]
        community = communities[index]
        counts[index] += 1
        household_id = ids["household"]
        ids["household"] += 1
        code = f"{community.code}-{counts[index]:05d}"
        batch.households.append(
            {
                "id": household_id,
                "code": code,
                "community_id": community.id,
                **_household_fields(rng, community),
                **stamp,
            }
        )
        start = gen.today - dt.timedelta(days=rng.randint(30, 3650))
        for relation, person in gen.roster(community.code[:4]):
            person_id = ids["person"]
            ids["person"] += 1
            batch.people.append({"id": person_id, **person, **stamp})
            moved = relation not in ("head", "spouse") and rng.random() < 0.02
            if moved and index in previous_household:
                # Lived in another household of the same community before: history is kept.
                left = start - dt.timedelta(days=rng.randint(1, 30))
                batch.memberships.append(
                    {
                        "id": ids["membership"],
                        "household_id": previous_household[index],
                        "person_id": person_id,
                        "relation": "relative",
                        "start_date": left - dt.timedelta(days=rng.randint(200, 2000)),
                        "end_date": left,
                        "end_reason": "ย้ายที่อยู่",
                    }
                )
                ids["membership"] += 1
            batch.memberships.append(
                {
                    "id": ids["membership"],
                    "household_id": household_id,
                    "person_id": person_id,
                    "relation": relation,
                    "start_date": start,
                    "end_date": None,
                    "end_reason": "",
                }
            )
            ids["membership"] += 1
        previous_household[index] = household_id
        if len(batch.households) >= batch_size:
            yield batch
            batch = _Batch([], [], [])
    if batch.households:
        yield batch
    for community, count in zip(communities, counts, strict=True):
        community.household_seq = count


def demo_delete() -> None:
    """Remove earlier demo rows (never real ones) so the generator can run again.

    Plain SQL deletes: the ORM would load every demo person to check PROTECT relations,
    which takes minutes at a million households. Memberships go first, so nothing real
    is left pointing at a removed row."""
    membership = Membership._meta.db_table
    person = Person._meta.db_table
    household = Household._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {membership} WHERE household_id IN "  # noqa: S608 (our table names)
            f"(SELECT id FROM {household} WHERE is_demo) OR person_id IN "
            f"(SELECT id FROM {person} WHERE is_demo)"
        )
        cursor.execute(f"DELETE FROM {person} WHERE is_demo")  # noqa: S608
        cursor.execute(f"DELETE FROM {household} WHERE is_demo")  # noqa: S608
        Community.objects.filter(is_demo=True, households__isnull=True).delete()


def _communities(rng: random.Random, households: int) -> list[Community]:
    """The demo communities for this size, created if missing, in code order."""
    communities = _community_rows(rng, households)
    existing = {c.code: c for c in Community.objects.filter(code__in=[c.code for c in communities])}
    fresh = [c for c in communities if c.code not in existing]
    Community.objects.bulk_create(fresh, batch_size=1000)
    return list(
        Community.objects.filter(code__in=[c.code for c in communities])
        .select_related("subdistrict")
        .order_by("code")
    )


def _start_ids() -> dict[str, int]:
    return {
        "household": _Ids(Household).take(),
        "person": _Ids(Person).take(),
        "membership": _Ids(Membership).take(),
    }


def demo_load(
    *,
    seed: int,
    households: int = PILOT_HOUSEHOLDS,
    today: dt.date | None = None,
    batch_size: int = 20_000,
    progress=None,
) -> DemoSummary:
    """Replace the demo registry with a freshly generated one. Deterministic for a seed."""
    today = today or dt.date(2026, 1, 15)
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    demo_delete()
    gen = _Generator(seed, today)
    with transaction.atomic():
        communities = _communities(gen.rng, households)
        start_ids = _start_ids()
        people = 0
        done = 0
        for batch in _batches(
            gen, communities, households, start_ids, now=now, batch_size=batch_size
        ):
            bulk.rows_write(Household, batch.households)
            bulk.rows_write(Person, batch.people)
            bulk.rows_write(Membership, batch.memberships)
            people += len(batch.people)
            done += len(batch.households)
            if progress:
                progress(done, households)
        Community.objects.bulk_update(communities, ["household_seq"], batch_size=1000)
        bulk.sequences_reset(Household, Person, Membership)
    return DemoSummary(len(communities), households, people)


DUMP_FILES = {
    "household": "households.tsv",
    "person": "people.tsv",
    "membership": "memberships.tsv",
}


def demo_dump(
    *,
    seed: int,
    households: int,
    directory: Path,
    today: dt.date | None = None,
    start_ids: dict[str, int] | None = None,
    batch_size: int = 20_000,
) -> DemoSummary:
    """Write the rows `demo_load` would COPY, without loading them: one COPY text file per table
    in `directory` (DUMP_FILES), its first line the column names. For benchmarks.

    Creates missing demo communities, as demo_load does, since households refer to them.
    `start_ids` defaults to the ids demo_load would use next (pass 1s for empty tables)."""
    today = today or dt.date(2026, 1, 15)
    now = dt.datetime.combine(today, dt.time(9, 0), tzinfo=dt.UTC)
    gen = _Generator(seed, today)
    with transaction.atomic():
        communities = _communities(gen.rng, households)
    start_ids = start_ids or _start_ids()
    people = 0
    with ExitStack() as stack:
        files = {
            kind: stack.enter_context(open(Path(directory) / name, "w", encoding="utf-8"))
            for kind, name in DUMP_FILES.items()
        }
        for batch in _batches(
            gen, communities, households, start_ids, now=now, batch_size=batch_size
        ):
            tables = (batch.households, batch.people, batch.memberships)
            for kind, rows in zip(DUMP_FILES, tables, strict=True):
                columns = list(rows[0])
                if files[kind].tell() == 0:
                    files[kind].write("\t".join(columns) + "\n")
                files[kind].write(bulk.copy_text(rows, columns))
            people += len(batch.people)
    return DemoSummary(len(communities), households, people)
