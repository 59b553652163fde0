"""Synthetic eligibility facts for demo people (issue 13): nationality from the ID, house
register, Barthel ADL, incontinence, state pension, state care and financial assets.

Drawn from their own random stream, so adding them left every earlier demo draw unchanged."""

import datetime as dt
import math
import random

from ppaos.registry import national_id

# Where people registered elsewhere have their house register: mostly the north-east, as
# for many Bangkok community residents (illustrative, not survey figures).
HOME_PROVINCES = (
    "จ.ร้อยเอ็ด",
    "จ.อุบลราชธานี",
    "จ.ขอนแก่น",
    "จ.ศรีสะเกษ",
    "จ.นครราชสีมา",
    "จ.บุรีรัมย์",
    "จ.นครศรีธรรมราช",
    "กรุงเทพมหานคร เขตบางกะปิ",
)


def _maybe(rng: random.Random, p_true: float, p_known: float) -> bool | None:
    """True with p_true, False until p_known, otherwise unknown (not asked)."""
    roll = rng.random()
    if roll < p_true:
        return True
    return False if roll < p_known else None


def eligibility_facts(
    rng: random.Random, *, age: int, nid: str, disabled: bool, today: dt.date
) -> dict:
    """The new person fields for one demo person."""
    elderly = age >= 60
    register = rng.choices(["here", "elsewhere", ""], weights=[78, 17, 5])[0]
    adl = assessed = None
    if rng.random() < (0.25 if elderly or disabled else 0.01):
        bedbound = rng.random() < (0.3 if age >= 75 or disabled else 0.12)
        adl = rng.randint(0, 6) if bedbound else rng.randint(7, 20)
        assessed = today - dt.timedelta(days=rng.randint(14, 700))
    assets = None
    if age >= 18 and rng.random() < 0.6:
        assets = round(min(900_000, rng.lognormvariate(math.log(15_000), 1.1)), -2)
    return {
        "nationality": national_id.nationality(nid) or "",
        "nationality_reason": "",
        "house_register": register,
        "house_register_place": rng.choice(HOME_PROVINCES) if register == "elsewhere" else "",
        "adl_score": adl,
        "adl_assessed_on": assessed,
        "incontinent": _maybe(rng, 0.08, 0.7) if elderly else _maybe(rng, 0.005, 0.3),
        "state_pension": _maybe(rng, 0.07, 0.9) if elderly else _maybe(rng, 0.0, 0.5),
        "in_state_care": _maybe(rng, 0.0, 0.8),
        "financial_assets": assets,
    }
