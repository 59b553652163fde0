"""A referral: its page, the actions on it, its letter and a new referral."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.versioning import StaleEditError
from ppaos.referrals import access, printing, services
from ppaos.referrals.eligibility import evaluate_for_household
from ppaos.referrals.forms import (
    CONSENT_PURPOSE,
    CommentForm,
    CompleteForm,
    ReasonForm,
    ReferralForm,
    SendForm,
    TransferForm,
    VersionForm,
)
from ppaos.referrals.models import (
    PlanIntervention,
    Referral,
    ReferralEvent,
    Service,
)
from ppaos.registry.models import Membership

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
