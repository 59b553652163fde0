"""Writes for targeting: imports, linkage decisions, campaigns and visits."""

import datetime as dt
import json
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.areas.models import Community
from ppaos.assessment.models import SurveyResponse
from ppaos.assessment.services import assessment_run_for_household, survey_record
from ppaos.audit.models import Action
from ppaos.audit.services import audit_event, audit_record
from ppaos.lib import bulk, events, uploads
from ppaos.lib.i18n import Deferred
from ppaos.registry.models import Household
from ppaos.targeting import columns, importing
from ppaos.targeting.models import (
    Campaign,
    CampaignAssignment,
    Job,
    LinkCandidate,
    LinkStatus,
    NameKey,
    Outcome,
    TargetList,
    TargetRecord,
    Visit,
)

# Jobs ---------------------------------------------------------------------------------------


IMPORTS_FOLDER = "imports"


def job_create(*, kind: str, actor, params: dict, upload=None) -> Job:
    """A queued job; its uploaded file is kept under MEDIA_ROOT/imports/ (mode 0600, a random
    name) only until the job has run (`job_run_import` deletes it)."""
    job = Job(kind=kind, created_by=actor, params=params)
    if upload is not None:
        suffix = Path(upload.name).suffix.lower()
        job.file.name = uploads.save_private(upload, folder=IMPORTS_FOLDER, suffix=suffix)
    job.save()
    return job


def job_file_delete(job: Job) -> None:
    """Delete the job's uploaded file: it holds IDs in clear and is not needed again."""
    if job.file.name:
        job.file.storage.delete(job.file.name)
    Job.objects.filter(pk=job.pk).update(file="")
    job.file.name = ""


def import_files_cleanup(*, hours: int | None = None, finished_only: bool = False) -> int:
    """Delete uploaded import files older than IMPORT_FILE_KEEP_HOURS (or `hours`), left
    behind by an import that never ended; with `finished_only`, the files of queued or
    running imports are kept. Returns how many were deleted."""
    keep_hours = settings.IMPORT_FILE_KEEP_HOURS if hours is None else hours
    keep = []
    if finished_only:
        active = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        keep = list(active.exclude(file="").values_list("file", flat=True))
    removed = uploads.remove_stale(
        IMPORTS_FOLDER, older_than=dt.timedelta(hours=keep_hours), keep=keep
    )
    if removed:
        Job.objects.filter(file__in=removed).update(file="")
    return len(removed)


def job_progress(job: Job, done: int, total: int | None = None) -> None:
    """Record how far a running job has got (the job page polls it)."""
    values = {"steps_done": done}
    if total is not None:
        values["steps_total"] = total
    Job.objects.filter(pk=job.pk).update(**values)


def job_finish(job: Job, *, result: dict | None = None, error: str = "") -> None:
    """Mark a job done with its result, or failed with the error the user will read."""
    job.status = Job.Status.FAILED if error else Job.Status.DONE
    job.result = result or {}
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])


# Import ---------------------------------------------------------------------------------------


