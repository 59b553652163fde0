"""What erasure (PDPA s.33) does to targeting data: registered with `ppaos.privacy.hooks`.

A visit is to a household, but its free-text notes, its photo, the name of whoever gave
consent and the raw form submission can all identify each member. Erasing one member blanks
them in every visit to every household the person ever lived in (the outcome, the consent
flag and time, and the survey answers stay: they are counts, not identities). The photo files
are deleted once the erasure has committed, and so is any uploaded target-list file an ended
import left behind (`services.import_files_cleanup`)."""

from django.db import transaction

from ppaos.privacy import hooks


@hooks.eraser
def erase_visits(person, actor) -> None:
    """Blank notes, photo, consent name and raw submission of the person's households' visits."""
    from ppaos.targeting.models import Visit

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
    from django.db.models import Q

    from ppaos.targeting.models import TargetRecord

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
