"""The eligibility engine: facts about people and households, the catalogue's rules evaluated
against them, and the batch that finds the excluded (eligible but not receiving).

Facts are computed in Python from the registry (age on a given day, income per person, ...),
so the same rule gives the same answer on SQLite and PostgreSQL, and every answer has reasons.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ppaos.areas.provinces import community_type_label
from ppaos.lib.thaidate import age_on
from ppaos.referrals import rules
from ppaos.referrals.models import Benefit, Level, Service, ServiceRule
from ppaos.registry.models import Household, Membership, Person, Relation, Sex, Tenure

F = rules.Fact
logger = logging.getLogger(__name__)


def _choice(choices):
    def display(value):
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return display


FACTS: dict[str, rules.Fact] = {
    "age": F(gettext_lazy("age"), type=rules.NUMBER),
    "birth_date": F(gettext_lazy("birth date"), type=rules.DATE),
    "sex": F(gettext_lazy("sex"), display=_choice(Sex), type=rules.STRING),
    "thai": F(
        gettext_lazy("Thai nationality"),
        yes=gettext_lazy("Thai nationality"),
        no=gettext_lazy("not Thai nationality"),
        type=rules.BOOL,
    ),
    "undocumented": F(
        gettext_lazy("undocumented"),
        yes=gettext_lazy("undocumented (no national ID or a 0-ID)"),
        no=gettext_lazy("has a Thai national ID"),
        type=rules.BOOL,
    ),
    "disability_card": F(
        gettext_lazy("disability card"),
        yes=gettext_lazy("holds a disability card"),
        no=gettext_lazy("no disability card"),
        type=rules.BOOL,
    ),
    "chronic_illness": F(
        gettext_lazy("chronic illness"),
        yes=gettext_lazy("has a chronic illness"),
        no=gettext_lazy("no chronic illness"),
        type=rules.BOOL,
    ),
    "monthly_income": F(gettext_lazy("monthly income"), type=rules.NUMBER),
    "annual_income": F(gettext_lazy("income a year"), type=rules.NUMBER),
    "occupation": F(gettext_lazy("occupation"), type=rules.STRING),
    "relation": F(gettext_lazy("relation to head"), display=_choice(Relation), type=rules.STRING),
    "registered_here": F(
        gettext_lazy("on the house register of this district"),
        yes=gettext_lazy("on the house register of this district"),
        no=gettext_lazy("on a house register elsewhere"),
        type=rules.BOOL,
    ),
    "adl_score": F(gettext_lazy("Barthel ADL score"), type=rules.NUMBER),
    "incontinent": F(
        gettext_lazy("incontinence"),
        yes=gettext_lazy("incontinent"),
        no=gettext_lazy("not incontinent"),
        type=rules.BOOL,
    ),
    "state_pension": F(
        gettext_lazy("state pension or regular state payment"),
        yes=gettext_lazy("receives a state pension or regular state payment"),
        no=gettext_lazy("no state pension or regular state payment"),
        type=rules.BOOL,
    ),
    "in_state_care": F(
        gettext_lazy("living in state care"),
        yes=gettext_lazy("lives in a state care home"),
        no=gettext_lazy("not in a state care home"),
        type=rules.BOOL,
    ),
    "financial_assets": F(gettext_lazy("financial assets"), type=rules.NUMBER),
    "household.members": F(gettext_lazy("household members"), type=rules.NUMBER),
    "household.income_per_person_month": F(
        gettext_lazy("household income per person a month"), type=rules.NUMBER
    ),
    "household.income_per_person_year": F(
        gettext_lazy("household income per person a year"), type=rules.NUMBER
    ),
    "household.tenure": F(gettext_lazy("tenure"), display=_choice(Tenure), type=rules.STRING),
    "household.community_type": F(
        gettext_lazy("community type"), display=community_type_label, type=rules.STRING
    ),
    "household.children_under_6": F(gettext_lazy("children under 6"), type=rules.NUMBER),
    "household.elderly": F(gettext_lazy("members aged 60 or more"), type=rules.NUMBER),
    "household.disabled": F(gettext_lazy("members with a disability card"), type=rules.NUMBER),
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
    on: dt.date | None = None
    # Set by pages that list evaluations: an open referral for this person and service.
    open_referral: object = None
    # The rule could not be evaluated (a rule error, shown to coordinators): `eligible` is None.
    error: str = ""
    _reasons: str | None = field(default=None, repr=False)
    _amount_reasons: str | None = field(default=None, repr=False)

    def _explained(self, expression) -> str:
        try:
            return rules.evaluate(expression, replace(self.context, explain=True)).text
        except rules.EVALUATION_ERRORS as e:
            logger.warning(
                "rule error explaining %s (rule from %s): %s",
                self.service.code,
                self.rule.effective_from if self.rule else "-",
                e,
            )
            return rule_error_text(str(e))

    @property
    def reasons(self) -> str:
        """'age 67 ≥ 60, Thai nationality'."""
        if self._reasons is None:
            if self.error:
                self._reasons = rule_error_text(self.error)
            else:
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
    def opening(self):
        """When one can apply (windows.Opening), seen from the day evaluated."""
        return self.service.opening(self.on or timezone.localdate())

    @property
    def summary(self) -> str:
        """'age 67 ≥ 60, Thai nationality, not receiving', and when one can apply if the
        service takes applications only in registration windows."""
        if self.error:
            return self.reasons
        tail = _("receiving") if self.receiving else _("not receiving")
        text = f"{self.reasons}, {tail}" if self.reasons else tail
        if self.eligible is not False and not self.receiving and self.opening.text:
            text = f"{text}; {self.opening.text}"
        return text


def rule_error_text(error: str) -> str:
    """How a rule that cannot be evaluated shows on a page (to coordinators)."""
    return _("rule error: %(error)s") % {"error": error}


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


def _nationality_fact(nationality: str) -> bool | None:
    """Thai, not Thai, or unknown (no ID, or an 8-ID with nationality not recorded)."""
    return {"thai": True, "other": False}.get(nationality)


def _register_fact(house_register: str) -> bool | None:
    return {"here": True, "elsewhere": False}.get(house_register)


def person_facts(person: Person, relation: str, on: dt.date) -> dict:
    income = person.monthly_income
    # An ADL score counts from its assessment on; a later assessment replaces it.
    adl = person.adl_score
    if adl is not None and person.adl_assessed_on and person.adl_assessed_on > on:
        adl = None
    return {
        "age": age_on(person.birth_date, on) if person.birth_date else None,
        "birth_date": person.birth_date,
        "sex": person.sex or None,
        "thai": _nationality_fact(person.nationality),
        "undocumented": person.is_undocumented or not person.national_id_hash,
        "disability_card": person.has_disability_card,
        "chronic_illness": bool(person.chronic_illness),
        "monthly_income": income,
        "annual_income": income * 12 if income is not None else None,
        "occupation": person.occupation or None,
        "relation": relation,
        "registered_here": _register_fact(person.house_register),
        "adl_score": adl,
        "incontinent": person.incontinent,
        "state_pension": person.state_pension,
        "in_state_care": person.in_state_care,
        "financial_assets": person.financial_assets,
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
        # Rule versions that cannot be evaluated: {rule id: the error}, logged once each.
        self.errors: dict[int, str] = {}

    def compiled(self, rule: ServiceRule) -> tuple:
        """(eligibility, amount) of a rule version as closures computing values, after
        checking the rule's types (a rule saved before types were checked may be bad).
        RuleError if it cannot be evaluated."""
        if rule.pk in self.errors:
            raise rules.RuleError(self.errors[rule.pk])
        if rule.pk not in self._compiled:
            try:
                rules.check(rule.eligibility, FACTS, rules.BOOL)
                if rule.amount is not None:
                    rules.check(rule.amount, FACTS, rules.NUMBER)
                self._compiled[rule.pk] = (
                    rules.compile_value(rule.eligibility, FACTS),
                    rules.compile_value(rule.amount, FACTS) if rule.amount is not None else None,
                )
            except rules.EVALUATION_ERRORS as e:
                raise rules.RuleError(self.failed(rule, e)) from e
        return self._compiled[rule.pk]

    def failed(self, rule: ServiceRule, error: Exception) -> str:
        """Record (and log, once) that a rule version cannot be evaluated; the message."""
        if rule.pk not in self.errors:
            self.errors[rule.pk] = str(error) or type(error).__name__
            logger.warning(
                "rule error in service %s, rule from %s (id %s): %s",
                rule.service.code if rule.service_id else "-",
                rule.effective_from,
                rule.pk,
                self.errors[rule.pk],
            )
        return self.errors[rule.pk]


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
        try:
            is_eligible, pays = catalogue.compiled(rule)
        except rules.RuleError as e:
            is_eligible, pays, broken = None, None, str(e)
        else:
            broken = ""
        if service.level == Level.HOUSEHOLD:
            targets = [(head.person, whole)]
        else:
            targets = [(m.person, subjects[m.person_id]) for m in members]
        for person, (facts, receiving) in targets:
            eligible, amount, error = None, None, broken
            if not error:
                try:
                    eligible, amount = _values(is_eligible, pays, facts, receiving)
                except rules.EVALUATION_ERRORS as e:
                    error = catalogue.failed(rule, e)
            yield Evaluation(
                service=service,
                rule=rule,
                household=household,
                person=person,
                eligible=eligible,
                receiving=receiving(service.code),
                amount=amount,
                on=on,
                error=error,
                context=rules.Context(
                    facts=facts,
                    known=FACTS,
                    receiving=receiving,
                    service_names=catalogue.names,
                ),
            )


def _values(is_eligible, pays, facts: dict, receiving) -> tuple[bool | None, Decimal | None]:
    """Eligible (or None: unknown) and the amount, from a rule's compiled closures."""
    value = is_eligible(facts, receiving)
    eligible = None if value is None else bool(value)
    amount = None
    if eligible and pays is not None:
        paid = pays(facts, receiving)
        if isinstance(paid, int | float | Decimal) and not isinstance(paid, bool):
            amount = Decimal(str(paid))
    return eligible, amount


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
