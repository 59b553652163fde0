"""Exports of lists: decide small (streamed now) or large (a background job), write the file,
hand it only to its owner, and audit the request and every download."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import get_language, gettext, gettext_noop, override

from ppaos.audit.services import audit_export
from ppaos.exports import access
from ppaos.exports.models import ExportJob
from ppaos.lib import exports as lib
from ppaos.lib import kanon
from ppaos.lib.exports import ExportSpec
from ppaos.lib.i18n import Deferred

EXPORT_DIR = "exports"


@dataclass
class Prepared:
    """A checked export request: the rows (scoped), how many, and what to call it."""

    spec: ExportSpec
    params: dict
    fmt: str
    pseudonymised: bool
    rows: object
    count: int
    # Set by `lines()` for a pseudonymised list with quasi-identifiers.
    anonymity: kanon.Anonymised | None = None

    @property
    def description(self) -> Deferred:
        return describe(self.spec, self.params, self.fmt, self.pseudonymised)

    @property
    def filename(self) -> str:
        suffix = "-pseudonymised" if self.pseudonymised else ""
        return f"{self.spec.filename(self.params)}{suffix}.{self.fmt}"

    @property
    def is_large(self) -> bool:
        return self.count > settings.EXPORT_SYNC_MAX_ROWS

    def lines(self) -> Iterable[list]:
        lines, self.anonymity = export_lines(
            spec=self.spec, rows=self.rows, pseudonymised=self.pseudonymised
        )
        return lines


def export_lines(
    *, spec: ExportSpec, rows, pseudonymised: bool, progress=None
) -> tuple[Iterable[list], kanon.Anonymised | None]:
    """The table to write. The pseudonymised form of a list that declares quasi-identifiers is
    made k-anonymous on them first (`ppaos.lib.kanon`); the second value says how."""
    if pseudonymised and spec.quasi_identifiers:
        return kanon.export_table(spec, rows, progress=progress)
    return lib.table(spec, rows, pseudonymised, progress=progress), None


# Formats as the audit label names them (translated when the row is read).
FORMAT_NAMES = {"csv": gettext_noop("csv"), "xlsx": gettext_noop("xlsx")}


def describe(spec: ExportSpec, params: dict, fmt: str, pseudonymised: bool) -> Deferred:
    """The audit label: what list, with which filters, in which form. In English:
    'households of community 100801-01 [q=12] (csv, pseudonymised)'."""
    shown = {k: v for k, v in params.items() if k in spec.filters}
    filters = ""
    if shown:
        filters = " [" + ", ".join(f"{k}={v}" for k, v in sorted(shown.items())) + "]"
    form = Deferred(FORMAT_NAMES.get(fmt, fmt))
    if pseudonymised:
        form = Deferred(gettext_noop("%(format)s, pseudonymised"), format=form)
    return Deferred(
        gettext_noop("%(list)s%(filters)s (%(format)s)"),
        list=spec.describe(params),
        filters=filters,
        format=form,
    )


def export_prepare(
    *, user, spec: ExportSpec, params: dict, fmt: str, pseudonymised: bool
) -> Prepared:
    """The rows `user` may export from this list, from the list page's own selector.

    Raises Http404 for an unknown format, a list or object outside the user's scope, and for
    the identified form when the user's role may only have the pseudonymised one."""
    if fmt not in lib.FORMATS:
        raise Http404("Unknown format")
    if not pseudonymised and not spec.may_identify(user, params, default=access.sees_people):
        raise Http404("Only the pseudonymised list for this role")
    rows = spec.rows(user=user, params=params, pseudonymised=pseudonymised)
    return Prepared(spec, params, fmt, pseudonymised, rows, lib.count_rows(rows))


def export_audit_small(*, actor, prepared: Prepared) -> None:
    """A small export, handed over at once: one audit row (with the k-anonymity reached)."""
    anonymity = prepared.anonymity
    audit_export(
        actor=actor,
        description=prepared.description,
        row_count=anonymity.written if anonymity else prepared.count,
        details={"k_anonymity": anonymity.summary()} if anonymity else None,
    )


