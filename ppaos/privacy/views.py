"""Data-subject pages for admins and coordinators (scoped; anything else answers 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.forms import add_service_errors
from ppaos.lib.i18n import Deferred
from ppaos.privacy import access, export, services
from ppaos.privacy.forms import (
    AnonymiseForm,
    CloseRequestForm,
    ConsentForm,
    HoldForm,
    RequestForm,
)
from ppaos.privacy.hooks import erasure_blocked_by
from ppaos.privacy.models import Anonymisation, DataSubjectRequest, LegalHold


@login_required
def index(request):
    """Open requests in the user's area, the closest deadline first; active legal holds."""
    people = access.people_in_scope(request.user)
    open_requests = DataSubjectRequest.objects.filter(
        person__in=people, status=DataSubjectRequest.Status.OPEN
    ).select_related("person")
    holds = LegalHold.objects.filter(person__in=people, released_at__isnull=True).select_related(
        "person"
    )
    return render(
        request,
        "privacy/index.html",
        {"open_requests": open_requests, "holds": holds, "now": timezone.now()},
    )


FORMS = {
    "consent": (ConsentForm, "consent"),
    "request": (RequestForm, "request"),
    "hold": (HoldForm, "hold"),
    "erase": (AnonymiseForm, "erase"),
}


@never_cache
@login_required
def person_detail(request, pk: int):
    person = access.person_for_privacy(user=request.user, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {}
    for name, (form_class, prefix) in FORMS.items():
        data = request.POST if action == name else None
        extra = {"person": person} if form_class is AnonymiseForm else {}
        forms[name] = form_class(data, prefix=prefix, **extra)
    if action in forms and forms[action].is_valid():
        form = forms[action]
        try:
            if action == "consent":
                services.consent_record(actor=request.user, person=person, **form.service_kwargs())
                messages.success(request, _("Consent record saved."))
            elif action == "request":
                services.request_open(actor=request.user, person=person, **form.service_kwargs())
                messages.success(request, _("Request logged; it is due in 30 days."))
            elif action == "hold":
                services.hold_place(
                    actor=request.user, person=person, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Legal hold placed."))
            elif action == "erase":
                services.person_anonymise(
                    actor=request.user, person=person, request=form.cleaned_data["request"]
                )
                messages.success(request, _("Identifying data erased; counts are kept."))
        except services.ErasureRefused as e:
            form.add_error(None, _("Erasure refused: the data must be kept for now."))
            for reason in e.reasons:
                form.add_error(None, reason)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            return redirect("privacy:person", pk=person.pk)
    if request.method == "GET":
        audit_record(actor=request.user, action=Action.VIEW, obj=person)
    stays = person.memberships.select_related("household__community").order_by("start_date")
    return render(
        request,
        "privacy/person.html",
        {
            "person": person,
            "stays": stays,
            "anonymisation": Anonymisation.objects.filter(person=person).first(),
            "consents": person.consents.select_related("collector"),
            "requests": person.privacy_requests.all(),
            "holds": person.legal_holds.all(),
            "blockers": erasure_blocked_by(person),
            "forms": forms,
            "close_form": CloseRequestForm(),
        },
    )


def _end_and_return(request, end, *, done: str, person_id: int) -> HttpResponse:
    """Run `end` (a service ending a record); show its refusal or `done`; back to the person."""
    try:
        end()
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, done)
    return redirect("privacy:person", pk=person_id)


@login_required
@require_POST
def consent_withdraw(request, pk: int):
    consent = access.consent_for_privacy(user=request.user, pk=pk)
    return _end_and_return(
        request,
        lambda: services.consent_withdraw(actor=request.user, consent=consent),
        done=_("Consent withdrawn."),
        person_id=consent.person_id,
    )


@login_required
@require_POST
def request_close(request, pk: int):
    dsr = access.request_for_privacy(user=request.user, pk=pk)
    form = CloseRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_close(actor=request.user, request=dsr, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Request closed."))
    else:
        messages.error(request, _("Choose how to close the request."))
    return redirect("privacy:person", pk=dsr.person_id)


@login_required
@require_POST
def hold_release(request, pk: int):
    hold = access.hold_for_privacy(user=request.user, pk=pk)
    return _end_and_return(
        request,
        lambda: services.hold_release(actor=request.user, hold=hold),
        done=_("Legal hold released."),
        person_id=hold.person_id,
    )


def _export(request, pk: int, fmt: str) -> HttpResponse:
    person = access.person_for_privacy(user=request.user, pk=pk)
    record = export.person_record(person, actor=request.user)
    if fmt == "pdf":
        body, content_type = export.as_pdf(record, person=person), "application/pdf"
    else:
        body, content_type = export.as_json(record), "application/json; charset=utf-8"
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=person,
        label=Deferred(
            gettext_noop("person %(person)s: access copy (%(format)s)"),
            person=person.pk,
            format=fmt.upper(),
        ),
        changes={"format": [None, fmt]},
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ppaos-person-{pk}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_json(request, pk: int):
    return _export(request, pk, "json")


@login_required
def export_pdf(request, pk: int):
    return _export(request, pk, "pdf")
