"""Community pages: the data book (page and PDF), corrections and their review, the community
fund, and the public transparency page. Thin: access checks, forms, services, templates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import LEAD_COMMUNITY, REVIEW_CORRECTIONS, roles_with, scope_for
from ppaos.areas.models import Community
from ppaos.audit.models import Action
from ppaos.audit.services import audit_export, audit_record
from ppaos.community import access, correctable, databook, forms, services
from ppaos.community.models import CorrectionStatus, ProposalStatus
from ppaos.community.programme import fiscal_year_be
from ppaos.community.selectors import (
    acts_for_community,
    acts_for_district,
    can_review,
    corrections_to_review,
    corrections_visible,
    fund_communities,
    fund_ledger,
    fund_rule,
    fund_rule_provinces,
    fund_years_public,
    procurements_waiting_for_district,
)
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.lib.pdf import font_urls, html_to_pdf
from ppaos.lib.versioning import StaleEditError
from ppaos.registry.access import household_for_user
from ppaos.registry.selectors import household_list, household_members

# ---------------------------------------------------------------------------------------------
# Data book
# ---------------------------------------------------------------------------------------------


def _book(request, pk: int):
    community = access.community_countable(user=request.user, pk=pk)
    exact = access.sees_people(user=request.user, community=community)
    if request.GET.get("suppressed") == "1":
        exact = False
    book = databook.build(community=community, exact=exact, round_name=request.GET.get("round"))
    return community, book


def _links(user, community: Community) -> dict:
    scope = scope_for(user)
    return {
        "can_correct": access.sees_people(user=user, community=community),
        "can_fund": fund_communities(user=user).filter(pk=community.pk).exists(),
        "can_review": scope.area(REVIEW_CORRECTIONS).contains_community(community),
    }


@login_required
def databook_page(request, pk: int):
    """The community's own picture; exact for its registry roles, suppressed for others."""
    community, book = _book(request, pk)
    context = {"community": community, "book": book, **_links(request.user, community)}
    return render(request, "community/databook.html", context)


