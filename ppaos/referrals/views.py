import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ppaos.accounts.models import User
from ppaos.accounts.scope import (
    EDIT_PEOPLE,
    MANAGE_TARGETING,
    VIEW_COUNTS,
    VIEW_PEOPLE,
    roles_with,
    scope_for,
)
from ppaos.areas.models import Community, District
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.referrals import access, printing, rules, selectors, services
from ppaos.referrals.eligibility import FACTS, evaluate_for_household
from ppaos.referrals.forms import (
    CONSENT_PURPOSE,
    CommentForm,
    CompleteForm,
    ExitForm,
    InterventionForm,
    PlanForm,
    PlanVisitForm,
    ProblemForm,
    ReasonForm,
    ReferralForm,
    ReportFilterForm,
    RuleForm,
    SendForm,
    ServiceForm,
    TransferForm,
    VersionForm,
)
from ppaos.referrals.models import (
    OPEN_STATUSES,
    Benefit,
    HouseholdPlan,
    PlanIntervention,
    Referral,
    ReferralEvent,
    Service,
    Status,
)
from ppaos.registry.models import Membership, Person
from ppaos.registry.selectors import household_members
from ppaos.registry.services import StaleEditError

# Lists ----------------------------------------------------------------------------------------


@login_required
def home(request):
    """The city side's referral list; agencies go to their inbox; counters to the reports."""
    if not selectors.can_refer(request.user):
        if selectors.is_agency(request.user):
            return redirect("referrals:inbox")
        if scope_for(request.user).can(VIEW_COUNTS):
            return redirect("referrals:reports")
        raise Http404("No referral role")
    referrals = selectors.referrals_managed(user=request.user)
    status = request.GET.get("status", "open")
    counts = dict(referrals.order_by().values_list("status").annotate(n=Count("id")))
    counts["open"] = sum(counts.get(s, 0) for s in OPEN_STATUSES)
    if status == "open":
        shown = referrals.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        shown = referrals.filter(status=status)
    else:
        status, shown = "all", referrals
    page = Paginator(shown.order_by("due_on", "-id"), 50).get_page(request.GET.get("page"))
    services.audit_list(request.user, f"referral list ({status})", len(page.object_list))
    return render(
        request,
        "referrals/home.html",
        {
            "page": page,
            "status": status,
            "counts": counts,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "overdue": selectors.overdue_for(user=request.user).count(),
            "today": timezone.localdate(),
        },
    )


