"""Writes for household development plans."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.assessment.models import IndicatorSet
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.versioning import save_versioned
from ppaos.referrals import rules
from ppaos.referrals.eligibility import household_facts
from ppaos.referrals.models import (
    OPEN_STATUSES,
    HouseholdPlan,
    PlanIntervention,
    PlanProblem,
    PlanVisit,
    Referral,
    Service,
    Status,
)
from ppaos.referrals.services._common import plain_value
from ppaos.registry.models import Household, Membership

# Household income per person a year below which a household is poor (BMN line) when the
# active indicator set does not say; used by the plan's exit check.
DEFAULT_POVERTY_LINE = Decimal(38000)


# Household development plans ----------------------------------------------------------------


def _plan_audit(actor, plan: HouseholdPlan, change: str, value: Any) -> None:
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=plan.household,
        changes={change: [None, plain_value(value)]},
    )


def plan_open(
    *, actor, household: Household, responsible, goal: str = "", opened_on=None, is_demo=False
) -> HouseholdPlan:
    if HouseholdPlan.objects.filter(household=household, status=HouseholdPlan.Status.OPEN).exists():
        raise ValidationError(_("This household has an open plan already."))
    with transaction.atomic():
        plan = HouseholdPlan.objects.create(
            household=household,
            responsible=responsible,
            goal=goal,
            opened_on=opened_on or timezone.localdate(),
            created_by=actor,
            is_demo=is_demo,
        )
        _plan_audit(actor, plan, "plan", f"opened, responsible {responsible.get_username()}")
    return plan


def plan_update(
    *, actor, plan: HouseholdPlan, expected_version: int, responsible, goal: str
) -> HouseholdPlan:
    with transaction.atomic():
        save_versioned(
            HouseholdPlan,
            pk=plan.pk,
            expected_version=expected_version,
            changes={"responsible": responsible, "goal": goal},
        )
        plan.refresh_from_db()
        _plan_audit(actor, plan, "plan_responsible", responsible.get_username())
    return plan


def _require_open(plan: HouseholdPlan) -> None:
    if plan.status != HouseholdPlan.Status.OPEN:
        raise ValidationError(_("This plan is closed."))


def plan_problem_add(
    *, actor, plan: HouseholdPlan, code: str = "", description: str = "", person=None
) -> PlanProblem:
    _require_open(plan)
    if not code and not (description or "").strip():
        raise ValidationError({"description": _("Choose a problem or describe it.")})
    _check_member(plan, person)
    with transaction.atomic():
        problem = PlanProblem.objects.create(
            plan=plan,
            code=code,
            description=description,
            person=person,
            recorded_on=timezone.localdate(),
        )
        _plan_audit(actor, plan, "plan_problem", code or description[:60])
    return problem


def _check_member(plan: HouseholdPlan, person) -> None:
    if (
        person is not None
        and not Membership.objects.filter(
            household=plan.household, person=person, end_date__isnull=True
        ).exists()
    ):
        raise ValidationError({"person": _("This person is not a member of the household.")})


def plan_intervention_add(
    *,
    actor,
    plan: HouseholdPlan,
    description: str,
    problem: PlanProblem | None = None,
    service: Service | None = None,
    person=None,
    responsible_name: str = "",
    target_date: dt.date | None = None,
) -> PlanIntervention:
    _require_open(plan)
    if not (description or "").strip():
        raise ValidationError({"description": _("Say what will be done.")})
    if problem is not None and problem.plan_id != plan.pk:
        raise ValidationError({"problem": _("This problem belongs to another plan.")})
    _check_member(plan, person)
    with transaction.atomic():
        intervention = PlanIntervention.objects.create(
            plan=plan,
            problem=problem,
            service=service,
            person=person,
            description=description,
            responsible_name=responsible_name,
            target_date=target_date,
        )
        _plan_audit(actor, plan, "plan_intervention", description[:60])
    return intervention


@transaction.atomic
def plan_intervention_set_status(
    *, actor, intervention: PlanIntervention, status: str
) -> PlanIntervention:
    _require_open(intervention.plan)
    if status not in PlanIntervention.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    intervention.status = status
    intervention.save(update_fields=["status"])
    _plan_audit(actor, intervention.plan, "plan_intervention_status", f"{intervention.pk} {status}")
    return intervention


def plan_visit_record(
    *,
    actor,
    plan: HouseholdPlan,
    visited_on: dt.date,
    progress: str,
    notes: str = "",
    next_visit_on: dt.date | None = None,
) -> PlanVisit:
    _require_open(plan)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
    if next_visit_on and next_visit_on < visited_on:
        raise ValidationError({"next_visit_on": _("The next visit comes after this one.")})
    with transaction.atomic():
        visit = PlanVisit.objects.create(
            plan=plan,
            visited_on=visited_on,
            visitor=actor,
            progress=progress,
            notes=notes,
            next_visit_on=next_visit_on,
        )
        _plan_audit(actor, plan, "plan_visit", visited_on)
    return visit


def poverty_line() -> Decimal:
    """Income per person a year of the active indicator set (the BMN line), or the default."""
    active = IndicatorSet.objects.filter(is_active=True).first()
    threshold = active.definition.get("income_threshold_baht_per_person_year") if active else None
    return Decimal(str(threshold)) if threshold else DEFAULT_POVERTY_LINE


def plan_exit_checklist(*, plan: HouseholdPlan, on: dt.date | None = None) -> list[dict]:
    """The exit check: each criterion with whether it passes and why."""
    on = on or timezone.localdate()
    interventions = list(plan.interventions.all())
    unfinished = [
        i
        for i in interventions
        if i.status in (PlanIntervention.Status.PLANNED, PlanIntervention.Status.REFERRED)
    ]
    open_referrals = Referral.objects.filter(
        household=plan.household, status__in=(Status.DRAFT, *OPEN_STATUSES)
    ).count()
    visits = plan.visits.count()
    members = list(
        Membership.objects.filter(household=plan.household, end_date__isnull=True).select_related(
            "person"
        )
    )
    household = Household.objects.select_related("community").get(pk=plan.household_id)
    income = household_facts(household, members, on)["household.income_per_person_year"]
    line = poverty_line()
    return [
        {
            "code": "interventions",
            "label": _("every planned intervention is done or dropped"),
            "passed": bool(interventions) and not unfinished,
            "detail": _("%(n)s of %(total)s still open")
            % {"n": len(unfinished), "total": len(interventions)},
        },
        {
            "code": "referrals",
            "label": _("no referral is still open"),
            "passed": open_referrals == 0,
            "detail": _("%(n)s open") % {"n": open_referrals},
        },
        {
            "code": "visits",
            "label": _("at least one follow-up visit"),
            "passed": visits > 0,
            "detail": _("%(n)s visits") % {"n": visits},
        },
        {
            "code": "income",
            "label": _("household income per person at or above the poverty line"),
            "passed": income is not None and income >= line,
            "detail": _("%(income)s baht a year against %(line)s")
            % {
                "income": rules.show(income) if income is not None else "?",
                "line": rules.show(line),
            },
        },
    ]


def plan_exit_check(
    *, actor, plan: HouseholdPlan, exit: bool, notes: str = "", on: dt.date | None = None
) -> HouseholdPlan:
    """Record the exit check; with `exit`, close the plan as exited, only if every
    criterion passes."""
    _require_open(plan)
    on = on or timezone.localdate()
    checklist = plan_exit_checklist(plan=plan, on=on)
    failed = [c["label"] for c in checklist if not c["passed"]]
    if exit and failed:
        raise ValidationError(
            _("The household cannot exit yet: %(failed)s.") % {"failed": "; ".join(failed)}
        )
    with transaction.atomic():
        changes = {
            "exit_checked_on": on,
            "exit_check": [
                {**c, "label": str(c["label"]), "detail": str(c["detail"])} for c in checklist
            ],
            "exit_notes": notes,
        }
        if exit:
            changes["status"] = HouseholdPlan.Status.EXITED
        plan.version = save_versioned(
            HouseholdPlan, pk=plan.pk, expected_version=plan.version, changes=changes
        )
        for name, value in changes.items():
            setattr(plan, name, value)
        _plan_audit(actor, plan, "plan_exit_check", "exited" if exit else "continue")
    return plan