def export_job_create(*, actor, prepared: Prepared) -> ExportJob:
    """Queue a large export; the request itself is audited now, the download later."""
    export_cleanup()
    job = ExportJob.objects.create(
        created_by=actor,
        spec=prepared.spec.name,
        params=prepared.params,
        fmt=prepared.fmt,
        pseudonymised=prepared.pseudonymised,
        description=str(prepared.description)[:200],
        filename=prepared.filename[:200],
        rows_total=prepared.count,
        language=get_language() or "",
    )
    audit_export(
        actor=actor,
        description=Deferred(
            gettext_noop("requested export %(job)s: %(what)s"),
            job=job.pk,
            what=prepared.description,
        ),
        row_count=prepared.count,
    )
    return job


def export_job_run(*, job: ExportJob) -> ExportJob:
    """Write the job's file (called by the task worker, or inline in tests). The rows are read
    again, as the requester, through the same selector: a scope lost meanwhile is honoured."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    spec = lib.get_spec(job.spec)
    relative = Path(EXPORT_DIR) / f"{job.pk}-{get_random_string(24)}.{job.fmt}"
    target = Path(settings.MEDIA_ROOT) / relative
    try:
        rows = spec.rows(user=job.created_by, params=job.params, pseudonymised=job.pseudonymised)
        if not job.pseudonymised and not spec.may_identify(
            job.created_by, job.params, default=access.sees_people
        ):
            raise Http404("Only the pseudonymised list for this role")
        total = lib.count_rows(rows)
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

        def progress(n: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

        target.parent.mkdir(parents=True, exist_ok=True)
        with override(job.language or settings.LANGUAGE_CODE), target.open("wb") as out:
            lines, anonymity = export_lines(
                spec=spec, rows=rows, pseudonymised=job.pseudonymised, progress=progress
            )
            if job.fmt == lib.CSV:
                lib.write_csv(lines, out)
            else:
                lib.write_xlsx(lines, out, spec.filename(job.params))
        target.chmod(0o600)
    except Http404:
        target.unlink(missing_ok=True)
        with override(job.language or settings.LANGUAGE_CODE):
            return _finish(job, error=gettext("The list is no longer in your scope."))
    except Exception as e:  # the page shows the failure; the worker log has the trace
        target.unlink(missing_ok=True)
        _finish(job, error=f"{type(e).__name__}: {e}")
        raise
    job.file_path = str(relative)
    if anonymity is not None:  # rows dropped for k-anonymity are not rows of the file
        total = anonymity.written
        ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
        audit_export(
            actor=job.created_by,
            description=Deferred(
                gettext_noop("wrote export %(job)s: %(what)s"), job=job.pk, what=job_label(job)
            ),
            row_count=total,
            details={"k_anonymity": anonymity.summary()},
        )
    return _finish(job, rows_done=total)


def _finish(job: ExportJob, *, error: str = "", rows_done: int | None = None) -> ExportJob:
    job.status = ExportJob.Status.FAILED if error else ExportJob.Status.DONE
    job.error = error
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    fields = ["status", "error", "finished_at", "expires_at", "file_path"]
    if rows_done is not None:
        job.rows_done = rows_done
        fields.append("rows_done")
    job.save(update_fields=fields)
    return job


def export_job_file(*, job: ExportJob, actor) -> Path:
    """The finished file, for its owner only (the caller fetched `job` for this user); each
    download is audited."""
    if not job.downloadable:
        raise Http404("Export not ready or expired")
    path = Path(settings.MEDIA_ROOT) / job.file_path
    if not path.is_file():
        raise Http404("Export file missing")
    audit_export(
        actor=actor,
        description=Deferred(
            gettext_noop("downloaded export %(job)s: %(what)s"), job=job.pk, what=job_label(job)
        ),
        row_count=job.rows_done,
    )
    return path


def job_label(job: ExportJob) -> "Deferred | str":
    """What a queued export holds, as its audit label (the stored text if its list is gone)."""
    try:
        spec = lib.get_spec(job.spec)
    except Http404:
        return job.description
    return describe(spec, job.params, job.fmt, job.pseudonymised)


def export_cleanup(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs and forget jobs older than a week. Returns the number
    of files removed."""
    now = now or timezone.now()
    removed = 0
    expired = ExportJob.objects.filter(expires_at__lte=now).exclude(file_path="")
    for job in expired:
        (Path(settings.MEDIA_ROOT) / job.file_path).unlink(missing_ok=True)
        job.file_path = ""
        job.save(update_fields=["file_path"])
        removed += 1
    ExportJob.objects.filter(
        Q(created_at__lt=now - dt.timedelta(days=7)), ~Q(status=ExportJob.Status.RUNNING)
    ).delete()
    return removed