def target_list_import(
    *,
    path: Path,
    name: str,
    source: str,
    year_be: int,
    mapping: dict | None = None,
    progress=None,
    columns_file: Path | None = None,
    actor=None,
) -> dict:
    """Import a target list file: check every row as it is read and save the good rows, all in
    one transaction (an import stopped half-way saves nothing).

    Re-importing the same file changes nothing (rows are matched by their record key). Every
    column of a row is kept; `columns_file` is a province's own column file (columns.py).
    Returns counts (and `in_registry`: good rows whose national ID the registry holds), the
    rejected rows as [[line, reason], ...] in line order and the columns: which were
    recognised, and the unknown ones (kept with each record, never dropped). The file is
    streamed (`importing`: COPY into a staging table on PostgreSQL). One audit row records
    the run: who (`actor`; none from the command line), which file, and the counts."""
    if not 2400 <= year_be <= 2700:
        raise importing.FileFormatError(f"year {year_be} is not a Buddhist-era year (e.g. 2566)")
    try:
        config = columns.load(columns_file)
    except columns.ColumnConfigError as e:
        raise importing.FileFormatError(str(e)) from None
    checked = importing.check_file(
        path, name=name, mapping=mapping, progress=progress, config=config
    )
    recognised = sorted(checked.columns.get("recognised", {}))
    with transaction.atomic():
        target_list, _created = TargetList.objects.get_or_create(source=source, year_be=year_be)
        stored = importing.records_store(
            target_list=target_list,
            checked=checked,
            column_mapping=config.label,
            extra={"recognised": recognised},
        )
    created, updated, unchanged = stored.created, stored.updated, stored.unchanged
    rejected = len(checked.rejected)
    audit_event(
        actor=actor,
        action=Action.CREATE,
        object_type="targeting.targetlist",
        object_id=str(target_list.pk),
        label=Deferred(
            gettext_noop(
                "import %(name)s: %(created)s new, %(updated)s changed, %(unchanged)s "
                "unchanged, %(rejected)s rejected"
            ),
            name=name,
            created=created,
            updated=updated,
            unchanged=unchanged,
            rejected=rejected,
        ),
        changes={
            "created": created,
            "updated": updated,
            "rejected": rejected,
            "in_registry": stored.in_registry,
        },
    )
    return {
        "target_list": target_list.pk,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "in_registry": stored.in_registry,
        "rejected": [list(r) for r in checked.rejected],
        "columns": checked.columns,
    }


def job_run_import(*, job: Job) -> Job:
    """Run an import job (called by the task worker, or directly in tests)."""
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    try:
        if not job.file.name or not Path(job.file.path).exists():
            raise importing.FileFormatError(
                _("The uploaded file is no longer kept: upload it again.")
            )
        path = Path(job.file.path)
        total = sum(1 for _ in importing.read_rows(path, name=job.file.name))
        job_progress(job, 0, total)
        result = target_list_import(
            path=path,
            name=job.file.name,
            source=job.params["source"],
            year_be=int(job.params["year_be"]),
            mapping=job.params.get("mapping") or None,
            progress=lambda n: job_progress(job, n),
            actor=job.created_by,
        )
        job_progress(job, total)
    except (importing.FileFormatError, ValidationError) as e:
        job_finish(job, error=str(e))
    except Exception as e:  # a failed job must say why, not stay "running" forever
        job_finish(job, error=f"{type(e).__name__}: {e}")
        raise
    else:
        job_finish(job, result=result)
    finally:
        job_file_delete(job)
    job.refresh_from_db()
    return job


# Linkage --------------------------------------------------------------------------------------


def link_bands(probability: float) -> str:
    if probability >= settings.LINK_AUTO_THRESHOLD:
        return LinkStatus.AUTO
    if probability >= settings.LINK_REVIEW_THRESHOLD:
        return LinkStatus.REVIEW
    return LinkStatus.NEW


LINK_APPLY_BATCH = 1000


