"""The community app's part in PDPA rights (ppaos.privacy.hooks): corrections about a person
are in their access export, and erasing the person blanks the values and reasons kept on
them (a pending one is closed, so it can never bring an erased value back)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.community.models import Correction, CorrectionEvent, CorrectionStatus
from ppaos.lib.actors import acting_user
from ppaos.privacy import hooks

ERASED = "(erased)"


@hooks.export_section
def corrections_section(person):
    rows = [
        {
            "number": c.number,
            "field": c.field,
            "value_when_proposed": c.old_display,
            "proposed_value": c.proposed_display,
            "reason": c.reason,
            "status": c.status,
            "proposed_at": c.proposed_at.isoformat(),
            "reviewed_at": c.reviewed_at.isoformat() if c.reviewed_at else None,
        }
        for c in Correction.objects.filter(person=person).order_by("proposed_at", "id")
    ]
    return (_("Corrections proposed by the community"), rows) if rows else None


@hooks.eraser
def erase_corrections(person, actor) -> None:
    corrections = Correction.objects.filter(person=person)
    corrections.filter(status=CorrectionStatus.PENDING).update(
        status=CorrectionStatus.REJECTED,
        reviewed_by=acting_user(actor),
        reviewed_at=timezone.now(),
        review_note=ERASED,
    )
    corrections.update(
        old_value=None,
        old_display=ERASED,
        proposed_value=None,
        proposed_display=ERASED,
        reason=ERASED,
    )
    CorrectionEvent.objects.filter(correction__person=person).update(note="", data={})
