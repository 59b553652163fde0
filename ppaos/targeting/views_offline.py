"""Offline collection: the campaign's XLSForm for ODK/Kobo, and importing their exports."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.services import audit_export
from ppaos.lib.i18n import Deferred
from ppaos.targeting import access, services, submissions, tasks, xlsform
from ppaos.targeting.models import Job

MAX_SUBMISSIONS_FILE = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SubmissionsForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("export file (.csv or .json)"))
    source = forms.ChoiceField(
        label=gettext_lazy("exported from"),
        choices=[
            ("", gettext_lazy("detect")),
            ("odk", "ODK Central"),
            ("kobo", "KoboToolbox"),
        ],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(submissions.EXTENSIONS):
            raise ValidationError(_("Use a .csv or .json export."))
        if upload.size > MAX_SUBMISSIONS_FILE:
            raise ValidationError(_("The file is larger than 20 MB: export fewer submissions."))
        return upload


@login_required
def xlsform_download(request, pk: int):
    """Managers get the part of the campaign in their area; volunteers their communities."""
    user = request.user
    try:
        campaign = access.campaign_for_manager(user=user, pk=pk)
    except Http404:
        campaign = access.campaign_for_volunteer(user=user, pk=pk)
        area = scope_for(user).area(VIEW_PEOPLE)  # as the worklist: assigned and still visible
        scope = xlsform.campaign_scope(campaign=campaign, area=area, volunteer=user)
        back = redirect("targeting:worklist", pk=campaign.pk)
    else:
        area = scope_for(user).area(MANAGE_TARGETING)
        scope = xlsform.campaign_scope(campaign=campaign, area=area)
        back = redirect("targeting:campaign", pk=campaign.pk)
    language = "en" if request.GET.get("lang") == "en" else "th"
    try:
        data = xlsform.build_xlsform(
            campaign=campaign,
            indicator_set=indicator_set_active(),
            language=language,
            communities=scope.communities,
            households=scope.households,
            with_members=scope_for(user).can(VIEW_PEOPLE),
        )
    except xlsform.XLSFormError as e:
        messages.error(request, _("The XLSForm cannot be made: %(error)s") % {"error": e})
        return back
    count = scope.households.count()
    audit_export(
        actor=user,
        description=Deferred(
            gettext_noop("XLSForm %(form)s (%(campaign)s): %(count)s households"),
            form=xlsform.form_id(campaign),
            campaign=campaign.name,
            count=count,
        ),
        row_count=count,
    )
    response = HttpResponse(data, content_type=XLSX)
    filename = f"{xlsform.form_id(campaign)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def submissions_upload(request, pk: int):
    """Upload an ODK/Kobo export: it is imported by the task worker, and the job page shows
    progress and then the per-submission report."""
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    form = SubmissionsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.job_create(
            kind=Job.Kind.OFFLINE,
            actor=request.user,
            params={
                "campaign": campaign.pk,
                "source": form.cleaned_data["source"],
                "name": upload.name,
            },
            upload=upload,
        )
        tasks.run_offline_job.enqueue(job.pk)
        return redirect("targeting:job", pk=job.pk)
    return render(request, "targeting/offline.html", {"campaign": campaign, "form": form})