@login_required
def inbox(request):
    """An agency's inbox: referrals addressed to its organisation, the minimum to act on."""
    if not selectors.is_agency(request.user):
        raise Http404("Not an agency officer")
    referrals = selectors.agency_inbox(user=request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        referrals = referrals.filter(status=status)
    else:
        status = "all"
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    services.audit_list(request.user, f"agency inbox ({status})", len(page.object_list))
    return render(
        request,
        "referrals/inbox.html",
        {"page": page, "status": status, "today": timezone.localdate()},
    )


@login_required
def overdue(request):
    referrals = selectors.overdue_for(user=request.user)
    if not (selectors.can_refer(request.user) or selectors.is_agency(request.user)):
        raise Http404("No referral role")
    rows = list(referrals[:500])
    services.audit_list(request.user, "overdue referrals", len(rows))
    return render(
        request,
        "referrals/overdue.html",
        {
            "referrals": rows,
            "today": timezone.localdate(),
            "agency": not selectors.can_refer(request.user),
        },
    )


@login_required
def excluded(request):
    """Eligible but not receiving: per service counts and the people, in the user's area."""
    access.require_city(request.user)
    area = scope_for(request.user).area(MANAGE_TARGETING)
    code = request.GET.get("area", "").strip()
    districts, communities = _eligibility_areas(area, code)
    if code not in {d.code for d in districts} | {c.code for c in communities}:
        code = ""  # only an area of the user's own, picked from the list
    households = selectors.households_in_area(code=code).filter(area.q("community"))
    service_code = request.GET.get("service", "")
    report = selectors.exclusion_report(households=households, service_code=service_code)
    show_rule_errors = access.can_edit_catalogue(request.user)
    if not show_rule_errors:
        report = report.without_errors()
    if not service_code:
        # Show one service's people at a time: the one with most people excluded.
        with_people = [c for c in report.counts if c.excluded]
        if with_people:
            service_code = max(with_people, key=lambda c: c.excluded).service.code
            report.rows = [r for r in report.rows if r.service.code == service_code]
    rows = report.rows
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    services.audit_list(
        request.user, f"eligible but excluded {code or '*'} {service_code}", len(page.object_list)
    )
    return render(
        request,
        "referrals/excluded.html",
        {
            "report": report,
            "page": page,
            "service_code": service_code,
            "area_code": code,
            "districts": districts,
            "communities": communities,
            "can_refer": True,
            "total": len(rows),
            "show_rule_errors": show_rule_errors,
        },
    )


# At most this many communities in the eligibility list's area menu; beyond, only those of the
# district picked (a coordinator's whole city has thousands).
AREA_MENU_COMMUNITIES = 300


def _eligibility_areas(area, code: str):
    """The districts and communities of the user's area, for the eligibility list's menu."""
    communities = Community.objects.filter(area.community_q()).select_related("subdistrict")
    district_codes = {c[:4] for c in area.prefixes if len(c) >= 4}
    district_codes |= {c[:4] for c in area.community_areas}
    provinces = [p for p in area.prefixes if len(p) == 2]
    districts = District.objects.filter(
        Q(code__in=district_codes) | Q(province_id__in=provinces)
    ).order_by("code")
    if communities.count() > AREA_MENU_COMMUNITIES:
        communities = communities.filter(subdistrict__district_id=code[:4]) if code else []
    return list(districts), list(communities.order_by("code")) if communities else []


# A referral -----------------------------------------------------------------------------------


def _timeline(referral: Referral, side: str):
    events = referral.events.select_related("actor", "organisation")
    if side == access.AGENCY:
        # The override's justification may hold health details: the agency sees that consent
        # was overridden, not why.
        return [
            (e, "" if e.kind == ReferralEvent.Kind.CONSENT_OVERRIDE else e.text) for e in events
        ]
    return [(e, e.text) for e in events]


@login_required
def detail(request, pk: int):
    granted = access.referral_for_user(user=request.user, pk=pk)
    referral = granted.referral
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=referral,
        label=f"{referral.number} {referral.household.code}",
    )
    forms = _action_forms(granted)
    return _render_detail(request, granted, forms)


def _action_forms(granted: access.ReferralAccess, bound: dict | None = None) -> dict:
    referral = granted.referral
    initial = {"version": referral.version}
    bound = bound or {}
    forms = {}
    for action in granted.actions:
        if action in bound:
            forms[action] = bound[action]
            continue
        if action == "send":
            forms[action] = SendForm(
                initial=initial
                | {"consent_given": referral.consent_given, "consent_by": referral.consent_by}
            )
        elif action == "complete":
            forms[action] = CompleteForm(
                initial=initial
                | {
                    "benefit_amount": referral.expected_amount,
                    "benefit_from": timezone.localdate(),
                }
            )
        elif action == "transfer":
            forms[action] = TransferForm(
                initial=initial, exclude_pk=referral.organisation_id, prefix=action
            )
        elif action in ("reject", "close"):
            forms[action] = ReasonForm(initial=initial, prefix=action)
        elif action == "comment":
            forms[action] = CommentForm()
        else:
            forms[action] = VersionForm(initial=initial, prefix=action)
    return forms


def _render_detail(request, granted: access.ReferralAccess, forms: dict, status: int = 200):
    referral = granted.referral
    template = (
        "referrals/detail_agency.html" if granted.side == access.AGENCY else "referrals/detail.html"
    )
    return render(
        request,
        template,
        {
            "referral": referral,
            "side": granted.side,
            "forms": forms,
            "timeline": _timeline(referral, granted.side),
            "today": timezone.localdate(),
            "consent_purpose": CONSENT_PURPOSE,
        },
        status=status,
    )


ACTION_FORMS = {
    "send": SendForm,
    "accept": VersionForm,
    "start": VersionForm,
    "reject": ReasonForm,
    "close": ReasonForm,
    "complete": CompleteForm,
    "transfer": TransferForm,
    "comment": CommentForm,
}


# One service call per action (the states each may start from: models.TRANSITIONS).
ACTION_SERVICES = {
    "send": lambda data, **c: services.referral_send(
        **c,
        consent_given=data["consent_given"],
        consent_by=data["consent_by"],
        override_reason=data["override_reason"],
    ),
    "accept": lambda data, **c: services.referral_accept(**c),
    "start": lambda data, **c: services.referral_start(**c),
    "reject": lambda data, **c: services.referral_reject(**c, reason=data["reason"]),
    "close": lambda data, **c: services.referral_close(**c, reason=data["reason"]),
    "complete": lambda data, **c: services.referral_complete(
        **c,
        outcome=data["outcome"],
        enrolled=data["enrolled"],
        benefit_amount=data["benefit_amount"],
        benefit_from=data["benefit_from"],
    ),
    "transfer": lambda data, **c: services.referral_transfer(
        **c, organisation=data["organisation"], reason=data["reason"]
    ),
    "comment": lambda data, expected_version, **c: services.referral_comment(
        **c, text=data["text"]
    ),
}