@transaction.atomic
def link_results_apply(*, target_list: TargetList, pairs) -> dict[str, int]:
    """Apply linkage output (rows of record id, person id, probability) to a target list.

    Reviewed decisions are kept: an accepted record stays linked, and a pair someone rejected
    is never offered or auto-linked again. Records and review pairs are written in bulk
    (`bulk.rows_update`, `bulk_create`), not one statement per record."""
    rejected = set(
        LinkCandidate.objects.filter(
            record__target_list=target_list, decision=LinkCandidate.Decision.REJECTED
        ).values_list("record_id", "person_id")
    )
    best: dict[int, list[tuple[int, float]]] = {}
    for record_id, person_id, probability in pairs:
        if (record_id, person_id) not in rejected:
            best.setdefault(record_id, []).append((person_id, probability))
    counts = {LinkStatus.AUTO: 0, LinkStatus.REVIEW: 0, LinkStatus.NEW: 0, "kept": 0}
    changed: list[tuple] = []  # (record, status, probability, person)
    offered: dict[tuple[int, int], float] = {}  # review pairs: (record, person) -> probability
    records = TargetRecord.objects.filter(target_list=target_list).values_list("pk", "link_status")
    for record_pk, status in records.iterator(chunk_size=LINK_APPLY_BATCH):
        if status == LinkStatus.ACCEPTED:
            counts["kept"] += 1
            continue
        options = sorted(best.get(record_pk, []), key=lambda o: -o[1])
        top = options[0] if options else None
        band = link_bands(top[1]) if top else LinkStatus.NEW
        person = top[0] if band == LinkStatus.AUTO else None
        changed.append((record_pk, str(band), top[1] if top else None, person))
        if band == LinkStatus.REVIEW:
            for person_id, probability in options:
                if link_bands(probability) != LinkStatus.NEW:
                    offered[(record_pk, person_id)] = probability
        counts[band] += 1
    bulk.rows_update(TargetRecord, ["link_status", "link_probability", "person"], changed)
    _candidates_offer(target_list, offered)
    return {str(k): v for k, v in counts.items()}


def _candidates_offer(target_list: TargetList, offered: dict[tuple[int, int], float]) -> None:
    """Store the review pairs: a pair already there gets the new probability (its decision
    stays), a new pair is added."""
    if not offered:
        return
    known = LinkCandidate.objects.filter(record__target_list=target_list).values_list(
        "pk", "record_id", "person_id"
    )
    updated = []
    for pk, record_id, person_id in known.iterator(chunk_size=LINK_APPLY_BATCH):
        probability = offered.pop((record_id, person_id), None)
        if probability is not None:
            updated.append((pk, probability))
    bulk.rows_update(LinkCandidate, ["probability"], updated)
    LinkCandidate.objects.bulk_create(
        [
            LinkCandidate(record_id=record_id, person_id=person_id, probability=probability)
            for (record_id, person_id), probability in offered.items()
        ],
        batch_size=LINK_APPLY_BATCH,
    )


NAME_KEY_BATCH = 5000


def name_keys_ensure(*, names: list[str]) -> dict[str, dict[str, str]]:
    """The linkage keys of `names` (normalised names, as `linkage.prepare` passes them): those
    stored for the current engine version are read, the rest worked out and stored, so each
    distinct name is romanised once rather than in every run. Keys of another engine version
    are deleted when new ones are stored."""
    from ppaos.targeting import linkage

    version = linkage.name_keys_version()
    found = _stored_name_keys(version, names)
    missing = [name for name in names if name not in found]
    if missing:
        computed = linkage.name_keys_compute(missing)
        NameKey.objects.exclude(version=version).delete()
        NameKey.objects.bulk_create(
            [NameKey(name=name, version=version, keys=keys) for name, keys in computed.items()],
            batch_size=NAME_KEY_BATCH,
            ignore_conflicts=True,  # another run stored the same name meanwhile
        )
        found.update(computed)
    return found


def _stored_name_keys(version: str, names: list[str]) -> dict[str, dict[str, str]]:
    if connection.vendor == "postgresql":
        # One array parameter: psycopg took longer to place 5,000 parameters than PostgreSQL
        # took to answer.
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(NameKey._meta.db_table)
            cursor.execute(
                f"SELECT name, keys::text FROM {table} WHERE version = %s AND name = ANY(%s)",  # noqa: S608 (our table)
                [version, names],
            )
            return {name: json.loads(keys) for name, keys in cursor.fetchall()}
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(names), NAME_KEY_BATCH):
        stored = NameKey.objects.filter(
            version=version, name__in=names[start : start + NAME_KEY_BATCH]
        )
        found.update(stored.values_list("name", "keys"))
    return found


def name_keys_forget(*, names: list[str]) -> int:
    """Delete the stored keys of these names (raw or normalised, every version): erasure."""
    from ppaos.targeting import linkage

    forms = {form for name in names for form in (name, linkage.normalize_name(name)) if form}
    deleted, _counts = NameKey.objects.filter(name__in=forms).delete()
    return deleted


