"""The record-linkage job: build the target-list and registry frames, run the linkage
(`linkage.link_frames`) and apply its bands through the targeting services."""

import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy, gettext_noop

from ppaos.audit.models import Action
from ppaos.audit.services import audit_event
from ppaos.lib.i18n import Deferred, labelled_counts
from ppaos.registry.models import PREFIX_TEXT, Household, Membership, Person
from ppaos.targeting.linkage import COLUMNS
from ppaos.targeting.models import Job, LinkStatus, TargetList, TargetRecord
from ppaos.targeting.services import (
    job_finish,
    job_progress,
    link_results_apply,
    name_keys_ensure,
)

# What link_results_apply counts, named for the audit label ("kept": decided by a reviewer).
BAND_LABELS = {**dict(LinkStatus.choices), "kept": gettext_lazy("kept as reviewed")}


def target_frame(target_list: TargetList) -> pd.DataFrame:
    """Target records that still need linking, in the linkage input columns."""
    rows = TargetRecord.objects.filter(target_list=target_list).exclude(
        link_status=LinkStatus.ACCEPTED
    )
    fields = ["national_id_hash" if c == "national_id" else c for c in COLUMNS]
    frame = pd.DataFrame.from_records(rows.values(*fields), columns=fields)
    return _clean(_ids_hashed(frame))


def _ids_hashed(frame: pd.DataFrame) -> pd.DataFrame:
    """Linkage compares IDs by their keyed hash (equal IDs, equal hashes); the plaintext is
    never decrypted for it."""
    frame["national_id"] = ""
    return frame


# People with their current household's subdistrict and house number, in one join (a person
# has at most one current stay: Membership's constraint). Two correlated subqueries per person,
# sorted by name (Person's ordering, under the Thai collation), took 48 s for 3.2M people.
REGISTRY_PEOPLE = """
SELECT p.id, p.national_id_hash, p.prefix, p.first_name, p.last_name, p.sex, p.birth_date,
       h.subdistrict_id, h.house_no
FROM {person} p
LEFT JOIN {membership} m ON m.person_id = p.id AND m.end_date IS NULL
LEFT JOIN {household} h ON h.id = m.household_id
{where}
ORDER BY p.id
"""
REGISTRY_COLUMNS = [
    "id",
    "national_id_hash",
    "prefix",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "subdistrict_code",
    "house_no",
]


def registry_frame(*, area_prefix: str = "") -> pd.DataFrame:
    """Registry people with their current household's area and house number (ordered by id,
    so that a linkage run sees the same input every time)."""
    sql = REGISTRY_PEOPLE.format(
        person=Person._meta.db_table,
        membership=Membership._meta.db_table,
        household=Household._meta.db_table,
        where="WHERE h.subdistrict_id LIKE %s" if area_prefix else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [area_prefix + "%"] if area_prefix else [])
        frame = pd.DataFrame(cursor.fetchall(), columns=REGISTRY_COLUMNS)
    frame["district_code"] = frame["subdistrict_code"].str[:4]
    return _clean(_ids_hashed(frame)[[*COLUMNS, "national_id_hash"]])


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Linkage input: ids as text, dates as ISO text, prefixes as words, blanks for nulls
    (each distinct date and prefix converted once: a call per row took seconds at 3M)."""
    frame = frame.copy()
    frame["id"] = frame["id"].astype(str)
    dates = frame["birth_date"]
    frame["birth_date"] = dates.map({d: d.isoformat() for d in dates.dropna().unique()})
    prefixes = frame["prefix"]
    frame["prefix"] = prefixes.map(PREFIX_TEXT).fillna(prefixes)
    return frame.fillna("")


def target_list_link(
    *, target_list: TargetList, backend: str | None = None, progress=None
) -> dict[str, int]:
    """Link a target list to the registry and sort every record into a band. `backend`:
    "duckdb" or "spark" (`linkage.BACKENDS`); by default the PPAOS_LINK_BACKEND setting."""
    from ppaos.targeting.linkage import link_frames

    backend = backend or link_backend()

    left = target_frame(target_list)
    right = registry_frame()
    if progress:
        progress(1, 3)
    if left.empty or right.empty:
        pairs = []
    else:
        found = link_frames(
            left,
            right,
            threshold=settings.LINK_REVIEW_THRESHOLD,
            backend=backend,
            keys=stored_name_keys,
        )
        pairs = [
            (int(r.left_id), int(r.right_id), float(r.match_probability))
            for r in found.itertuples(index=False)
        ]
    if progress:
        progress(2, 3)
    counts = link_results_apply(target_list=target_list, pairs=pairs)
    if progress:
        progress(3, 3)
    return counts


def stored_name_keys(names: list[str]) -> dict[str, dict[str, str]]:
    """`linkage.prepare`'s source of name keys in jobs: the NameKey table."""
    return name_keys_ensure(names=names)


def link_backend() -> str:
    """The linkage engine of jobs and the demo: settings.LINK_BACKEND (PPAOS_LINK_BACKEND)."""
    return getattr(settings, "LINK_BACKEND", "duckdb")


def job_run_linkage(*, job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, steps_total=3)
    try:
        counts = target_list_link(
            target_list=TargetList.objects.get(pk=job.params["target_list"]),
            backend=job.params.get("backend") or link_backend(),
            progress=lambda done, total: job_progress(job, done, total),
        )
    except Exception as e:
        job_finish(job, error=f"{type(e).__name__}: {e}")
        raise
    job_finish(job, result=counts)
    audit_event(
        actor=job.created_by,
        action=Action.UPDATE,
        object_type="targeting.targetlist",
        object_id=str(job.params["target_list"]),
        label=Deferred(
            gettext_noop("linkage: %(counts)s"), counts=labelled_counts(counts, BAND_LABELS)
        ),
        changes={str(band): n for band, n in counts.items()},
    )
    job.refresh_from_db()
    return job
