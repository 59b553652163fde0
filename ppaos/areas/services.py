"""Loading geography from geothai and communities from CSV."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import geothai
from django.db import transaction

from ppaos.areas.models import Community, CommunityType, District, Province, Subdistrict


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


COMMUNITY_COLUMNS = ("code", "name_th", "name_en", "subdistrict_code", "community_type")
_TYPE_ALIASES = {label.lower(): value for value, label in CommunityType.choices} | {
    "ชุมชนแออัด": "slum",
    "ชุมชนเมือง": "urban",
    "ชุมชนชานเมือง": "suburban",
    "ชุมชนหมู่บ้านจัดสรร": "housing_estate",
    "เคหะชุมชน": "public_housing",
    "ชุมชนอาคารสูง": "high_rise",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged


def _community_row(row: dict[str, str], known_subdistricts: set[str]) -> dict:
    code = (row.get("code") or "").strip()
    name_th = (row.get("name_th") or "").strip()
    subdistrict = (row.get("subdistrict_code") or "").strip()
    kind = (row.get("community_type") or "urban").strip()
    if not code:
        raise ValueError("code is empty")
    if not name_th:
        raise ValueError("name_th is empty")
    if subdistrict not in known_subdistricts:
        raise ValueError(f"subdistrict_code {subdistrict!r} is not a DOPA subdistrict code")
    kind = kind if kind in CommunityType.values else _TYPE_ALIASES.get(kind.lower(), "")
    if not kind:
        raise ValueError(f"community_type {row.get('community_type')!r} is not a BMA type")
    values = {
        "name_th": name_th,
        "name_en": (row.get("name_en") or "").strip(),
        "subdistrict_id": subdistrict,
        "community_type": kind,
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
    subdistrict_code,community_type[,latitude,longitude]).

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
    good: dict[str, dict] = {}
    for row in reader:
        line = reader.line_num
        try:
            values = _community_row(row, known)
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
