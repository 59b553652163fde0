"""Pages for verification: the review queue of disagreements, a decision, the sample draw."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.targeting import access, verification
from ppaos.targeting.forms import ReviewDecisionForm
from ppaos.targeting.services_verification import (
    exclusion_sample_draw,
    verification_review_decide,
)


@login_required
def review_queue(request, pk: int):
    """Visits whose outcome disagrees with the assessed survey, in the user's area."""
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    decided = request.GET.get("decided") == "1"
    checks = verification.review_queue(user=request.user, campaign=campaign, decided=decided)
    audit_record(
        actor=request.user,
        action=Action.VIEW,
        obj=campaign,
        label=Deferred(gettext_noop("verification review queue (%(count)s)"), count=len(checks)),
    )
    return render(
        request,
        "targeting/verification_queue.html",
        {"campaign": campaign, "checks": checks[:500], "total": len(checks), "decided": decided},
    )


@login_required
def review_decide(request, pk: int, visit_pk: int):
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    visit = access.visit_for_manager(user=request.user, pk=visit_pk)
    if visit.campaign_id != campaign.pk:
        raise Http404("Visit of another campaign")
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification_review_decide(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("targeting:verification", pk=campaign.pk)
    (check,) = verification.visit_checks([visit])
    audit_record(actor=request.user, action=Action.VIEW, obj=visit.household)
    return render(
        request,
        "targeting/verification_decide.html",
        {"campaign": campaign, "check": check, "visit": visit, "form": form},
    )


@login_required
@require_POST
def sample_draw(request, pk: int):
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    try:
        sample = exclusion_sample_draw(campaign=campaign, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request,
            _("Random sample drawn: %(n)s of %(N)s households not on the list.")
            % {"n": sample.sample_size, "N": sample.frame_size},
        )
    return redirect("targeting:report", pk=campaign.pk)
