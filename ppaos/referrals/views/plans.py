"""A household: referrals, benefits, eligibility and the development plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ppaos.accounts.models import User
from ppaos.accounts.scope import (
    EDIT_PEOPLE,
    MANAGE_TARGETING,
    VIEW_PEOPLE,
    roles_with,
    scope_for,
)
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import is_english
from ppaos.lib.versioning import StaleEditError
from ppaos.referrals import access, selectors, services
from ppaos.referrals.eligibility import evaluate_for_household
from ppaos.referrals.forms import (
    ExitForm,
    InterventionForm,
    PlanForm,
    PlanVisitForm,
    ProblemForm,
)
from ppaos.referrals.models import (
    OPEN_STATUSES,
    Benefit,
    HouseholdPlan,
    Referral,
    Service,
    Status,
)
from ppaos.registry.models import Person
from ppaos.registry.selectors import household_members

# A household: referrals, benefits, eligibility and the development plan ------------------------


@login_required
def household(request, pk: int):
    household = access.household_for_plan(user=request.user, pk=pk)
    return _household_page(request, household)


def _household_page(request, household, bound: dict | None = None, status: int = 200):
    """The household's referrals, benefits, eligibility and development plan."""
    audit_record(actor=request.user, action=Action.VIEW, obj=household)
    scope = scope_for(request.user)
    can_edit = scope.area(EDIT_PEOPLE).contains_community(household.community)
    members = household_members(household=household)
    people = Person.objects.filter(pk__in=[m.person_id for m in members])
    plan = selectors.household_plan(household=household)
    referrals = list(
        Referral.objects.filter(household=household).select_related(
            "person", "service", "organisation"
        )
    )
    open_referrals = {
        (r.person_id, r.service_id): r
        for r in referrals
        if r.status in (Status.DRAFT, *OPEN_STATUSES)
    }
    # Eligible but not receiving, and unknown (facts missing); what is received is listed
    # under benefits.
    # A rule that cannot be evaluated shows once per service, to those who keep the rules;
    # for others the service is simply not offered.
    evaluations, rule_errors = [], {}
    for e in evaluate_for_household(household=household):
        if e.error:
            rule_errors.setdefault(e.service.pk, e)
        elif e.eligible is None or (e.eligible and not e.receiving):
            evaluations.append(e)
    for e in evaluations:
        e.open_referral = open_referrals.get((e.person.pk, e.service.pk))
    context = {
        "household": household,
        "members": members,
        "plan": plan,
        "can_edit": can_edit,
        "can_refer": scope.area(MANAGE_TARGETING).contains_community(household.community),
        "evaluations": evaluations,
        "rule_errors": (
            list(rule_errors.values()) if access.can_edit_catalogue(request.user) else []
        ),
        "referrals": referrals,
        "benefits": Benefit.objects.filter(person__in=people).select_related("person", "service"),
        "services": Service.objects.filter(is_active=True),
        "today": timezone.localdate(),
        "checklist": services.plan_exit_checklist(plan=plan) if plan else [],
    }
    if plan:
        context |= _plan_parts(plan, members)
    if can_edit and plan and plan.status == HouseholdPlan.Status.OPEN:
        context |= _plan_forms(plan, people, bound)
    elif can_edit:
        context["new_plan_form"] = PlanForm(
            responsibles=_responsibles(household), initial={"responsible": request.user}
        )
    return render(request, "referrals/household.html", context, status=status)


def _plan_parts(plan: HouseholdPlan, members) -> dict:
    """The plan's problems (with their labels), interventions (with their referrals) and
    visits, for display."""
    english = is_english()
    labels = {p["code"]: p["name_en"] if english else p["name_th"] for p in _indicator_problems()}
    problems = list(plan.problems.select_related("person"))
    for problem in problems:
        problem.label = labels.get(problem.code, problem.code)
    head = next((m.person_id for m in members if m.relation == "head"), None)
    interventions = list(
        plan.interventions.select_related("service", "person", "problem").prefetch_related(
            "referrals"
        )
    )
    for intervention in interventions:
        intervention.refer_person_id = intervention.person_id or head
        if intervention.problem:
            intervention.problem.label = labels.get(intervention.problem.code, "")
    return {
        "problems": problems,
        "interventions": interventions,
        "visits": list(plan.visits.select_related("visitor")),
    }


