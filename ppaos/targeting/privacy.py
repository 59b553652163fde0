"""What erasure (PDPA s.33) does to targeting data: registered with `ppaos.privacy.hooks`.

A visit is to a household, but its free-text notes, its photo, the name of whoever gave
consent and the raw form submission can all identify each member. Erasing one member blanks
them in every visit to every household the person ever lived in (the outcome, the consent
flag and time, and the survey answers stay: they are counts, not identities). The photo files
are deleted once the erasure has committed, and so is any uploaded target-list file an ended
import left behind (`services.import_files_cleanup`)."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ppaos.privacy import hooks
from ppaos.privacy.services import ERASED_NAME
from ppaos.targeting.models import TargetRecord, Visit
from ppaos.targeting.services import name_keys_forget


@hooks.export_section
def target_list_rows(person):
    """The target-list rows linked to the person, for their access export."""
    rows = TargetRecord.objects.filter(person=person).select_related("target_list")
    return (
        _("Target lists"),
        [
            {
                "list": str(t.target_list),
                "source": t.target_list.source,
                "year_be": t.target_list.year_be,
                "line_no": t.line_no,
                "link_status": t.link_status,
            }
            for t in rows
        ],
    )


@hooks.eraser
def erase_target_records(person, actor) -> None:
    """Target-list rows linked to the person, or carrying their national ID without being
    linked yet, hold the same identifiers: blank them too."""
    same = Q(person=person)
    if getattr(person, "erased_id_hash", None):  # rows with the same ID, linked or not
        same |= Q(national_id_hash=person.erased_id_hash)
    for record in TargetRecord.objects.filter(same):
        TargetRecord.objects.filter(pk=record.pk).update(
            record_key=f"erased-{record.pk}",
            national_id_encrypted="",
            national_id_hash=None,
            prefix="",
            first_name=ERASED_NAME,
            last_name="",
            birth_date=None,
            house_no="",
            extra={},
        )


@hooks.eraser
def forget_name_keys(person, actor) -> None:
    """The person's first and last name leave the linkage's stored name keys (other people
    with the same name get their keys worked out again in the next run)."""
    name_keys_forget(names=[n for n in getattr(person, "erased_names", ()) if n])


@hooks.eraser
def erase_visits(person, actor) -> None:
    """Blank notes, photo, consent name and raw submission of the person's households' visits."""
    households = person.memberships.values("household_id")
    visits = Visit.objects.filter(household_id__in=households)
    files = [name for name in visits.values_list("photo", flat=True) if name]
    visits.update(notes="", consent_by="", payload={}, photo=None)
    if files:
        storage = Visit._meta.get_field("photo").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])


@hooks.eraser
def erase_target_source_rows(person, actor) -> None:
    """Blank the kept source columns and house code of the person's target records: linked
    to them, carrying their ID, or already erased by the registry's eraser (any order)."""
    same = Q(person=person) | Q(record_key__startswith="erased-")
    if getattr(person, "erased_id_hash", None):
        same |= Q(national_id_hash=person.erased_id_hash)
    TargetRecord.objects.filter(same).update(source_row={}, house_code="")


@hooks.eraser
def erase_import_files(person, actor) -> None:
    """Delete uploaded target-list files left behind by imports that ended (they hold IDs in
    clear); a queued or running import keeps its file. Once the erasure has committed."""
    from ppaos.targeting.services import import_files_cleanup

    transaction.on_commit(lambda: import_files_cleanup(hours=0, finished_only=True))
