"""Importing ODK Central and KoboToolbox submission exports (CSV or JSON) as visits.

Every submission goes through `services.visit_record`, the service the web visit form uses,
so consent, outcome and survey rules are the same. Formats read:

- ODK Central CSV: group prefixes joined by `-` (`consent-consent_given`), `meta-instanceID`
  and `KEY`, `SubmitterName`, select_multiple answers space-separated.
- ODK Central OData JSON (`{"value": [...]}`): nested groups, `__id`, `__system`.
- Kobo JSON (`{"results": [...]}` or a list) and CSV (`,` or `;`): keys `group/field`,
  `_uuid`, `meta/instanceID`, `_submission_time`, `_submitted_by`; select_multiple either
  space-separated or split into `problems/<code>` columns of 1/0.

Person-level indicators asked per member (the form's repeat `members`, see xlsform.py) are
read into `member_indicators` ({person id: {code: bool}}) from JSON exports: ODK Central
OData with the repeat inline (`$expand=*`: `"members": [{"member": "12", "pind_<code>":
"met"}, ...]` inside its group) and Kobo JSON (`"survey/members": [{"survey/members/member":
...}]`); a CSV cell holding such a JSON array is read the same way. ODK Central's CSV export
puts repeats in separate files, which are not joined: import the JSON export instead (a
submission whose repeat is only a link to another table gets a note saying so). Each member
must be a current member of the household who had joined by the visit day, listed once; an
answer about a member the indicator does not apply to on the visit day is not kept (the web
form does not ask it). At most `members.MAX_MEMBERS` entries a submission.

Each submission is its own transaction and gets a line in the report: created, already
imported (the instanceID was recorded before, so re-importing a file creates nothing),
conflict (made against an older household version: kept for review, registry unchanged),
or rejected with the reason. A bad submission never stops the good ones.
"""

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ppaos.accounts.models import User
from ppaos.accounts.scope import MANAGE_TARGETING, scope_for
from ppaos.assessment.selectors import indicator_set_active
from ppaos.audit.models import Action
from ppaos.audit.services import audit_event
from ppaos.lib import safejson, uploads
from ppaos.lib.i18n import Deferred, labelled_counts
from ppaos.registry.models import Household
from ppaos.targeting import services
from ppaos.targeting.members import MAX_MEMBERS, household_members_on, person_indicators
from ppaos.targeting.models import Campaign, CampaignAssignment, Outcome, Visit
from ppaos.targeting.xlsform import MEMBERS, OTHER

