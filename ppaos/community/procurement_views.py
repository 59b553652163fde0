"""Pages of a fund run by district procurement: the community's request, the district's
purchase and delivery, the community's confirmation of receipt; the district's queue of
requests; and the per-province fund rule. Thin: access checks, forms, services, templates.
Who may take which step is decided in `procurement` (the services); a step the user may not
take is not offered, and posting it anyway answers 404 like anything out of scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import REVIEW_CORRECTIONS
from ppaos.areas.models import Province
from ppaos.community import access, forms, procurement
from ppaos.community.models import ProcurementStatus, ProposalStatus
from ppaos.community.programme import FundMode
from ppaos.community.selectors import (
    acts_for_community,
    acts_for_district,
    fund_rule,
    fund_rule_provinces,
    procurements_waiting_for_district,
)
from ppaos.lib.forms import add_service_errors
from ppaos.lib.versioning import StaleEditError


@login_required
def procurement_new(request, pk: int):
    """The community asks the district office for the items of an approved proposal."""
    proposal = access.proposal_for_user(user=request.user, pk=pk)
    year = proposal.fund_year
    if (
        year.mode != FundMode.PROCUREMENT
        or proposal.status != ProposalStatus.APPROVED
        or hasattr(proposal, "procurement")
        or not acts_for_community(user=request.user, community=year.community)
    ):
        raise Http404("No request to make here")
    form = forms.ProcurementRequestForm(
        request.POST or None,
        initial={
            "items": proposal.purpose,
            "amount_requested": proposal.decision.approved_amount,
            "requested_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = procurement.procurement_request(
                actor=request.user, proposal=proposal, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Request sent to the district office."))
            return redirect("community:procurement", pk=made.pk)
    return render(
        request,
        "community/fund_form.html",
        {
            "year": year,
            "proposal": proposal,
            "form": form,
            "title": _("Request the items from the district office"),
            "form_id": "request-form",
        },
    )


# The next step of each status: (form, service, which side takes it, success message).
STEPS = {
    ProcurementStatus.REQUESTED: (
        forms.PurchaseForm,
        procurement.procurement_purchase,
        acts_for_district,
        lambda: _("Purchase recorded."),
    ),
    ProcurementStatus.PROCURED: (
        forms.DeliveryForm,
        procurement.procurement_deliver,
        acts_for_district,
        lambda: _("Delivery recorded."),
    ),
    ProcurementStatus.DELIVERED: (
        forms.ReceiptForm,
        procurement.procurement_confirm,
        acts_for_community,
        lambda: _("Receipt confirmed."),
    ),
}


@login_required
def procurement_detail(request, pk: int):
    """A request, its steps with who took them and when, and the next step for the side whose
    turn it is."""
    item = access.procurement_for_user(user=request.user, pk=pk)
    community = item.proposal.fund_year.community
    step = STEPS.get(item.status)
    form = None
    if step and step[2](user=request.user, community=community):
        form_class, service, _side, done = step
        form = form_class(
            request.POST or None,
            initial={"version": item.version, **_initial(item)},
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                service(actor=request.user, procurement=item, expected_version=version, **data)
            except PermissionDenied:
                raise Http404("Not this user's step") from None
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done())
                return redirect("community:procurement", pk=item.pk)
    elif request.method == "POST":
        raise Http404("Not this user's step")
    return render(
        request,
        "community/procurement.html",
        {
            "item": item,
            "year": item.proposal.fund_year,
            "community": community,
            "events": item.events.select_related("actor"),
            "form": form,
            "statuses": ProcurementStatus,
        },
    )


def _initial(item) -> dict:
    today = timezone.localdate()
    if item.status == ProcurementStatus.REQUESTED:
        return {"procured_on": today, "amount": item.amount_requested}
    if item.status == ProcurementStatus.PROCURED:
        return {"delivered_on": today, "delivery_note": item.items}
    return {"received_on": today, "complete": "1"}


@login_required
def procurement_queue(request):
    """Requests from the communities of the user's district-office area that wait for the
    district office: to be bought, or to be delivered."""
    require_capability(request.user, REVIEW_CORRECTIONS)
    rows = procurements_waiting_for_district(user=request.user)
    return render(request, "community/procurement_queue.html", {"rows": rows})


@login_required
def fund_rules(request):
    """How each province the user administers runs its community funds."""
    provinces = fund_rule_provinces(user=request.user)
    if not provinces:
        raise Http404("Not available for this role")
    rows = [(p, fund_rule(province_code=p.code)) for p in provinces]
    return render(request, "community/fund_rules.html", {"rows": rows})


@login_required
def fund_rule_edit(request, code: str):
    """Set a province's fund mode, budget and source (from the next fund year opened)."""
    province = get_object_or_404(Province, code=code)
    if province not in fund_rule_provinces(user=request.user):
        raise Http404("Province outside scope")
    rule = fund_rule(province_code=code)
    form = forms.FundRuleForm(request.POST or None, initial=_rule_initial(rule))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            procurement.fund_rule_set(
                actor=request.user, province=province, expected_version=version, **data
            )
        except StaleEditError as error:
            rule = fund_rule(province_code=code)
            form.merge_stale(error, initial=_rule_initial(rule))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Fund rule saved."))
            return redirect("community:fund_rules")
    return render(
        request,
        "community/fund_rule_edit.html",
        {"province": province, "rule": rule, "form": form},
    )


def _rule_initial(rule) -> dict:
    return {
        "mode": rule.mode,
        "budget": rule.row.budget if rule.row else None,
        "source": rule.source,
        "version": rule.row.version if rule.row else None,
    }