@login_required
def databook_pdf(request, pk: int):
    """The data book as a printable Thai PDF (Sarabun embedded, charts drawn on the server)."""
    community, book = _book(request, pk)
    html = render_to_string(
        "community/databook_pdf.html",
        {"community": community, "book": book, "fonts": font_urls()},
        request=request,
    )
    pdf = html_to_pdf(html)
    audit_export(
        actor=request.user,
        description=Deferred(
            gettext_noop("data book of community %(community)s, round %(round)s (%(form)s), PDF"),
            community=community.code,
            round=book.round_name or "-",
            form=Deferred(gettext_noop("exact") if book.exact else gettext_noop("suppressed")),
        ),
        row_count=1,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "" if book.exact else "-public"
    response["Content-Disposition"] = (
        f'attachment; filename="databook-{community.code}{suffix}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


def public_page(request, pk: int):
    """The community's transparency page: suppressed aggregates and the use of its fund, for
    anyone, signed in or not. No names of people anywhere."""
    community = get_object_or_404(Community.objects.select_related("subdistrict__district"), pk=pk)
    book = databook.build(community=community, exact=False, round_name=request.GET.get("round"))
    context = {
        "community": community,
        "book": book,
        "ledgers": fund_years_public(community=community),
    }
    return render(request, "community/public.html", context)


# ---------------------------------------------------------------------------------------------
# "My community" shortcuts for community leaders
# ---------------------------------------------------------------------------------------------


def _my_community(user) -> Community:
    community = (
        Community.objects.filter(
            pk__in=user.role_assignments.filter(
                role__in=roles_with(LEAD_COMMUNITY), community__isnull=False
            ).values("community_id")
        )
        .order_by("code")
        .first()
    )
    if community is None:
        raise Http404("Not a community leader")
    return community


@login_required
def my_databook(request):
    return redirect("community:databook", pk=_my_community(request.user).pk)


@login_required
def my_fund(request):
    return redirect("community:fund", pk=_my_community(request.user).pk)


@login_required
def my_corrections(request):
    return redirect("community:corrections", pk=_my_community(request.user).pk)


# ---------------------------------------------------------------------------------------------
# Corrections
# ---------------------------------------------------------------------------------------------


@login_required
def corrections(request, pk: int):
    """The community's corrections (waiting first, then the history) and its households to
    propose a new one for."""
    community = access.community_with_people(user=request.user, pk=pk)
    rows = corrections_visible(user=request.user).filter(community=community)
    pending = rows.filter(status=CorrectionStatus.PENDING).order_by("proposed_at", "id")
    done = rows.exclude(status=CorrectionStatus.PENDING).order_by("-reviewed_at", "-id")[:100]
    households = household_list(user=request.user).filter(community=community)
    query = request.GET.get("q", "").strip()
    if query:
        households = households.filter(code__icontains=query) | households.filter(
            house_no__icontains=query
        )
    page = Paginator(households.order_by("code"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/corrections.html",
        {"community": community, "pending": pending, "done": done, "page": page, "query": query},
    )


def _record_rows(target) -> list[tuple[str, str, str]]:
    """(field, label, value now) of every field a community may correct."""
    return [
        (
            name,
            correctable.label(target, name),
            correctable.display(target, name, getattr(target, name)),
        )
        for name in correctable.fields_for(target)
    ]


@login_required
def correction_household(request, pk: int):
    """A household's correctable fields and its members', each with the value now."""
    household = household_for_user(user=request.user, pk=pk)
    members = household_members(household=household)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=household,
        label=Deferred(gettext_noop("%(household)s · corrections"), household=household.code),
    )
    return render(
        request,
        "community/correction_household.html",
        {
            "household": household,
            "household_rows": _record_rows(household),
            "members": [(m, _record_rows(m.person)) for m in members],
            "pending": corrections_visible(user=request.user).filter(
                household=household, status=CorrectionStatus.PENDING
            ),
        },
    )


def _propose(request, form, propose, sent: str) -> HttpResponse | None:
    """On a valid POST, `propose(cleaned_data)` a correction: then its page, saying `sent`
    (with its number). None to show the form again, with the service's refusal on it."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        correction = propose(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, sent % {"number": correction.number})
    return redirect("community:correction", pk=correction.pk)


@login_required
def correction_new(request, pk: int):
    """Propose a new value for one field (`?target=household|<person id>&field=...`)."""
    household = household_for_user(user=request.user, pk=pk)
    target_key = request.GET.get("target", "household")
    person = None
    if target_key != "household":
        membership = next(
            (m for m in household_members(household=household) if str(m.person_id) == target_key),
            None,
        )
        if membership is None:
            raise Http404("Not a current member")
        person = membership.person
    target = person or household
    field = request.GET.get("field", "")
    if field not in correctable.fields_for(target):
        raise Http404("Field not correctable")
    form = forms.CorrectionForm(request.POST or None, target=target, field=field)
    sent = _propose(
        request,
        form,
        lambda data: services.correction_propose(
            actor=request.user,
            household=household,
            person=person,
            field=field,
            value=data["value"],
            reason=data["reason"],
        ),
        _("Correction %(number)s sent for review."),
    )
    if sent:
        return sent
    return render(
        request,
        "community/correction_new.html",
        {
            "household": household,
            "person": person,
            "field_label": correctable.label(target, field),
            "value_now": correctable.display(target, field, getattr(target, field)),
            "form": form,
        },
    )


@login_required
def life_event_new(request, pk: int):
    """Report a death or a move-out of a current member (`?person=<id>&kind=...` preselect)."""
    household = household_for_user(user=request.user, pk=pk)
    members = list(household_members(household=household))
    initial = {"person": request.GET.get("person", ""), "kind": request.GET.get("kind", "")}
    form = forms.LifeEventForm(request.POST or None, members=members, initial=initial)
    sent = _propose(
        request,
        form,
        lambda data: services.life_event_propose(
            actor=request.user,
            household=household,
            person=next(m.person for m in members if str(m.person_id) == data["person"]),
            kind=data["kind"],
            date=data["date"],
            reason=data["reason"],
        ),
        _("Report %(number)s sent for review."),
    )
    if sent:
        return sent
    return render(request, "community/life_event_new.html", {"household": household, "form": form})


@login_required
def new_household_new(request, pk: int):
    """Report a household that is not in the registry yet, with its head."""
    community = access.community_with_people(user=request.user, pk=pk)
    form = forms.NewHouseholdForm(request.POST or None)
    sent = _propose(
        request,
        form,
        lambda data: services.new_household_propose(
            actor=request.user,
            community=community,
            household_data={k: v for k, v in data.items() if not k.startswith("head_")},
            head_data={k[5:]: v for k, v in data.items() if k.startswith("head_")},
            reason=data["reason"],
        ),
        _("Report %(number)s sent for review."),
    )
    if sent:
        return sent
    return render(
        request, "community/new_household_new.html", {"community": community, "form": form}
    )


@login_required
def correction_detail(request, pk: int):
    """A correction, its history, and for a reviewer the decision (with any conflict shown)."""
    correction = access.correction_for_user(user=request.user, pk=pk)
    reviewer = can_review(user=request.user, correction=correction)
    target = correction.target
    if target is not None:
        target.refresh_from_db()
    # A life event has no field to conflict on: its rules are checked when it is applied.
    conflict = (
        correction.is_pending
        and not correction.is_event
        and target.version != correction.base_version
    )
    form = None
    if reviewer:
        form = forms.ReviewForm(
            request.POST or None,
            initial={
                "version": correction.version,
                "record_version": target.version if conflict else None,
            },
        )
        if request.method == "POST" and form.is_valid():
            if _review(request, form, correction):
                return redirect("community:correction", pk=correction.pk)
            if not correction.is_event:
                target.refresh_from_db()
                conflict = target.version != correction.base_version
    elif request.method == "POST":
        raise Http404("Not a reviewer of this correction")
    audit_record(actor=request.user, action=Action.VIEW, obj=correction, label=correction.label)
    services.notices_mark_read(user=request.user, correction=correction)
    if correction.is_event:
        field_label, value_now = correction.get_kind_display(), ""
    else:
        field_label = correctable.label(target, correction.field)
        value_now = correctable.display(target, correction.field, getattr(target, correction.field))
    return render(
        request,
        "community/correction_detail.html",
        {
            "correction": correction,
            "field_label": field_label,
            "value_now": value_now,
            "conflict": conflict,
            "target": target,
            "events": correction.events.select_related("actor"),
            "form": form,
            "is_proposer": correction.proposed_by_id == request.user.pk,
        },
    )


def _review(request, form, correction) -> bool:
    """Apply the reviewer's decision; False when it could not be (errors are on the form)."""
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            services.correction_accept(
                actor=request.user,
                correction=correction,
                expected_version=data["version"],
                record_version=data.get("record_version"),
                note=data.get("note") or "",
            )
            messages.success(request, _("Correction accepted and applied to the registry."))
        else:
            services.correction_reject(
                actor=request.user,
                correction=correction,
                expected_version=data["version"],
                note=data.get("note") or "",
            )
            messages.success(request, _("Correction rejected."))
    except services.CorrectionConflict:
        correction.refresh_from_db()
        form.add_error(
            None,
            _(
                "Not applied: the record was changed after this correction was proposed. Compare "
                "the values below, then apply it over the record as it is now, or reject it."
            ),
        )
        return False
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@login_required
def review_queue(request):
    """Corrections waiting for this reviewer (district officers and coordinators)."""
    require_capability(request.user, REVIEW_CORRECTIONS)
    queue = corrections_to_review(user=request.user)
    page = Paginator(queue, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "community/review_queue.html", {"page": page})


# ---------------------------------------------------------------------------------------------
# Community fund
# ---------------------------------------------------------------------------------------------


def _can_set_budget(user, community: Community) -> bool:
    return acts_for_district(user=user, community=community)


@login_required
def fund_home(request):
    """The communities whose fund the user records."""
    communities = fund_communities(user=request.user)
    if not communities.exists():
        raise Http404("No community fund for this role")
    if communities.count() == 1:
        return redirect("community:fund", pk=communities.get().pk)
    page = Paginator(communities.order_by("code"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    waiting = procurements_waiting_for_district(user=request.user)
    return render(
        request,
        "community/fund_home.html",
        {
            "page": page,
            "waiting": waiting.count(),
            "district_office": scope_for(request.user).can(REVIEW_CORRECTIONS),
            "sets_rules": bool(fund_rule_provinces(user=request.user)),
        },
    )


@login_required
def fund(request, pk: int):
    """The community's fund years, and opening a new one."""
    community = access.community_for_fund(user=request.user, pk=pk)
    can_set_budget = _can_set_budget(request.user, community)
    years = list(community.fund_years.order_by("-year_be"))
    rule = fund_rule(province_code=community.subdistrict_id[:2])
    form = forms.FundYearForm(
        request.POST or None,
        can_set_budget=can_set_budget,
        initial={"year_be": fiscal_year_be(timezone.localdate()), "budget": rule.budget},
    )
    if request.method == "POST" and form.is_valid():
        try:
            fund_year = services.fund_year_open(
                actor=request.user,
                community=community,
                year_be=form.cleaned_data["year_be"],
                budget=form.cleaned_data.get("budget"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("community:fund_year", pk=fund_year.pk)
    return render(
        request,
        "community/fund.html",
        {
            "community": community,
            "ledgers": [fund_ledger(fund_year=y) for y in years],
            "form": form,
            "default_budget": rule.budget,
            "rule": rule,
            "can_set_budget": can_set_budget,
        },
    )


@login_required
def fund_year(request, pk: int):
    """One year's ledger: budget, approved, spent, balance; proposals and expenditures."""
    year = access.fund_year_for_user(user=request.user, pk=pk)
    can_set_budget = _can_set_budget(request.user, year.community)
    budget_form = None
    if can_set_budget:
        budget_form = forms.BudgetForm(
            request.POST or None, initial={"budget": year.budget, "version": year.version}
        )
        if request.method == "POST" and budget_form.is_valid():
            try:
                services.fund_year_set_budget(
                    actor=request.user,
                    fund_year=year,
                    expected_version=budget_form.cleaned_data["version"],
                    budget=budget_form.cleaned_data["budget"],
                )
            except StaleEditError as error:
                budget_form.merge_stale(error, initial={"budget": error.current.budget})
                year = error.current
            except ValidationError as error:
                add_service_errors(budget_form, error)
            else:
                messages.success(request, _("Budget changed."))
                return redirect("community:fund_year", pk=year.pk)
    elif request.method == "POST":
        raise Http404("Only district officers set budgets")
    return render(
        request,
        "community/fund_year.html",
        {
            "year": year,
            "community": year.community,
            "ledger": fund_ledger(fund_year=year),
            "budget_form": budget_form,
            "community_side": acts_for_community(user=request.user, community=year.community),
        },
    )


def _fund_form(request, form, save, *, done: str, year, **context) -> HttpResponse:
    """A fund form page: a valid POST runs `save(**cleaned_data)`, says `done` and goes back to
    the fund year; the service's refusal shows on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("community:fund_year", pk=year.pk)
    return render(request, "community/fund_form.html", {"year": year, "form": form, **context})


@login_required
def proposal_new(request, pk: int):
    year = access.fund_year_for_user(user=request.user, pk=pk)
    form = forms.ProposalForm(request.POST or None)
    return _fund_form(
        request,
        form,
        lambda **data: services.proposal_create(actor=request.user, fund_year=year, **data),
        done=_("Proposal recorded."),
        year=year,
        title=_("New proposal"),
        form_id="proposal-form",
    )


@login_required
def decision_new(request, pk: int):
    proposal = access.proposal_for_user(user=request.user, pk=pk)
    if proposal.status != ProposalStatus.PROPOSED:
        raise Http404("Already decided")
    form = forms.DecisionForm(
        request.POST or None, initial={"approved_amount": proposal.amount_requested}
    )
    return _fund_form(
        request,
        form,
        lambda **data: services.decision_record(actor=request.user, proposal=proposal, **data),
        done=_("The community's decision is recorded."),
        year=proposal.fund_year,
        proposal=proposal,
        title=_("The community's decision"),
        form_id="decision-form",
    )


@login_required
def expenditure_new(request, pk: int):
    proposal = access.proposal_for_user(user=request.user, pk=pk)
    if proposal.status != ProposalStatus.APPROVED or proposal.fund_year.is_procurement:
        raise Http404("Not approved, or bought by the district office")
    form = forms.ExpenditureForm(request.POST or None, request.FILES or None)
    return _fund_form(
        request,
        form,
        lambda **data: services.expenditure_record(actor=request.user, proposal=proposal, **data),
        done=_("Expenditure recorded."),
        year=proposal.fund_year,
        proposal=proposal,
        title=_("Record an expenditure"),
        form_id="expenditure-form",
        multipart=True,
    )


@login_required
def receipt(request, pk: int):
    """The receipt file, for those who record the fund; every download audited."""
    expenditure = access.expenditure_for_user(user=request.user, pk=pk)
    if not expenditure.receipt:
        raise Http404("No receipt")
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=expenditure,
        label=Deferred(gettext_noop("receipt %(number)s"), number=expenditure.pk),
    )
    name = expenditure.receipt.name.rsplit("/", 1)[-1]
    response = FileResponse(expenditure.receipt.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