@transaction.atomic
def link_candidate_decide(*, candidate: LinkCandidate, accept: bool, actor) -> LinkCandidate:
    """A reviewer says whether the pair is the same person; the decision is kept."""
    if candidate.decision != LinkCandidate.Decision.PENDING:
        raise ValidationError(_("This pair has already been decided."))
    candidate.decision = (
        LinkCandidate.Decision.ACCEPTED if accept else LinkCandidate.Decision.REJECTED
    )
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at"])
    record = candidate.record
    if accept:
        record.person = candidate.person
        record.link_status = LinkStatus.ACCEPTED
        record.save(update_fields=["person", "link_status"])
        record.candidates.filter(decision=LinkCandidate.Decision.PENDING).exclude(
            pk=candidate.pk
        ).update(
            decision=LinkCandidate.Decision.REJECTED, decided_by=actor, decided_at=timezone.now()
        )
    elif not record.candidates.filter(decision=LinkCandidate.Decision.PENDING).exists():
        record.link_status = LinkStatus.NEW
        record.save(update_fields=["link_status"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=candidate.person,
        changes={"target_link": [record.pk, candidate.get_decision_display()]},
    )
    return candidate


# Campaigns and visits -------------------------------------------------------------------------


def campaign_open(
    *,
    actor,
    name: str,
    target_list: TargetList | None,
    closes_on: dt.date | None = None,
    sample_width: Decimal | None = None,
) -> Campaign:
    """Open a campaign; `sample_width` is the target 95% interval width of its sample."""
    if closes_on and closes_on < timezone.localdate():
        raise ValidationError({"closes_on": _("A campaign cannot close in the past.")})
    campaign = Campaign(
        name=name,
        target_list=target_list,
        opened_by=actor,
        opened_on=timezone.localdate(),
        closes_on=closes_on,
    )
    if sample_width is not None:
        campaign.sample_width = sample_width
    campaign.full_clean(exclude=["opened_by", "target_list"])
    campaign.save()
    return campaign


def campaign_assign(*, campaign: Campaign, community: Community, volunteer) -> CampaignAssignment:
    """Assign a community to a volunteer; the volunteer must already serve that community."""
    from ppaos.accounts.scope import EDIT_PEOPLE, scope_for

    if not scope_for(volunteer).area(EDIT_PEOPLE).contains_community(community):
        raise ValidationError(
            _("%(user)s is not assigned to %(community)s: give them the volunteer role there.")
            % {"user": volunteer.get_username(), "community": community.name_th}
        )
    assignment, _created = CampaignAssignment.objects.get_or_create(
        campaign=campaign, community=community, volunteer=volunteer
    )
    return assignment


def household_on_target_list(*, household: Household, target_list: TargetList | None) -> bool:
    if target_list is None:
        return False
    return TargetRecord.objects.filter(
        target_list=target_list,
        person__memberships__household=household,
        person__memberships__end_date__isnull=True,
    ).exists()


def visit_record(
    *,
    campaign: Campaign,
    household: Household,
    volunteer,
    outcome: str,
    visited_on: dt.date,
    consent_given: bool,
    consent_by: str = "",
    consent_purpose: str = "",
    answers: dict | None = None,
    capital_items: dict | None = None,
    member_indicators: dict | None = None,
    problems: list | None = None,
    needs: str = "",
    notes: str = "",
    photo=None,
    base_version: int | None = None,
    source: str = "web",
    submission_id: str | None = None,
    payload: dict | None = None,
) -> Visit:
    """Record a visit and, with consent, the household survey.

    Consent comes first: survey answers without consent are refused. A submission whose
    `submission_id` was already recorded returns the earlier visit (idempotent re-import).
    A submission made against an older household version than the registry now holds is
    kept but marked as a conflict for review; nothing in the registry is overwritten."""
    if submission_id:
        earlier = Visit.objects.filter(submission_id=submission_id).first()
        if earlier:
            return earlier
    if not campaign.is_open:
        raise ValidationError(_("This campaign is closed."))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
    surveyed = bool(answers or capital_items or member_indicators or problems or needs)
    if surveyed and not consent_given:
        raise ValidationError(
            {"consent_given": _("Record the household's consent before any survey answer.")}
        )
    if consent_given and not consent_by.strip():
        raise ValidationError({"consent_by": _("Say who gave consent.")})
    on_list = household_on_target_list(household=household, target_list=campaign.target_list)
    if outcome == Outcome.NEWLY_FOUND_POOR and on_list:
        raise ValidationError(
            {
                "outcome": _(
                    "This household is on the target list: use 'confirmed poor', not 'newly found'."
                )
            }
        )
    if outcome == Outcome.CONFIRMED_POOR and not on_list:
        outcome = Outcome.NEWLY_FOUND_POOR  # poor and missing from the list
    _check_items(capital_items or {})
    conflict = base_version is not None and base_version != household.version
    with transaction.atomic():
        survey = None
        if surveyed:
            survey = survey_record(
                household=household,
                collected_on=visited_on,
                collected_by=volunteer,
                round_name=campaign.name[:50],
                indicators=answers,
                member_indicators=member_indicators,
                capital_items=capital_items,
                problems=problems,
                needs=needs,
            )
        visit = Visit(
            campaign=campaign,
            household=household,
            volunteer=volunteer,
            visited_on=visited_on,
            outcome=outcome,
            on_target_list=on_list,
            consent_given=consent_given,
            consent_by=consent_by,
            consent_at=timezone.now() if consent_given else None,
            consent_purpose=consent_purpose,
            survey=survey,
            notes=notes,
            photo=photo,
            base_version=base_version,
            source=source,
            submission_id=submission_id,
            payload=payload or {},
            status=Visit.Status.CONFLICT if conflict else Visit.Status.RECORDED,
        )
        visit.save()
        audit_record(
            actor=volunteer,
            action=Action.CREATE,
            obj=household,
            changes={"visit": [None, f"{visit.pk} {outcome}"]},
        )
        if not conflict:  # its community's verification figures changed (ppaos.lib.events)
            events.announce(events.COMMUNITY_FIGURES_CHANGED, community_id=household.community_id)
        if survey and not conflict:  # a conflict's survey is assessed if the review keeps it
            _assess_on_commit(survey)
    return visit


def _assess_on_commit(survey: SurveyResponse) -> None:
    """Assess the survey's household once the survey is committed (assessment.services)."""
    run = partial(assessment_run_for_household, household=survey.household, survey=survey)
    transaction.on_commit(run, robust=True)


def _check_items(items: dict) -> None:
    bad = [code for code, score in items.items() if score not in (1, 2, 3, 4, None)]
    if bad:
        raise ValidationError(
            {"capital_items": _("Scores must be 1 to 4: %(codes)s") % {"codes": ", ".join(bad)}}
        )


@transaction.atomic
def visit_resolve_conflict(*, visit: Visit, actor, keep: bool) -> Visit:
    """A reviewer accepts the offline visit (keep=True) or discards its survey answers."""
    if visit.status != Visit.Status.CONFLICT:
        raise ValidationError(_("This visit is not in conflict."))
    if not keep and visit.survey_id:
        survey = visit.survey
        visit.survey = None
        visit.save(update_fields=["survey"])
        survey.delete()
    visit.status = Visit.Status.RESOLVED
    visit.save(update_fields=["status"])
    if keep and visit.survey_id:
        _assess_on_commit(visit.survey)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=visit.household,
        changes={"visit_conflict": [visit.pk, "kept" if keep else "discarded"]},
    )
    # The visit counts now: its community's verification figures changed (ppaos.lib.events).
    events.announce(events.COMMUNITY_FIGURES_CHANGED, community_id=visit.household.community_id)
    return visit