@login_required
@require_POST
def act(request, pk: int, action: str):
    """One form per action; a refused change shows the page again with the reason."""
    if action not in ACTION_FORMS:
        raise Http404("Unknown action")
    granted = access.referral_for_user(user=request.user, pk=pk)
    referral = granted.referral
    if not granted.allowed(action) and granted.finished(action):
        # A re-posted form or a second click: say so, rather than a bare "not found".
        messages.warning(
            request,
            _("This referral is already %(status)s; nothing was changed.")
            % {"status": referral.get_status_display().lower()},
        )
        return redirect("referrals:detail", pk=referral.pk)
    access.require_action(granted, action)
    form_class = ACTION_FORMS[action]
    kwargs = {}
    if action == "transfer":
        kwargs["exclude_pk"] = referral.organisation_id
    if action in ("reject", "close", "accept", "start", "transfer"):
        kwargs["prefix"] = action
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ACTION_SERVICES[action](
                actor=request.user,
                referral=referral,
                expected_version=data.get("version"),
                data=data,
            )
        except StaleEditError:
            form.add_error(
                None,
                _(
                    "Not saved: someone else changed this referral after you opened it. "
                    "Check its status below and try again."
                ),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Referral %(number)s saved.") % {"number": referral.number})
            if action == "transfer" and granted.side == access.AGENCY:
                return redirect("referrals:inbox")
            return redirect("referrals:detail", pk=referral.pk)
    granted = access.referral_for_user(user=request.user, pk=pk)
    return _render_detail(request, granted, _action_forms(granted, {action: form}), status=400)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def letter(request, pk: int):
    """The referral letter the person carries to the agency (a Thai PDF with a QR code)."""
    granted = access.referral_for_user(user=request.user, pk=pk)
    referral = granted.referral
    pdf = printing.letter_pdf(actor=request.user, referral=referral)
    return _pdf_response(pdf, f"referral-{referral.number}.pdf")


@login_required
def household_card(request, pk: int):
    """The household card: its level and development plan with its referrals (a Thai PDF)."""
    household = access.household_for_plan(user=request.user, pk=pk)
    pdf = printing.card_pdf(actor=request.user, household=household)
    return _pdf_response(pdf, f"household-{household.code}.pdf")


@login_required
def new(request, household_pk: int, person_pk: int, service_code: str):
    """Refer a member of a household to a service: note, consent, then draft or send."""
    household = access.household_for_referral(user=request.user, pk=household_pk)
    membership = get_object_or_404(
        Membership.objects.select_related("person"),
        household=household,
        person_id=person_pk,
        end_date__isnull=True,
    )
    person = membership.person
    service = get_object_or_404(Service.objects.select_related("provider"), code=service_code)
    intervention = None
    if request.GET.get("intervention"):
        intervention = get_object_or_404(
            PlanIntervention, pk=request.GET["intervention"], plan__household=household
        )
    evaluation = next(
        (
            e
            for e in evaluate_for_household(household=household)
            if e.service.pk == service.pk and e.person.pk == person.pk
        ),
        None,
    )
    if evaluation is not None and evaluation.error and not access.can_edit_catalogue(request.user):
        evaluation = None
    try:
        organisation = services.receiving_organisation(service=service, household=household)
    except ValidationError as e:
        organisation, problem = None, e.messages[0]
    else:
        problem = ""
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=Action.VIEW,
            obj=person,
            label=f"{person.full_name} → {service.code}",
        )
    form = ReferralForm(request.POST or None, initial={"consent_by": person.full_name})
    if request.method == "POST" and form.is_valid() and organisation is not None:
        data = form.cleaned_data
        sending = request.POST.get("submit") == "send"
        try:
            # Sending creates the draft and sends it in one go: if sending is refused (no
            # consent, no reason), nothing is kept; a draft is saved only when asked for.
            with transaction.atomic():
                referral = services.referral_create(
                    actor=request.user,
                    household=household,
                    person=person,
                    service=service,
                    note=data["note"],
                    consent_given=data["consent_given"],
                    consent_by=data["consent_by"],
                    intervention=intervention,
                )
                if sending:
                    services.referral_send(
                        actor=request.user,
                        referral=referral,
                        override_reason=data["override_reason"],
                    )
        except ValidationError as e:
            add_service_errors(form, e)
            if sending:
                reason = " ".join(e.messages)
                messages.error(request, _("Not sent: %(reason)s") % {"reason": reason})
        else:
            if sending:
                messages.success(
                    request,
                    _("Referral %(number)s sent to %(organisation)s.")
                    % {"number": referral.number, "organisation": organisation},
                )
            else:
                messages.success(request, _("Draft saved."))
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/new.html",
        {
            "household": household,
            "person": person,
            "service": service,
            "organisation": organisation,
            "problem": problem,
            "evaluation": evaluation,
            "form": form,
            "consent_purpose": CONSENT_PURPOSE,
            "intervention": intervention,
        },
        status=400 if request.method == "POST" else 200,
    )


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
    english = translation.get_language() == "en"
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
        except StaleEditError:
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


