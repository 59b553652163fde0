"""The record-linkage job: build the target-list and registry frames, run the linkage
(`linkage.link_frames`) and apply its bands through the targeting services."""

import pandas as pd
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy, gettext_noop

from ppaos.audit.models import Action
from ppaos.audit.services import audit_event
from ppaos.lib.i18n import Deferred, labelled_counts
from ppaos.registry.models import PREFIX_TEXT, Membership, Person
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
    frame["prefix"] = frame["prefix"].map(lambda p: PREFIX_TEXT.get(p, p))
    return _clean(_ids_hashed(frame))


def _ids_hashed(frame: pd.DataFrame) -> pd.DataFrame:
    """Linkage compares IDs by their keyed hash (equal IDs, equal hashes); the plaintext is
    never decrypted for it."""
    frame["national_id"] = ""
    return frame


def registry_frame(*, area_prefix: str = "") -> pd.DataFrame:
    """Registry people with their current household's area and house number."""
    current = Membership.objects.filter(person=OuterRef("pk"), end_date__isnull=True)
    people = Person.objects.annotate(
        subdistrict_code=Subquery(current.values("household__subdistrict_id")[:1]),
        house_no=Subquery(current.values("household__house_no")[:1]),
    )
    if area_prefix:
        people = people.filter(subdistrict_code__startswith=area_prefix)
    frame = pd.DataFrame.from_records(
        people.values(
            "id",
            "national_id_hash",
            "prefix",
            "first_name",
            "last_name",
            "sex",
            "birth_date",
            "subdistrict_code",
            "house_no",
        ),
        columns=[
            "national_id_hash" if c == "national_id" else c for c in COLUMNS if c != "district_code"
        ],
    )
    frame["district_code"] = frame["subdistrict_code"].str[:4]
    frame["prefix"] = frame["prefix"].map(lambda p: PREFIX_TEXT.get(p, p))
    return _clean(_ids_hashed(frame)[[*COLUMNS, "national_id_hash"]])


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["id"] = frame["id"].astype(str)
    frame["birth_date"] = frame["birth_date"].map(lambda d: d.isoformat() if d else "")
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
