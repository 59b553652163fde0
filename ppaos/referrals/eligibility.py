"""The eligibility engine: facts about people and households, the catalogue's rules evaluated
against them, and the batch that finds the excluded (eligible but not receiving).

Facts are computed in Python from the registry (age on a given day, income per person, ...),
so the same rule gives the same answer on SQLite and PostgreSQL, and every answer has reasons.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ppaos.areas.models import CommunityType
from ppaos.lib.thaidate import age_on
from ppaos.referrals import rules
from ppaos.referrals.models import Benefit, Level, Service, ServiceRule
from ppaos.registry.models import Household, Membership, Person, Relation, Sex, Tenure

F = rules.Fact
_l = gettext_lazy


def _choice(choices):
    def display(value):
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return display


FACTS: dict[str, rules.Fact] = {
    "age": F(_l("age")),
    "birth_date": F(_l("birth date")),
    "sex": F(_l("sex"), display=_choice(Sex)),
    "thai": F(_l("Thai national ID"), yes=_l("Thai national ID"), no=_l("no Thai national ID")),
    "undocumented": F(
        _l("undocumented"),
        yes=_l("undocumented (no national ID or a 0-ID)"),
        no=_l("has a Thai national ID"),
    ),
    "disability_card": F(
        _l("disability card"), yes=_l("holds a disability card"), no=_l("no disability card")
    ),
    "chronic_illness": F(
        _l("chronic illness"), yes=_l("has a chronic illness"), no=_l("no chronic illness")
    ),
    "monthly_income": F(_l("monthly income")),
    "annual_income": F(_l("income a year")),
    "occupation": F(_l("occupation")),
    "relation": F(_l("relation to head"), display=_choice(Relation)),
    "household.members": F(_l("household members")),
    "household.income_per_person_month": F(_l("household income per person a month")),
    "household.income_per_person_year": F(_l("household income per person a year")),
    "household.tenure": F(_l("tenure"), display=_choice(Tenure)),
    "household.community_type": F(_l("community type"), display=_choice(CommunityType)),
    "household.children_under_6": F(_l("children under 6")),
    "household.elderly": F(_l("members aged 60 or more")),
    "household.disabled": F(_l("members with a disability card")),
}


@dataclass
class Evaluation:
    """One service checked for one person (or, for household services, one household).

    The values are computed in the batch; the reasons are written out when first read (a
    whole-registry batch needs only the values, a page only the reasons of its rows)."""

    service: Service
    rule: ServiceRule | None
    household: Household
    person: Person
    eligible: bool | None
    receiving: bool
    amount: Decimal | None
    context: rules.Context = field(repr=False)
    # Set by pages that list evaluations: an open referral for this person and service.
    open_referral: object = None
    _reasons: str | None = field(default=None, repr=False)
    _amount_reasons: str | None = field(default=None, repr=False)

    def _explained(self, expression) -> str:
        return rules.evaluate(expression, replace(self.context, explain=True)).text

    @property
    def reasons(self) -> str:
        """'age 67 ≥ 60, Thai national ID'."""
        if self._reasons is None:
            self._reasons = self._explained(self.rule.eligibility) if self.rule else ""
        return self._reasons

    @property
    def amount_reasons(self) -> str:
        if self._amount_reasons is None:
            amount = self.rule.amount if self.rule else None
            self._amount_reasons = self._explained(amount) if amount is not None else ""
        return self._amount_reasons

    @property
    def excluded(self) -> bool:
        return self.eligible is True and not self.receiving

    @property
    def summary(self) -> str:
        """'age 67 ≥ 60, Thai national ID, not receiving'."""
        tail = _("receiving") if self.receiving else _("not receiving")
        return f"{self.reasons}, {tail}" if self.reasons else tail


def household_facts(household: Household, members: list[Membership], on: dt.date) -> dict:
    people = [m.person for m in members]
    incomes = [p.monthly_income for p in people if p.monthly_income is not None]
    size = len(people)
    per_month = None
    if incomes and size:
        per_month = Decimal(sum(incomes)) / size
    ages = [age_on(p.birth_date, on) for p in people if p.birth_date]
    return {
        "household.members": size,
        "household.income_per_person_month": per_month,
        "household.income_per_person_year": per_month * 12 if per_month is not None else None,
        "household.tenure": household.tenure or None,
        "household.community_type": household.community.community_type,
        "household.children_under_6": sum(1 for a in ages if a < 6),
        "household.elderly": sum(1 for a in ages if a >= 60),
        "household.disabled": sum(1 for p in people if p.has_disability_card),
    }


def person_facts(person: Person, relation: str, on: dt.date) -> dict:
    income = person.monthly_income
    return {
        "age": age_on(person.birth_date, on) if person.birth_date else None,
        "birth_date": person.birth_date,
        "sex": person.sex or None,
        "thai": bool(person.national_id_hash) and not person.is_undocumented,
        "undocumented": person.is_undocumented or not person.national_id_hash,
        "disability_card": person.has_disability_card,
        "chronic_illness": bool(person.chronic_illness),
        "monthly_income": income,
        "annual_income": income * 12 if income is not None else None,
        "occupation": person.occupation or None,
        "relation": relation,
    }


class Catalogue:
    """The active services and their rules (compiled once), loaded once for a batch."""

    def __init__(self, services: Iterable[Service] | None = None):
        if services is None:
            services = Service.objects.filter(is_active=True)
        if isinstance(services, QuerySet):
            services = services.select_related("provider").prefetch_related("rules")
        self.services = list(services)
        self.by_code = {s.code: s for s in Service.objects.all()}
        self.names = {code: s.name for code, s in self.by_code.items()}
        self.ids = {code: s.pk for code, s in self.by_code.items()}
        self._compiled: dict[int, tuple] = {}

    def compiled(self, rule: ServiceRule) -> tuple:
        """(eligibility, amount) of a rule version as closures computing values."""
        if rule.pk not in self._compiled:
            self._compiled[rule.pk] = (
                rules.compile_value(rule.eligibility, FACTS),
                rules.compile_value(rule.amount, FACTS) if rule.amount is not None else None,
            )
        return self._compiled[rule.pk]


def _receiving_lookup(benefits: dict[int, set[int]], people: list[Person], catalogue: Catalogue):
    held: set[int] = set()
    for p in people:
        held |= benefits.get(p.pk, set())

    def receiving(code: str) -> bool:
        return catalogue.ids.get(code) in held

    return receiving


def evaluate_household(
    *,
    household: Household,
    members: list[Membership],
    benefits: dict[int, set[int]],
    catalogue: Catalogue,
    on: dt.date,
) -> Iterator[Evaluation]:
    """Every (person, service) — or (household, service) — pair with an eligibility rule."""
    if not members:
        return
    hh_facts = household_facts(household, members, on)
    head = next((m for m in members if m.relation == Relation.HEAD), members[0])
    everyone = [m.person for m in members]
    # Each member's facts and benefits once, then every service against them.
    subjects = {
        m.person_id: (
            hh_facts | person_facts(m.person, m.relation, on),
            _receiving_lookup(benefits, [m.person], catalogue),
        )
        for m in members
    }
    whole = (subjects[head.person_id][0], _receiving_lookup(benefits, everyone, catalogue))
    for service in catalogue.services:
        rule = service.rule_on(on)
        if rule is None or rule.eligibility is None:
            continue
        is_eligible, pays = catalogue.compiled(rule)
        if service.level == Level.HOUSEHOLD:
            targets = [(head.person, whole)]
        else:
            targets = [(m.person, subjects[m.person_id]) for m in members]
        for person, (facts, receiving) in targets:
            value = is_eligible(facts, receiving)
            eligible = None if value is None else bool(value)
            amount = None
            if eligible and pays is not None:
                paid = pays(facts, receiving)
                if isinstance(paid, int | float | Decimal) and not isinstance(paid, bool):
                    amount = Decimal(str(paid))
            yield Evaluation(
                service=service,
                rule=rule,
                household=household,
                person=person,
                eligible=eligible,
                receiving=receiving(service.code),
                amount=amount,
                context=rules.Context(
                    facts=facts,
                    known=FACTS,
                    receiving=receiving,
                    service_names=catalogue.names,
                ),
            )


def current_benefits(person_ids: Iterable[int], on: dt.date) -> dict[int, set[int]]:
    """{person id: {service ids received on `on`}}."""
    result: dict[int, set[int]] = {}
    rows = Benefit.objects.filter(person_id__in=list(person_ids), since__lte=on).filter(
        Q(until__isnull=True) | Q(until__gte=on)
    )
    for person_id, service_id in rows.values_list("person_id", "service_id"):
        result.setdefault(person_id, set()).add(service_id)
    return result


def scan(
    *,
    households: QuerySet[Household],
    catalogue: Catalogue | None = None,
    on: dt.date | None = None,
    chunk_size: int = 500,
) -> Iterator[Evaluation]:
    """Evaluate every current member of `households` against the catalogue, a chunk of
    households at a time (so a whole-registry batch runs in constant memory)."""
    on = on or timezone.localdate()
    catalogue = catalogue or Catalogue()
    current = Membership.objects.filter(end_date__isnull=True).select_related("person")
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = (
            Household.objects.filter(pk__in=ids[start : start + chunk_size])
            .select_related("community__subdistrict__district")
            .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current"))
            .order_by("code")
        )
        chunk = list(chunk)
        benefits = current_benefits((m.person_id for h in chunk for m in h.current), on)
        for household in chunk:
            yield from evaluate_household(
                household=household,
                members=household.current,
                benefits=benefits,
                catalogue=catalogue,
                on=on,
            )


def evaluate_for_household(*, household: Household, on: dt.date | None = None) -> list[Evaluation]:
    """Every rule for one household's current members (the household's referral page)."""
    households = Household.objects.filter(pk=household.pk)
    return list(scan(households=households, on=on))