# Catalogue ------------------------------------------------------------------------------------


@login_required
def catalogue(request):
    """Agencies and their services: public information, open to every signed-in role."""
    rows = Service.objects.select_related("provider").prefetch_related("rules")
    today = timezone.localdate()
    return render(
        request,
        "referrals/catalogue.html",
        {
            "services": [(s, s.rule_on(today)) for s in rows],
            "can_edit": access.can_edit_catalogue(request.user),
        },
    )


@login_required
def service_detail(request, code: str):
    service = get_object_or_404(Service.objects.select_related("provider"), code=code)
    today = timezone.localdate()
    return render(
        request,
        "referrals/service.html",
        {
            "service": service,
            "rules": _rule_history(service),
            "current": service.rule_on(today),
            "opening": service.opening(today),
            "can_edit": access.can_edit_catalogue(request.user),
        },
    )


def _rule_history(service: Service) -> list:
    """Every version, newest first, each with the last day it is in force (the day before
    the next version; None: open-ended) — replaced versions too, marked as such."""
    versions = list(service.rules.select_related("replaced_by", "created_by"))
    kept = sorted((r for r in versions if r.replaced_at is None), key=lambda r: r.effective_from)
    for rule, following in zip(kept, [*kept[1:], None], strict=True):
        rule.until = following.effective_from - dt.timedelta(days=1) if following else None
    for rule in versions:
        if rule.replaced_at is not None:
            rule.until = None
    return versions


@login_required
def service_edit(request, code: str):
    access.require_catalogue_editor(request.user)
    service = get_object_or_404(Service, code=code)
    form = ServiceForm(request.POST or None, instance=Service.objects.get(pk=service.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(actor=request.user, service=service, data=form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Service saved."))
            return redirect("referrals:service", code=code)
    return render(request, "referrals/service_edit.html", {"service": service, "form": form})


@login_required
def rule_add(request, code: str):
    access.require_catalogue_editor(request.user)
    service = get_object_or_404(Service, code=code)
    current = service.rule_on(timezone.localdate())
    initial = {"effective_from": timezone.localdate()}
    if current:
        initial |= {
            "eligibility": current.eligibility,
            "amount": current.amount,
            "note": current.note,
            "is_confirmed": current.is_confirmed,
            "source": current.source,
        }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_rule_add(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("New rule version saved."))
            return redirect("referrals:service", code=code)
    return render(
        request,
        "referrals/rule_form.html",
        {
            "service": service,
            "form": form,
            "current": current,
            "facts": [(name, f.label, rules.TYPE_NAMES[f.type]) for name, f in FACTS.items()],
        },
    )


# Reports and notifications --------------------------------------------------------------------


@login_required
def reports(request):
    if not (scope_for(request.user).can(VIEW_COUNTS) or selectors.is_agency(request.user)):
        raise Http404("No reports for this role")
    form = ReportFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    report = selectors.report_shown(
        selectors.referral_report(
            referrals=selectors.referrals_reportable(user=request.user),
            date_from=date_from,
            date_to=date_to,
        ),
        exact=selectors.report_exact(user=request.user),
    )
    return render(
        request,
        "referrals/reports.html",
        {"report": report, "form": form},
    )


@login_required
def notifications(request):
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        return redirect("referrals:notifications")
    notices = request.user.notifications.select_related("referral__service")[:200]
    return render(request, "referrals/notifications.html", {"notices": notices})