CREATED = "created"
ALREADY = "already"
CONFLICT = "conflict"
REJECTED = "rejected"
STATUS_LABELS = {
    CREATED: gettext_lazy("created"),
    ALREADY: gettext_lazy("already imported"),
    CONFLICT: gettext_lazy("conflict: needs review"),
    REJECTED: gettext_lazy("rejected"),
}
EXTENSIONS = (".csv", ".json")
# Metadata keys (lower case, without group prefix) as ODK Central and Kobo name them.
ID_KEYS = ("instanceid", "key", "__id", "_uuid")
SUBMITTER_KEYS = ("submittername", "_submitted_by", "username")
KOBO_MARKERS = {"_uuid", "_submission_time", "_submitted_by", "_id", "__version__", "_xform_id"}
TRUE = {"yes", "true", "1", "y", "ใช่"}
FALSE = {"no", "false", "0", "n", "ไม่", ""}
INDICATOR_VALUES = {
    "met": True,
    "yes": True,
    "true": True,
    "not_met": False,
    "no": False,
    "false": False,
    "na": None,
}
# A CSV cell holding a repeat as a JSON array is read only up to this size.
MAX_REPEAT_CELL = 200_000
# Versions of forms made by `xlsform.build_xlsform`: "<indicator set version>-<digest>".
OUR_FORM_VERSION = re.compile(r"^(?P<set>.+)-[0-9a-f]{8}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class SubmissionFileError(ValueError):
    """The file as a whole cannot be read (wrong type, not CSV/JSON, no submissions)."""


class RowError(ValueError):
    """One submission cannot be imported; the message is the reason shown in the report."""


@dataclass
class RowResult:
    line: int  # line in a CSV file, or the submission's position (from 1) in a JSON file
    status: str
    reason: str = ""
    submission_id: str = ""
    household_code: str = ""
    visit_id: int | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class ImportReport:
    name: str
    source: str
    unit: str  # "line" (CSV) or "record" (JSON)
    rows: list[RowResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def problems(self) -> list[RowResult]:
        return [r for r in self.rows if r.status in (CONFLICT, REJECTED)]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "counts": self.counts(),
            "rows": [
                [r.line, r.status, r.submission_id, r.household_code, r.reason] for r in self.rows
            ],
        }


# Reading files --------------------------------------------------------------------------------


def read_submissions(path: Path, *, name: str = "") -> tuple[str, list[tuple[int, dict]]]:
    """("line" or "record", [(line or position, raw submission), ...]) from a CSV or JSON file,
    within the upload limits (ppaos/lib/safejson.py, ppaos/lib/uploads.py)."""
    suffix = Path(name or path.name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise SubmissionFileError(_("Use a .csv or .json export."))
    try:
        if suffix == ".json":
            return "record", _read_json(path)
        return "line", _read_csv(path)
    except UnicodeDecodeError:
        raise SubmissionFileError(_("The file is not UTF-8 text.")) from None
    except uploads.UploadLimitError as e:
        raise SubmissionFileError(str(e)) from None


def _read_json(path: Path) -> list[tuple[int, dict]]:
    if path.stat().st_size > safejson.MAX_BYTES:
        raise SubmissionFileError(_too_big())
    try:
        data = safejson.loads(path.read_bytes())
    except safejson.JSONLimitError as e:
        message = _("The JSON file cannot be read: %(error)s") % {"error": e}
        raise SubmissionFileError(message) from None
    if isinstance(data, dict):
        data = data.get("results", data.get("value"))  # Kobo API, ODK Central OData
    if not isinstance(data, list):
        raise SubmissionFileError(
            _("The JSON file must hold a list of submissions (or 'results' / 'value').")
        )
    return [(n, item if isinstance(item, dict) else {}) for n, item in enumerate(data, start=1)]


def _too_big() -> str:
    return _("The file is larger than %(n)s MB: export fewer submissions.") % {
        "n": safejson.MAX_BYTES // uploads.MB
    }


def _read_csv(path: Path) -> list[tuple[int, dict]]:
    if path.stat().st_size > safejson.MAX_BYTES:
        raise SubmissionFileError(_too_big())
    with path.open(encoding="utf-8-sig", newline="") as file:
        lines = uploads.text_lines(file)
        first = next(lines, "")
        delimiter = max((",", ";", "\t"), key=first.count)
        records = uploads.csv_rows(itertools.chain([first], lines), delimiter=delimiter)
        header = next(records, (0, []))[1]
        if not header or not any(h.strip() for h in header):
            raise SubmissionFileError(_("The file has no header row."))
        header = [h.strip() for h in header]
        rows = []
        for start, values in records:
            if any(v.strip() for v in values):
                rows.append((start, {h: v for h, v in zip(header, values, strict=False) if h}))
    return rows


def _flatten(record: dict, prefix: str = "", repeats: dict | None = None) -> dict[str, object]:
    """Nested JSON groups (ODK OData) as `group/field` keys, like the Kobo exports. A list of
    objects is a repeat: it goes to `repeats` under its key, not into the answers."""
    flat = {}
    for key, value in record.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat |= _flatten(value, name, repeats)
        elif (
            repeats is not None
            and isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
        ):
            repeats[name] = value
        else:
            flat[name] = value
    return flat


def detect_source(submissions: list[tuple[int, dict]]) -> str:
    keys = {k.lower() for _n, row in submissions[:20] for k in row}
    return "kobo" if keys & KOBO_MARKERS else "odk"


# Reading one submission -----------------------------------------------------------------------


class Answers:
    """One submission's answers by field name, whatever the group prefixes in its keys."""

    def __init__(self, raw: dict, known: set[str]):
        self.values: dict[str, str] = {}
        self.meta: dict[str, str] = {}
        self.split_multiple: dict[str, list[str]] = {}
        # Repeat entries by the repeat's own name (the last part of its key).
        self.repeats: dict[str, list[dict]] = {}
        self.repeat_error: RowError | None = None
        found: dict[str, list] = {}
        for key, value in _flatten(raw, repeats=found).items():
            text = "" if value is None else str(value).strip()
            if isinstance(value, list):
                text = " ".join(str(v) for v in value)
            parts = [p for p in re.split(r"[/-]", key) if p]
            if not parts:
                continue
            if parts[-1] == MEMBERS and text.startswith("["):  # a repeat as JSON in a CSV cell
                try:
                    found[key] = _json_repeat(text)
                except RowError as e:  # reported when the submission is imported
                    self.repeat_error = e
                continue
            name = _known_suffix(parts, known)
            if name is not None:
                self.values.setdefault(name, text)
                continue
            if len(parts) >= 2 and parts[-2] in known:  # Kobo/Central split select_multiple
                if text.lower() in TRUE:
                    self.split_multiple.setdefault(parts[-2], []).append(parts[-1])
                continue
            self.meta.setdefault(parts[-1].lower(), text)
            self.meta.setdefault(key.lower(), text)
        for key, entries in found.items():
            parts = [p for p in re.split(r"[/-]", key) if p]
            if parts:
                self.repeats.setdefault(parts[-1], []).extend(entries)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def multiple(self, name: str) -> list[str]:
        if self.get(name):
            return self.get(name).split()
        return self.split_multiple.get(name, [])


def _json_repeat(text: str) -> list[dict]:
    if len(text) > MAX_REPEAT_CELL:
        raise RowError(
            _("the member answers are longer than %(n)s characters") % {"n": MAX_REPEAT_CELL}
        )
    try:
        entries = safejson.loads(text)
    except safejson.JSONLimitError:
        raise RowError(_("the member answers are not a JSON list")) from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RowError(_("the member answers are not a JSON list"))
    return entries


def _known_suffix(parts: list[str], known: set[str]) -> str | None:
    for start in range(len(parts)):
        candidate = "-".join(parts[start:])
        if candidate in known:
            return candidate
    return None


def submission_id_of(answers: Answers) -> str:
    for key in ID_KEYS:
        value = answers.meta.get(key, "")
        if value:
            return f"uuid:{value}" if UUID.match(value) else value
    return ""


@dataclass(frozen=True)
class Form:
    """Field names and codes the form asks, from the active indicator set."""

    version: str
    indicators: tuple[str, ...]
    items: tuple[str, ...]
    problems: frozenset[str]
    person: tuple = ()  # members.PersonIndicator, asked per member

    @classmethod
    def of(cls, indicator_set) -> "Form":
        return cls(
            version=indicator_set.version,
            indicators=tuple(i["code"] for i in indicator_set.indicators()),
            items=tuple(i["code"] for i in indicator_set.capital_items()),
            problems=frozenset(p["code"] for p in indicator_set.definition.get("problems", [])),
            person=tuple(person_indicators(indicator_set)),
        )

    @property
    def member_fields(self) -> set[str]:
        return {"member", *(f"pind_{i.code}" for i in self.person)}

    @property
    def fields(self) -> set[str]:
        return {
            "community",
            "household",
            "household_code",
            "household_code_typed",
            "base_version",
            "base_version_typed",
            "consent_given",
            "consent_by",
            "consent_purpose",
            "visited_on",
            "outcome",
            "problems",
            "needs",
            "notes",
            "photo",
            *(f"ind_{c}" for c in self.indicators),
            *(f"cap_{c}" for c in self.items),
        }


def _parse(answers: Answers, form: Form) -> dict:
    """The submission as `visit_record` arguments; RowError with the reason if it cannot be."""
    consent_text = answers.get("consent_given").lower()
    if consent_text not in TRUE | FALSE:
        raise RowError(_("consent_given must be yes or no, not '%(v)s'") % {"v": consent_text})
    consent = consent_text in TRUE
    visited_text = answers.get("visited_on")
    if not visited_text:
        raise RowError(_("the visit date (visited_on) is missing"))
    try:
        visited_on = dt.date.fromisoformat(visited_text[:10])
    except ValueError:
        raise RowError(_("visited_on '%(v)s' is not a date") % {"v": visited_text}) from None
    outcome = answers.get("outcome")
    if not outcome:
        raise RowError(_("the outcome is missing"))
    if outcome not in Outcome.values:
        raise RowError(_("'%(v)s' is not an outcome code") % {"v": outcome})
    indicators = {}
    for code in form.indicators:
        value = answers.get(f"ind_{code}").lower()
        if not value:
            continue
        if value not in INDICATOR_VALUES:
            raise RowError(
                _("ind_%(code)s: '%(v)s' is not met, not_met or na") % {"code": code, "v": value}
            )
        indicators[code] = INDICATOR_VALUES[value]
    items = {}
    for code in form.items:
        value = answers.get(f"cap_{code}")
        if not value:
            continue
        try:
            items[code] = int(float(value))
        except ValueError:
            raise RowError(
                _("cap_%(code)s: '%(v)s' is not a score 1–4") % {"code": code, "v": value}
            ) from None
    problems = answers.multiple("problems")
    unknown = sorted(set(problems) - form.problems)
    if unknown:
        raise RowError(_("unknown problem code(s): %(codes)s") % {"codes": ", ".join(unknown)})
    return {
        "outcome": outcome,
        "visited_on": visited_on,
        "consent_given": consent,
        "consent_by": answers.get("consent_by") if consent else "",
        "consent_purpose": answers.get("consent_purpose") if consent else "",
        "answers": indicators,
        "capital_items": items,
        "problems": problems,
        "needs": answers.get("needs"),
        "notes": answers.get("notes"),
    }


def _member_answers(answers: Answers, form: Form, household, visited_on: dt.date) -> dict:
    """The repeat's answers as `member_indicators`; RowError with the reason if it cannot be."""
    if answers.repeat_error is not None:
        raise answers.repeat_error
    entries = answers.repeats.get(MEMBERS, [])
    if len(entries) > MAX_MEMBERS:
        raise RowError(_("more than %(n)s member entries in one submission") % {"n": MAX_MEMBERS})
    if not entries:
        return {}
    members = {m.person_id: m for m in household_members_on(household, visited_on)}
    result: dict[str, dict[str, bool]] = {}
    for number, entry in enumerate(entries, start=1):
        given = Answers(entry, form.member_fields)
        person = given.get("member")
        values = {}
        for indicator in form.person:
            value = given.get(f"pind_{indicator.code}").lower()
            if not value:
                continue
            if value not in INDICATOR_VALUES:
                raise RowError(
                    _("member entry %(n)s: pind_%(code)s '%(v)s' is not met or not_met")
                    % {"n": number, "code": indicator.code, "v": value}
                )
            values[indicator] = INDICATOR_VALUES[value]
        if not person:
            if values:
                raise RowError(_("member entry %(n)s has answers but no member") % {"n": number})
            continue
        member = members.get(int(person)) if person.isdigit() else None
        if member is None:
            raise RowError(
                _("member entry %(n)s: '%(p)s' is not a current member of household %(code)s")
                % {"n": number, "p": person, "code": household.code}
            )
        if str(member.person_id) in result:
            raise RowError(
                _("member entry %(n)s: %(name)s is listed twice")
                % {"n": number, "name": member.name}
            )
        result[str(member.person_id)] = {
            indicator.code: value
            for indicator, value in values.items()
            if value is not None and indicator.applies(age=member.age, disabled=member.disabled)
        }
    return {person: codes for person, codes in result.items() if codes}


def _base_version(answers: Answers) -> int | None:
    text = answers.get("base_version") or answers.get("base_version_typed")
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise RowError(_("base_version '%(v)s' is not a number") % {"v": text}) from None


def _household_code(answers: Answers) -> str:
    code = answers.get("household_code")
    if not code or code == OTHER:
        household = answers.get("household")
        code = answers.get("household_code_typed") if household == OTHER else household
    return code.strip()


# Import ---------------------------------------------------------------------------------------


def submissions_import(
    *, campaign: Campaign, path: Path, name: str, actor, source: str | None = None
) -> ImportReport:
    """Record each submission of an ODK/Kobo export as a visit in `campaign`.

    Households are looked up by code among the campaign's communities in the actor's managed
    area. The visit is recorded for the submitter (SubmitterName, the form's `username`, or
    Kobo's `_submitted_by`) when that user is assigned to the household's community in this
    campaign; otherwise for the importing actor, who manages the area. A submission without
    a `base_version` is recorded as a conflict (base version 0: unknown), never as current."""
    unit, submissions = read_submissions(path, name=name)
    if not submissions:
        raise SubmissionFileError(_("The file has no submissions."))
    source = source or detect_source(submissions)
    if source not in ("odk", "kobo"):
        raise SubmissionFileError(_("The source must be odk or kobo."))
    form = Form.of(indicator_set_active())
    known = form.fields
    area = scope_for(actor).area(MANAGE_TARGETING)
    communities = CampaignAssignment.objects.filter(area.q("community"), campaign=campaign).values(
        "community"
    )
    report = ImportReport(name=name, source=source, unit=unit)
    volunteers: dict[tuple[int, str], User | None] = {}
    for line, raw in submissions:
        answers = Answers(raw, known)
        result = RowResult(
            line=line,
            status=REJECTED,
            submission_id=submission_id_of(answers),
            household_code=_household_code(answers),
        )
        report.rows.append(result)
        try:
            with transaction.atomic():
                _import_one(
                    result, answers, raw, campaign, communities, form, actor, source, volunteers
                )
        except (RowError, ValidationError) as e:
            result.status = REJECTED
            result.reason = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
        except DatabaseError as e:
            if (
                result.submission_id
                and Visit.objects.filter(submission_id=result.submission_id).exists()
            ):  # imported at the same moment by someone else
                result.status = ALREADY
                result.reason = ""
            else:
                result.status = REJECTED
                result.reason = _("database error: %(error)s") % {"error": e}
    return report


def _import_one(result, answers, raw, campaign, communities, form, actor, source, volunteers):
    if not result.submission_id:
        raise RowError(
            _("no instanceID: without it, importing the file again would record the visit twice")
        )
    if len(result.submission_id) > 100:
        raise RowError(_("the instanceID is longer than 100 characters"))
    earlier = Visit.objects.filter(submission_id=result.submission_id).first()
    if earlier is not None:
        result.status, result.visit_id = ALREADY, earlier.pk
        return
    made_with = OUR_FORM_VERSION.match(answers.meta.get("formversion", ""))
    if made_with and made_with["set"] != form.version:
        raise RowError(
            _(
                "the form was made with indicator set %(old)s, but %(now)s is active now: "
                "export the form again"
            )
            % {"old": made_with["set"], "now": form.version}
        )
    replaced = answers.meta.get("deprecatedid", "")
    if replaced and Visit.objects.filter(submission_id=replaced).exists():
        raise RowError(
            _(
                "this is an edit of submission %(id)s, which was already imported; edits are "
                "not applied automatically: review them and record a new visit"
            )
            % {"id": replaced}
        )
    if not result.household_code:
        raise RowError(_("the household code is missing"))
    household = (
        Household.objects.filter(code=result.household_code, community__in=communities)
        .select_related("community")
        .first()
    )
    if household is None:
        raise RowError(
            _("household %(code)s is not in a community of this campaign that you manage")
            % {"code": result.household_code}
        )
    values = _parse(answers, form)
    values["member_indicators"] = _member_answers(answers, form, household, values["visited_on"])
    base_version = _base_version(answers)
    notes = []
    linked = any(k.endswith("@odata.navigationlink") for k in answers.meta)
    if linked and MEMBERS not in answers.repeats:
        notes.append(
            _(
                "the member answers are in a separate table of this export and were not "
                "imported: export the submissions as JSON with the repeats expanded"
            )
        )
    if base_version is None:
        base_version = 0
        notes.append(_("no base_version in the submission: flagged for review"))
    volunteer = _volunteer(answers, campaign, household, volunteers)
    if volunteer is None:
        if not scope_for(actor).area(MANAGE_TARGETING).contains_community(household.community):
            raise RowError(_("the submitter is not assigned to this community in the campaign"))
        volunteer = actor
        submitter = next((answers.meta.get(k) for k in SUBMITTER_KEYS if answers.meta.get(k)), "")
        notes.append(
            _("recorded under your name: '%(name)s' is not assigned to this community")
            % {"name": submitter}
            if submitter
            else _("recorded under your name: no submitter in the file")
        )
    if answers.get("photo"):
        notes.append(_("the photo is not imported (attachments are not in CSV/JSON exports)"))
    visit = services.visit_record(
        campaign=campaign,
        household=household,
        volunteer=volunteer,
        base_version=base_version,
        source=source,
        submission_id=result.submission_id,
        payload=raw,
        **values,
    )
    result.visit_id = visit.pk
    if visit.status == Visit.Status.CONFLICT:
        result.status = CONFLICT
        notes.insert(
            0,
            _("made on household version %(base)s, the registry is now at %(now)s")
            % {"base": base_version, "now": household.version},
        )
    else:
        result.status = CREATED
    result.reason = "; ".join(notes)


def _volunteer(answers: Answers, campaign, household, cache) -> User | None:
    names = [answers.meta.get(k, "") for k in SUBMITTER_KEYS]
    for name in filter(None, names):
        key = (household.community_id, name.lower())
        if key not in cache:
            assignment = (
                CampaignAssignment.objects.filter(
                    campaign=campaign,
                    community_id=household.community_id,
                    volunteer__username__iexact=name,
                    volunteer__is_active=True,
                )
                .select_related("volunteer")
                .first()
            )
            cache[key] = assignment.volunteer if assignment else None
        if cache[key] is not None:
            return cache[key]
    return None


def job_run_submissions(*, job) -> None:
    """Run an offline-submissions import job (called by the task worker, or directly in
    tests) for the campaign and source in its params, as the user who uploaded the file. The
    uploaded file is deleted when the job ends, whatever the outcome."""
    services.job_progress(job, 0, 1)
    try:
        if not job.file.name or not Path(job.file.path).exists():
            raise SubmissionFileError(_("The uploaded file is no longer kept: upload it again."))
        report = submissions_import(
            campaign=Campaign.objects.get(pk=job.params["campaign"]),
            path=Path(job.file.path),
            name=job.params.get("name", ""),
            actor=job.created_by,
            source=job.params.get("source") or None,
        )
    except SubmissionFileError as e:
        services.job_finish(job, error=str(e))
    except Exception as e:  # a failed job must say why, not stay "running" forever
        services.job_finish(job, error=f"{type(e).__name__}: {e}")
        raise
    else:
        services.job_progress(job, 1, 1)
        result = report.as_dict() | {"unit": report.unit, "campaign": job.params["campaign"]}
        services.job_finish(job, result=result)
        counts = report.counts()
        audit_event(
            actor=job.created_by,
            action=Action.CREATE,
            object_type="targeting.campaign",
            object_id=str(job.params["campaign"]),
            label=Deferred(
                gettext_noop("offline import %(name)s: %(counts)s"),
                name=report.name,
                counts=labelled_counts(counts, STATUS_LABELS),
            ),
            changes=counts,
        )
    finally:
        services.job_file_delete(job)
