"""How each served province is organised, from data (`data/provinces.json`), not code.

Bangkok has the six BMA community types and district offices; elsewhere households live in
villages (หมู่บ้าน) or in communities inside a municipality, and local administrative
organisations (อปท.) give what the district office gives in Bangkok. A province may differ
from the default by adding its own entry to the file."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from ppaos.lib import safejson
from ppaos.lib.i18n import localized

DATA = Path(__file__).resolve().parent / "data" / "provinces.json"

# Who answers a service "given by the local office": the district office (Bangkok) or the
# อปท. covering the household (elsewhere).
DISTRICT_OFFICE = "district_office"
LOCAL_GOVERNMENT = "local_government"
# Who answers a service given through the local health fund: the service's own provider
# (Bangkok's health fund) or the health fund of the household's อปท.
SERVICE_PROVIDER = "service_provider"
LOCAL_HEALTH_FUND = "local_health_fund"


@dataclass(frozen=True)
class ProvinceProfile:
    code: str
    community_types: tuple[str, ...]
    local_office: str
    health_fund: str


@cache
def _data() -> dict:
    data = safejson.loads(DATA.read_bytes())
    for key, entry in data["provinces"].items():
        unknown = set(entry["community_types"]) - set(data["community_types"])
        if unknown:
            raise ValueError(f"{DATA.name}: province {key} names unknown types {sorted(unknown)}")
        if entry["local_office"] not in (DISTRICT_OFFICE, LOCAL_GOVERNMENT):
            raise ValueError(f"{DATA.name}: province {key}: bad local_office")
        if entry["health_fund"] not in (SERVICE_PROVIDER, LOCAL_HEALTH_FUND):
            raise ValueError(f"{DATA.name}: province {key}: bad health_fund")
    return data


def profile(province_code: str) -> ProvinceProfile:
    """The organisation of province `province_code` (its own entry, or the default)."""
    provinces = _data()["provinces"]
    entry = provinces.get(province_code[:2]) or provinces["default"]
    return ProvinceProfile(
        code=province_code[:2],
        community_types=tuple(entry["community_types"]),
        local_office=entry["local_office"],
        health_fund=entry["health_fund"],
    )


def served_provinces() -> list[str]:
    """The provinces this installation serves (`PPAOS_PROVINCES`)."""
    return list(settings.PROVINCES)


def community_type_label(value: str) -> str:
    labels = _data()["community_types"].get(value)
    if labels is None:
        return value
    return localized(labels["th"], labels["en"])


def community_type_choices(province_code: str | None = None) -> list[tuple[str, str]]:
    """(value, label) of the types a province uses, or of every known type."""
    values = (
        profile(province_code).community_types
        if province_code
        else tuple(_data()["community_types"])
    )
    return [(v, community_type_label(v)) for v in values]


def community_type_value(text: str) -> str:
    """The type's value for `text` given as a value, or as its Thai or English label; ""
    if no type matches."""
    text = text.strip()
    types = _data()["community_types"]
    if text in types:
        return text
    for value, labels in types.items():
        if text == labels["th"] or text.lower() == labels["en"].lower():
            return value
    return ""
