"""Screening people who are not in the registry (a list from a hospital, school or temple)
against the catalogue, without storing them: `ppaos screen` and the district officer's page.

Input: a UTF-8 CSV with a header row and the columns of `COLUMNS`. Output: one row per case
and catalogue service, `case_id, service, eligible, reason, apply_from`. A bad row gets an
error with its line number and the reason; the good rows are still screened. Nothing is
written to the registry; the caller audits the run (never with an ID in it).
"""

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from ppaos.audit.models import Action
from ppaos.audit.services import audit_event
from ppaos.lib.thaidate import DateInputError, age_on, parse_date
from ppaos.referrals import rules
from ppaos.referrals.eligibility import FACTS
from ppaos.referrals.models import Service
from ppaos.referrals.windows import Registration
from ppaos.registry import national_id
from ppaos.registry.models import ADL_MAX

logger = logging.getLogger(__name__)

COLUMNS = (
    "case_id",
    "national_id",
    "birth_date",
    "disability_card",
    "adl_score",
    "incontinence",
    "personal_income_year",
    "household_income_year",
    "household_members",
    "financial_assets",
    "state_pension",
    "in_state_care",
    "receives",
)
OUTPUT = ("case_id", "service", "eligible", "reason", "apply_from")
FLAGS = {"disability_card", "incontinence", "state_pension", "in_state_care"}
AMOUNTS = {"personal_income_year", "household_income_year", "financial_assets"}


class RowError(ValueError):
    """One bad value in a row: the field and what is wrong."""


@dataclass
class Case:
    line: int
    case_id: str
    facts: dict[str, Any]
    receives: set[str]


@dataclass
class Outcome:
    case_id: str
    service: str
    eligible: bool
    reason: str
    apply_from: dt.date | None

    def row(self) -> list[str]:
        return [
            self.case_id,
            self.service,
            "yes" if self.eligible else "no",
            self.reason,
            self.apply_from.isoformat() if self.apply_from else "",
        ]


@dataclass
class Screening:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    cases: int = 0
    # Services whose rule cannot be evaluated, (code, message): not screened, shown to
    # those who keep the rules.
    rule_errors: list[tuple[str, str]] = field(default_factory=list)

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(OUTPUT)
        writer.writerows(o.row() for o in self.outcomes)
        return out.getvalue()


def _flag(name: str, text: str) -> bool | None:
    if text == "":
        return None
    if text in ("0", "1"):
        return text == "1"
    raise RowError(_("%(field)s must be 0 or 1, not %(value)r") % {"field": name, "value": text})


def _amount(name: str, text: str) -> Decimal | None:
    if text == "":
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise RowError(
            _("%(field)s must be a number of baht, not %(value)r") % {"field": name, "value": text}
        ) from None
    if value < 0:
        raise RowError(
            _("%(field)s cannot be negative (%(value)s)") % {"field": name, "value": text}
        )
    return value


def _whole(name: str, text: str, low: int, high: int | None) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        limit = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise RowError(
            _("%(field)s must be a whole number %(limit)s, not %(value)r")
            % {"field": name, "limit": limit, "value": text}
        )
    return int(text)


def _birth_date(text: str, on: dt.date) -> dt.date | None:
    if text == "":
        return None
    try:
        born = parse_date(text)
    except DateInputError:
        raise RowError(
            _("birth_date %(value)r is not a date: write YYYY-MM-DD or dd/mm/yyyy (Buddhist era)")
            % {"value": text}
        ) from None
    if born > on:
        raise RowError(_("birth_date %(value)s is after the screening date") % {"value": text})
    return born


def _facts(raw: dict[str, str], on: dt.date) -> dict[str, Any]:
    """The rule facts of one input row; what the row does not say is unknown (None)."""
    nid = national_id.normalize(raw["national_id"])
    if nid and (problem := national_id.problem(nid)):
        raise RowError(_("national_id %(problem)s") % {"problem": _(problem)})
    born = _birth_date(raw["birth_date"], on)
    flags = {name: _flag(name, raw[name]) for name in FLAGS}
    amounts = {name: _amount(name, raw[name]) for name in AMOUNTS}
    members = _whole("household_members", raw["household_members"], 1, None)
    per_year = None
    if amounts["household_income_year"] is not None and members:
        per_year = amounts["household_income_year"] / members
    nationality = national_id.nationality(nid) if nid else None
    return {
        "age": age_on(born, on) if born else None,
        "birth_date": born,
        "thai": {"thai": True, "other": False}.get(nationality),
        "undocumented": (not nid or national_id.is_without_status(nid)),
        "disability_card": flags["disability_card"],
        "adl_score": _whole("adl_score", raw["adl_score"], 0, ADL_MAX),
        "incontinent": flags["incontinence"],
        "state_pension": flags["state_pension"],
        "in_state_care": flags["in_state_care"],
        "annual_income": amounts["personal_income_year"],
        "monthly_income": (
            amounts["personal_income_year"] / 12
            if amounts["personal_income_year"] is not None
            else None
        ),
        "financial_assets": amounts["financial_assets"],
        "household.members": members,
        "household.income_per_person_year": per_year,
        "household.income_per_person_month": per_year / 12 if per_year is not None else None,
    }


