"""Person-level indicators asked per member: who is eligible on the visit day.

Mirrors the assessment engine (`assessment/engine.py`): a member counts when their membership
covers the day; their age is whole years on that day; an indicator with `ages` [from, to]
applies to members of those ages (a member without a birth date is never in an age range),
and `when: disabled` to members holding a disability card. Answers are stored as the engine
reads them, in `SurveyResponse.member_indicators`: {"<person id>": {"<code>": true|false}}.
"""

import datetime as dt
from dataclasses import dataclass

from ppaos.registry.models import Household

# At most this many members are read from one offline submission.
MAX_MEMBERS = 100


@dataclass(frozen=True)
class PersonIndicator:
    code: str
    name_th: str
    name_en: str
    min_age: int | None = None
    max_age: int | None = None
    disabled_only: bool = False

    def applies(self, *, age: int | None, disabled: bool) -> bool:
        if self.disabled_only and not disabled:
            return False
        if self.min_age is not None and (age is None or age < self.min_age):
            return False
        return not (self.max_age is not None and (age is None or age > self.max_age))


@dataclass(frozen=True)
class Member:
    person_id: int
    name: str
    age: int | None
    disabled: bool


def person_indicators(indicator_set) -> list[PersonIndicator]:
    result = []
    for indicator in indicator_set.indicators():
        if indicator.get("applies_to") != "person":
            continue
        ages = indicator.get("ages") or [None, None]
        result.append(
            PersonIndicator(
                code=indicator["code"],
                name_th=indicator["name_th"],
                name_en=indicator.get("name_en") or indicator["name_th"],
                min_age=ages[0],
                max_age=ages[1],
                disabled_only=indicator.get("when") == "disabled",
            )
        )
    return result


def age_on(birth_date: dt.date | None, day: dt.date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def household_members_on(household: Household, day: dt.date) -> list[Member]:
    """The household's current members who had joined by `day`, head first, with their age."""
    from ppaos.registry.selectors import household_members

    return [
        Member(
            person_id=m.person_id,
            name=m.person.full_name,
            age=age_on(m.person.birth_date, day),
            disabled=m.person.has_disability_card,
        )
        for m in household_members(household=household)
        if m.start_date is None or m.start_date <= day
    ]
