"""Export any list (thin views over `ppaos.exports.services`)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ppaos.exports import access, services, tasks
from ppaos.exports.models import ExportJob
from ppaos.lib import exports as lib


def _pseudonymised(request) -> bool:
    return request.GET.get("pseudonymised", "") in ("1", "true")


def export_response(request, spec: lib.ExportSpec, fmt: str, params: dict) -> HttpResponse:
    """Small lists are answered at once; large ones become a job and the user is sent to its
    progress page. Shared by the generic URL and lists that keep their own URLs."""
    prepared = services.export_prepare(
        user=request.user,
        spec=spec,
        params=params,
        fmt=fmt,
        pseudonymised=_pseudonymised(request),
    )
    if prepared.is_large:
        job = services.export_job_create(actor=request.user, prepared=prepared)
        tasks.run_export_job.enqueue(job.pk)
        return redirect("exports:job", pk=job.pk)
    body = lib.render_bytes(fmt, prepared.lines(), spec.filename(params))
    services.export_audit_small(actor=request.user, prepared=prepared)
    response = HttpResponse(body, content_type=lib.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_list(request, name: str, fmt: str):
    spec = lib.get_spec(name)
    return export_response(request, spec, fmt, lib.clean_params(spec, request.GET))


@login_required
@require_GET
def job_detail(request, pk: int):
    job = access.job_for_user(user=request.user, pk=pk)
    template = "exports/_job.html" if request.htmx else "exports/job.html"
    recent = ExportJob.objects.filter(created_by=request.user).exclude(pk=job.pk)[:10]
    return render(request, template, {"job": job, "recent": recent})


@login_required
@require_GET
def job_download(request, pk: int):
    job = access.job_for_user(user=request.user, pk=pk)
    path = services.export_job_file(job=job, actor=request.user)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=lib.CONTENT_TYPES[job.fmt],
    )
    response["Cache-Control"] = "no-store"
    return response
