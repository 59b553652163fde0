"""Offline collection: the campaign's XLSForm for ODK/Kobo, and importing their exports."""

import os
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ppaos.accounts.scope import MANAGE_TARGETING, VIEW_PEOPLE, scope_for
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.services import audit_export
from ppaos.targeting import access, submissions, xlsform

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
        description=f"XLSForm {xlsform.form_id(campaign)} ({campaign.name}): {count} households",
        row_count=count,
    )
    response = HttpResponse(data, content_type=XLSX)
    filename = f"{xlsform.form_id(campaign)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def submissions_upload(request, pk: int):
    campaign = access.campaign_for_manager(user=request.user, pk=pk)
    form = SubmissionsForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / ("upload" + Path(upload.name).suffix.lower())
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                report = submissions.submissions_import(
                    campaign=campaign,
                    path=path,
                    name=upload.name,
                    actor=request.user,
                    source=form.cleaned_data["source"] or None,
                )
            except submissions.SubmissionFileError as e:
                form.add_error("file", str(e))
    return render(
        request,
        "targeting/offline.html",
        {"campaign": campaign, "form": form, "report": report},
    )