@login_required
def refer_pick(request, pk: int):
    """The household page's "refer someone" form: choose a member and a service."""
    household = access.household_for_referral(user=request.user, pk=pk)
    person = request.GET.get("person", "")
    service = request.GET.get("service", "")
    if not person.isdigit() or not Service.objects.filter(code=service).exists():
        messages.error(request, _("Choose a member and a service."))
        return redirect("referrals:household", pk=household.pk)
    return redirect(
        "referrals:new", household_pk=household.pk, person_pk=int(person), service_code=service
    )


def _responsibles(household):
    """People who can be named responsible: staff whose scope holds the household."""
    district = household.community.subdistrict.district_id
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__community=household.community)
            | Q(role_assignments__district_id=district)
            | Q(role_assignments__province_id=district[:2])
        )
        .filter(role_assignments__role__in=roles_with(VIEW_PEOPLE))
        .distinct()
        .order_by("username")
    )


def _indicator_problems() -> list[dict]:
    """The problem list of the active indicator set (income, debt, housing, documents...)."""
    return list(indicator_set_active().definition.get("problems", []))


def _plan_forms(plan, people, bound: dict | None = None) -> dict:
    bound = bound or {}
    return {
        "plan_form": bound.get("plan_form")
        or PlanForm(
            responsibles=_responsibles(plan.household),
            initial={"responsible": plan.responsible, "goal": plan.goal, "version": plan.version},
        ),
        "problem_form": bound.get("problem_form")
        or ProblemForm(problems=_indicator_problems(), members=people),
        "intervention_form": bound.get("intervention_form")
        or InterventionForm(plan=plan, members=people),
        "visit_form": bound.get("visit_form")
        or PlanVisitForm(initial={"visited_on": timezone.localdate()}),
        "exit_form": bound.get("exit_form") or ExitForm(),
    }


@login_required
@require_POST
def plan_open(request, pk: int):
    household = access.household_for_plan(user=request.user, pk=pk, for_edit=True)
    form = PlanForm(request.POST, responsibles=_responsibles(household))
    if form.is_valid():
        try:
            services.plan_open(
                actor=request.user,
                household=household,
                responsible=form.cleaned_data["responsible"],
                goal=form.cleaned_data["goal"],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Development plan opened."))
    else:
        messages.error(request, _("Choose the responsible person."))
    return redirect("referrals:household", pk=household.pk)


@login_required
@require_POST
def plan_change(request, pk: int, what: str):
    """The plan's forms: responsible person, problems, interventions, visits, exit check."""
    plan = access.plan_for_user(user=request.user, pk=pk, for_edit=True)
    household = plan.household
    people = Person.objects.filter(
        memberships__household=household, memberships__end_date__isnull=True
    )
    forms = {
        "plan": lambda: PlanForm(request.POST, responsibles=_responsibles(household)),
        "problem": lambda: ProblemForm(
            request.POST, problems=_indicator_problems(), members=people
        ),
        "intervention": lambda: InterventionForm(request.POST, plan=plan, members=people),
        "visit": lambda: PlanVisitForm(request.POST),
        "exit": lambda: ExitForm(request.POST),
    }
    if what not in forms:
        raise Http404("Unknown plan change")
    form = forms[what]()
    if form.is_valid():
        data = form.cleaned_data
        try:
            if what == "plan":
                services.plan_update(
                    actor=request.user,
                    plan=plan,
                    expected_version=data["version"] or plan.version,
                    responsible=data["responsible"],
                    goal=data["goal"],
                )
            elif what == "problem":
                services.plan_problem_add(actor=request.user, plan=plan, **data)
            elif what == "intervention":
                services.plan_intervention_add(actor=request.user, plan=plan, **data)
            elif what == "visit":
                services.plan_visit_record(actor=request.user, plan=plan, **data)
            else:
                services.plan_exit_check(
                    actor=request.user,
                    plan=plan,
                    exit=request.POST.get("decision") == "exit",
                    notes=data["notes"],
                )
        except StaleEditError as e:
            if what == "plan":  # merge: their change stays, the responsible and goal are offered
                stored = e.current
                form.merge_stale(
                    e, initial={"responsible": stored.responsible, "goal": stored.goal}
                )
            else:
                messages.error(request, _("Not saved: someone else changed the plan; try again."))
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(f"{_household_url(household)}#plan")
    return _household_page(request, household, {f"{what}_form": form}, status=400)


def _household_url(household) -> str:
    return reverse("referrals:household", args=[household.pk])


@login_required
@require_POST
def intervention_status(request, pk: int):
    intervention = access.intervention_for_user(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    try:
        services.plan_intervention_set_status(
            actor=request.user, intervention=intervention, status=status
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect(f"{_household_url(intervention.plan.household)}#plan")
