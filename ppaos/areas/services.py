"""Loading geography from geothai and communities from CSV."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import geothai
from django.db import transaction

from ppaos.areas import provinces
from ppaos.areas.models import (
    Community,
    District,
    LocalGovernment,
    LocalGovernmentKind,
    Province,
    Subdistrict,
    Village,
)
from ppaos.lib import events
from ppaos.lib.thaidigits import to_ascii_digits


def _strip_khet(name: str) -> str:
    """geothai writes Bangkok districts as "เขตป้อมปราบศัตรูพ่าย"; keep the bare name."""
    return name.removeprefix("เขต") if name.startswith("เขต") else name


@transaction.atomic
def geography_load() -> tuple[int, int, int]:
    """Load (or refresh) every province, district and subdistrict of Thailand from geothai.

    Safe to run again: rows are matched by DOPA code. Returns the three counts."""
    provinces = [Province(p.code, p.name_th, p.name_en) for p in geothai.provinces()]
    Province.objects.bulk_create(
        provinces,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en"],
    )
    districts, subdistricts = [], []
    for p in provinces:
        for d in geothai.districts(p.code):
            districts.append(District(d.code, _strip_khet(d.name_th), d.name_en, p.code))
            for s in geothai.subdistricts(d.code):
                postal = s.postal_codes[0] if s.postal_codes else ""
                subdistricts.append(Subdistrict(s.code, s.name_th, s.name_en, d.code, postal))
    District.objects.bulk_create(
        districts,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en", "province"],
        batch_size=500,
    )
    Subdistrict.objects.bulk_create(
        subdistricts,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name_th", "name_en", "district", "postal_code"],
        batch_size=500,
    )
    return len(provinces), len(districts), len(subdistricts)


COMMUNITY_COLUMNS = (
    "code",
    "name_th",
    "name_en",
    "subdistrict_code",
    "community_type",
    "dla_code",
)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged


def _community_row(
    row: dict[str, str], known_subdistricts: set[str], local_governments: dict[str, set[str]]
) -> dict:
    code = (row.get("code") or "").strip()
    name_th = (row.get("name_th") or "").strip()
    subdistrict = (row.get("subdistrict_code") or "").strip()
    types = provinces.profile(subdistrict).community_types
    kind = (row.get("community_type") or types[0]).strip()
    dla_code = (row.get("dla_code") or "").strip()
    if not code:
        raise ValueError("code is empty")
    if not name_th:
        raise ValueError("name_th is empty")
    if subdistrict not in known_subdistricts:
        raise ValueError(f"subdistrict_code {subdistrict!r} is not a DOPA subdistrict code")
    value = provinces.community_type_value(kind)
    if value not in types:
        raise ValueError(
            f"community_type {kind!r} is not a type of province {subdistrict[:2]} "
            f"({', '.join(types)})"
        )
    if dla_code and subdistrict not in local_governments.get(dla_code, ()):
        raise ValueError(f"dla_code {dla_code!r} is not an อปท. covering {subdistrict}")
    values = {
        "name_th": name_th,
        "name_en": (row.get("name_en") or "").strip(),
        "subdistrict_id": subdistrict,
        "community_type": value,
        "local_government_id": dla_code or None,
    }
    for axis in ("latitude", "longitude"):
        text = (row.get(axis) or "").strip()
        try:
            values[axis] = Decimal(text) if text else None
        except InvalidOperation:
            raise ValueError(f"{axis} {text!r} is not a number") from None
    return {"code": code, **values}


def communities_import_csv(text: str) -> ImportReport:
    """Create or update communities from CSV text (header: code,name_th,name_en,
    subdistrict_code,community_type[,dla_code,latitude,longitude]). The type must be one of
    the province's (`provinces.json`); `dla_code` names the อปท. of a community inside a
    municipality.

    Every row is checked first; bad rows are reported with their line number and reason, the
    good rows are saved in one transaction, and running the same file again changes nothing."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        c for c in ("code", "name_th", "subdistrict_code") if c not in (reader.fieldnames or [])
    ]
    if missing:
        report.rejected.append((1, f"header lacks column(s): {', '.join(missing)}"))
        return report
    known = set(Subdistrict.objects.values_list("code", flat=True))
    covering: dict[str, set[str]] = {}
    for lao, subdistrict in LocalGovernment.subdistricts.through.objects.values_list(
        "localgovernment_id", "subdistrict_id"
    ):
        covering.setdefault(lao, set()).add(subdistrict)
    good: dict[str, dict] = {}
    for row in reader:
        line = reader.line_num
        try:
            values = _community_row(row, known, covering)
        except ValueError as e:
            report.rejected.append((line, str(e)))
            continue
        if values["code"] in good:
            report.rejected.append((line, f"code {values['code']!r} repeats an earlier row"))
            continue
        good[values["code"]] = values
    with transaction.atomic():
        existing = {c.code: c for c in Community.objects.filter(code__in=list(good))}
        for code, values in good.items():
            current = existing.get(code)
            if current is None:
                Community.objects.create(**values)
                report.created += 1
                continue
            changed = {k: v for k, v in values.items() if getattr(current, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(current, k, v)
                current.save(update_fields=list(changed))
                report.updated += 1
            else:
                report.unchanged += 1
    return report


# Onboarding a province: อปท. (DLA list) and villages (DOPA) -------------------------------

# Announced after a province was onboarded, so the referral side can prepare the อปท.'s
# provider organisations. Facts: province_code.
PROVINCE_ONBOARDED = "province_onboarded"

LAO_FILE = "lao"
VILLAGE_FILE = "villages"

# Header names as the official files write them (Thai) or as our samples do (English).
_LAO_HEADERS = {
    "dla_code": ("dla_code", "รหัสอปท", "รหัสองค์กรปกครองส่วนท้องถิ่น"),
    "name_th": ("name_th", "ชื่ออปท", "ชื่อองค์กรปกครองส่วนท้องถิ่น"),
    "name_en": ("name_en",),
    "kind": ("kind", "ประเภท", "ประเภทอปท"),
    "tambon_codes": ("tambon_codes", "รหัสตำบลในเขต", "ตำบลในเขต"),
}
_VILLAGE_HEADERS = {
    "village_code": ("village_code", "รหัสหมู่บ้าน"),
    "name_th": ("name_th", "ชื่อหมู่บ้าน"),
    "name_en": ("name_en",),
    "dla_code": ("dla_code", "รหัสอปท", "รหัสองค์กรปกครองส่วนท้องถิ่น"),
}
_KIND_ALIASES = {
    **{k.value: k.value for k in LocalGovernmentKind},
    "อบจ": LocalGovernmentKind.PAO,
    "องค์การบริหารส่วนจังหวัด": LocalGovernmentKind.PAO,
    "เทศบาลนคร": LocalGovernmentKind.CITY_MUNICIPALITY,
    "ทน": LocalGovernmentKind.CITY_MUNICIPALITY,
    "เทศบาลเมือง": LocalGovernmentKind.TOWN_MUNICIPALITY,
    "ทม": LocalGovernmentKind.TOWN_MUNICIPALITY,
    "เทศบาลตำบล": LocalGovernmentKind.SUBDISTRICT_MUNICIPALITY,
    "ทต": LocalGovernmentKind.SUBDISTRICT_MUNICIPALITY,
    "อบต": LocalGovernmentKind.SAO,
    "องค์การบริหารส่วนตำบล": LocalGovernmentKind.SAO,
    "เมืองพัทยา": LocalGovernmentKind.SPECIAL,
}


class OnboardError(Exception):
    """The province cannot be onboarded at all (not served, unknown code)."""


@dataclass(frozen=True)
class RowOutcome:
    file: str
    line: int
    outcome: str  # created, updated, unchanged or rejected
    detail: str


@dataclass
class OnboardReport:
    province: str
    geography_loaded: bool = False
    rows: list[RowOutcome] = field(default_factory=list)
    communities_created: int = 0

    def count(self, file: str, outcome: str) -> int:
        return sum(1 for r in self.rows if r.file == file and r.outcome == outcome)

    @property
    def rejected(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == "rejected"]


def _key(header: str) -> str:
    return "".join(ch for ch in header.strip().lower() if ch not in " ._")


def _reader(text: str, headers: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """Rows of `text` as dicts keyed by our column names, or the missing columns."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    first = next(reader, [])
    aliases = {_key(alias): name for name, names in headers.items() for alias in names}
    columns = [aliases.get(_key(h), "") for h in first]
    missing = [c for c in required if c not in columns]
    rows = (
        (
            reader.line_num,
            dict(zip(columns, [to_ascii_digits(v).strip() for v in row], strict=False)),
        )
        for row in reader
        if any(v.strip() for v in row)
    )
    return rows, missing


def _lao_row(values: dict[str, str], province: str, known: set[str]) -> dict:
    code, name_th = values.get("dla_code", ""), values.get("name_th", "")
    if not (len(code) == 7 and code.isdigit()):
        raise ValueError(f"dla_code {code!r} is not a 7-digit DLA code")
    if not name_th:
        raise ValueError("name_th is empty")
    kind = {_key(k): v for k, v in _KIND_ALIASES.items()}.get(_key(values.get("kind", "")))
    if kind is None:
        raise ValueError(f"kind {values.get('kind', '')!r} is not a kind of อปท.")
    tambons = sorted(set(values.get("tambon_codes", "").replace(";", " ").split()))
    for tambon in tambons:
        if tambon not in known:
            raise ValueError(f"tambon {tambon!r} is not a DOPA subdistrict of province {province}")
    if not tambons and kind != LocalGovernmentKind.PAO:
        raise ValueError("tambon_codes is empty: list the tambons the อปท. covers")
    return {
        "code": code,
        "name_th": name_th,
        "name_en": values.get("name_en", ""),
        "kind": kind,
        "tambons": tambons,
    }


def _village_row(
    values: dict[str, str], province: str, known: set[str], covering: dict[str, set[str]]
) -> dict:
    code, name_th = values.get("village_code", ""), values.get("name_th", "")
    if not (len(code) == 8 and code.isdigit()):
        raise ValueError(f"village_code {code!r} is not an 8-digit DOPA village code")
    if not code.startswith(province):
        raise ValueError(f"village_code {code} is not in province {province}")
    tambon, moo = code[:6], int(code[6:])
    if tambon not in known:
        raise ValueError(f"village_code {code}: tambon {tambon} is not a DOPA subdistrict")
    if moo < 1:
        raise ValueError(f"village_code {code}: หมู่ที่ must be 1 or more")
    if not name_th:
        raise ValueError("name_th is empty")
    lao = values.get("dla_code", "")
    candidates = sorted(c for c, tambons in covering.items() if tambon in tambons)
    if lao and lao not in candidates:
        raise ValueError(f"dla_code {lao!r} is not an อปท. covering tambon {tambon}")
    if not lao:
        if len(candidates) != 1:
            found = ", ".join(candidates) or "none"
            raise ValueError(f"tambon {tambon} is covered by {found}: give dla_code")
        lao = candidates[0]
    return {
        "code": code,
        "subdistrict_id": tambon,
        "moo": moo,
        "name_th": name_th,
        "name_en": values.get("name_en", ""),
        "local_government_id": lao,
    }


def _upsert(model, key: str, values: dict) -> str:
    """Create or update one row by primary key; "created", "updated" or "unchanged"."""
    current = model.objects.filter(pk=key).first()
    if current is None:
        model.objects.create(pk=key, **values)
        return "created"
    changed = {k: v for k, v in values.items() if getattr(current, k) != v}
    for k, v in changed.items():
        setattr(current, k, v)
    if changed:
        current.save(update_fields=list(changed))
        return "updated"
    return "unchanged"


def _village_community(village: dict, types: tuple[str, ...]) -> bool:
    """The community households of a village belong to; True if it was created."""
    name_th = f"หมู่ที่ {village['moo']} {village['name_th']}"
    kind = "village" if "village" in types else types[0]
    values = {
        "name_th": name_th,
        "subdistrict_id": village["subdistrict_id"],
        "community_type": kind,
        "local_government_id": village["local_government_id"],
    }
    community = Community.objects.filter(village_id=village["code"]).first()
    if community is None:
        Community.objects.create(code=village["code"], village_id=village["code"], **values)
        return True
    changed = {k: v for k, v in values.items() if getattr(community, k) != v}
    for k, v in changed.items():
        setattr(community, k, v)
    if changed:
        community.save(update_fields=list(changed))
    return False


def province_onboard(
    *, code: str, lao_text: str = "", village_text: str = "", require_served: bool = True
) -> OnboardReport:
    """Prepare province `code`: its geography (geothai), its อปท. (the DLA list, one row per
    อปท. with the tambons it covers) and its villages (DOPA codes), each village with the
    community its households belong to.

    Every row is checked first and reported with its line number; bad rows are rejected and
    the good ones saved in one transaction. Rows are matched by their official codes, so a
    second run with the same files changes nothing. Only a served province
    (`PPAOS_PROVINCES`) unless `require_served` is off (the demo's sample province)."""
    if require_served and code not in provinces.served_provinces():
        raise OnboardError(
            f"province {code} is not served by this installation (PPAOS_PROVINCES="
            f"{','.join(provinces.served_provinces())})"
        )
    report = OnboardReport(province=code)
    if not Province.objects.filter(code=code).exists():
        geography_load()
        report.geography_loaded = True
        if not Province.objects.filter(code=code).exists():
            raise OnboardError(f"{code!r} is not a DOPA province code")
    known = set(Subdistrict.objects.filter(code__startswith=code).values_list("code", flat=True))
    laos: dict[str, dict] = {}
    if lao_text:
        rows, missing = _reader(lao_text, _LAO_HEADERS, ("dla_code", "name_th", "kind"))
        if missing:
            report.rows.append(RowOutcome(LAO_FILE, 1, "rejected", f"header lacks {missing}"))
            rows = iter(())
        for line, values in rows:
            try:
                row = _lao_row(values, code, known)
                if row["code"] in laos:
                    raise ValueError(f"dla_code {row['code']} repeats an earlier row")
            except ValueError as e:
                report.rows.append(RowOutcome(LAO_FILE, line, "rejected", str(e)))
                continue
            laos[row["code"]] = row | {"line": line}
    # Tambons each อปท. covers: the file's good rows over what is stored already.
    covering: dict[str, set[str]] = {}
    stored = LocalGovernment.objects.filter(province_id=code).exclude(kind="pao")
    for lao, tambon in stored.values_list("code", "subdistricts"):
        covering.setdefault(lao, set()).add(tambon)
    for lao in laos.values():
        if lao["kind"] != LocalGovernmentKind.PAO:
            covering[lao["code"]] = set(lao["tambons"])
    villages: dict[str, dict] = {}
    if village_text:
        rows, missing = _reader(village_text, _VILLAGE_HEADERS, ("village_code", "name_th"))
        if missing:
            report.rows.append(RowOutcome(VILLAGE_FILE, 1, "rejected", f"header lacks {missing}"))
            rows = iter(())
        for line, values in rows:
            try:
                row = _village_row(values, code, known, covering)
                if row["code"] in villages:
                    raise ValueError(f"village_code {row['code']} repeats an earlier row")
            except ValueError as e:
                report.rows.append(RowOutcome(VILLAGE_FILE, line, "rejected", str(e)))
                continue
            villages[row["code"]] = row | {"line": line}
    types = provinces.profile(code).community_types
    with transaction.atomic():
        for lao in laos.values():
            values = {
                "name_th": lao["name_th"],
                "name_en": lao["name_en"],
                "kind": lao["kind"],
                "province_id": code,
            }
            outcome = _upsert(LocalGovernment, lao["code"], values)
            stored_lao = LocalGovernment.objects.get(pk=lao["code"])
            before = set(stored_lao.subdistricts.values_list("code", flat=True))
            if before != set(lao["tambons"]):
                stored_lao.subdistricts.set(lao["tambons"])
                outcome = "updated" if outcome == "unchanged" else outcome
            detail = f"{lao['code']} {lao['name_th']}"
            report.rows.append(RowOutcome(LAO_FILE, lao["line"], outcome, detail))
        for village in villages.values():
            values = {k: village[k] for k in ("subdistrict_id", "moo", "name_th", "name_en")}
            values["local_government_id"] = village["local_government_id"]
            outcome = _upsert(Village, village["code"], values)
            report.communities_created += _village_community(village, types)
            detail = f"{village['code']} หมู่ที่ {village['moo']} {village['name_th']}"
            report.rows.append(RowOutcome(VILLAGE_FILE, village["line"], outcome, detail))
        events.announce(PROVINCE_ONBOARDED, province_code=code)
    report.rows.sort(key=lambda r: (r.file != LAO_FILE, r.line))
    return report