def _receives(text: str, known: set[str]) -> set[str]:
    codes = {c.strip() for c in text.split(";") if c.strip()}
    unknown = sorted(codes - known)
    if unknown:
        raise RowError(
            _("receives: unknown service code %(codes)s") % {"codes": ", ".join(unknown)}
        )
    return codes


def parse(text: str, *, on: dt.date, known_services: set[str]) -> tuple[list[Case], list]:
    """The cases of a CSV and the (line, error) of every bad row. A missing column is an
    error for the whole file (ValidationError)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            _("The file lacks the columns %(columns)s (line 1 must name every column).")
            % {"columns": ", ".join(missing)}
        )
    reader.fieldnames = header
    cases, errors = [], []
    for raw in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS}
        try:
            if not values["case_id"]:
                raise RowError(_("case_id is empty"))
            cases.append(
                Case(
                    line=line,
                    case_id=values["case_id"],
                    facts=_facts(values, on),
                    receives=_receives(values["receives"], known_services),
                )
            )
        except RowError as e:
            errors.append((line, str(e)))
    return cases, errors


def check_rules(services: Iterable[Service], on: dt.date) -> dict[str, str]:
    """{service code: what is wrong} for each rule in force the screen cannot run (an unknown
    fact or operator, arguments of the wrong type), checked before anything is screened.
    Those services are left out of the screen; the others are screened."""
    broken = {}
    for service in services:
        rule = service.rule_on(on)
        if rule is None or rule.eligibility is None:
            continue
        try:
            rules.check(rule.eligibility, FACTS, rules.BOOL)
        except rules.EVALUATION_ERRORS as e:
            broken[service.code] = _rule_error(service, rule.effective_from, e)
    return broken


def _rule_error(service: Service, since: dt.date, error: Exception) -> str:
    logger.warning("rule error in service %s, rule from %s: %s", service.code, since, error)
    return _("Service %(service)s, rule from %(date)s: %(error)s") % {
        "service": service.code,
        "date": since.isoformat(),
        "error": error,
    }


def _outcome(case: Case, service: Service, on: dt.date, names: dict[str, str]) -> Outcome | None:
    rule = service.rule_on(on)
    if rule is None or rule.eligibility is None:
        return None
    context = rules.Context(
        facts=case.facts,
        known=FACTS,
        receiving=lambda code: code in case.receives,
        service_names=names,
    )
    result = rules.evaluate(rule.eligibility, context)
    reason = result.text
    if result.value is None:
        reason = _("cannot tell yet: %(reasons)s") % {"reasons": reason}
    apply_from = None
    if service.code in case.receives:
        reason = _("%(reasons)s; already receiving") % {"reasons": reason}
    elif result.value:
        opening = service.opening(on)
        if opening.status in (Registration.OPEN, Registration.UPCOMING):
            apply_from = opening.apply_from
        if opening.text:
            reason = f"{reason}; {opening.text}"
    return Outcome(case.case_id, service.code, bool(result.value), reason, apply_from)


def screen(text: str, *, on: dt.date) -> Screening:
    """Screen every good row of a CSV against the active catalogue on `on`. Reasons and
    errors are in Thai, whatever the reader's language."""
    with translation.override("th"):
        return _screen(text, on=on)


def _screen(text: str, *, on: dt.date) -> Screening:
    services = list(
        Service.objects.filter(is_active=True).prefetch_related("rules").order_by("code")
    )
    broken = check_rules(services, on)
    names = {s.code: s.name for s in Service.objects.all()}
    cases, errors = parse(text, on=on, known_services=set(names))
    result = Screening(errors=errors, cases=len(cases))
    screened = [s for s in services if s.code not in broken]
    found: list[Outcome] = []
    for case in cases:
        for service in screened:
            if service.code in broken:
                continue
            try:
                outcome = _outcome(case, service, on, names)
            except rules.EVALUATION_ERRORS as e:
                rule = service.rule_on(on)
                broken[service.code] = _rule_error(service, rule.effective_from, e)
                continue
            if outcome is not None:
                found.append(outcome)
    # A rule failing on a later case leaves the service out for every case.
    result.outcomes = [o for o in found if o.service not in broken]
    result.rule_errors = sorted(broken.items())
    return result


def screening_run(*, actor, text: str, on: dt.date, label: str) -> Screening:
    """Screen a CSV and audit the run: who, when, which file, how many cases and rejected
    rows. The audit row holds counts only, never an ID or a case. Nothing else is stored."""
    result = screen(text, on=on)
    audit_event(
        actor=actor,
        action=Action.EXPORT,
        object_type="referrals.screen",
        object_id=str(result.cases),
        label=(
            f"screen {label} on {on.isoformat()}: {result.cases} cases, "
            f"{len(result.errors)} rows rejected, {len(result.outcomes)} results"
        ),
    )
    return result
