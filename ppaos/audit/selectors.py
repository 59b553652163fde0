from collections.abc import Callable

from django.db.models import Q, QuerySet

from ppaos.audit.models import AuditEvent, type_label
from ppaos.lib.thaidigits import normalise_id


def audit_search(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    record: str = "",
    ip_address: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    """Audit rows matching every given filter, newest first."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_username__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if record:
        events = events.filter(record_q(record))
    if ip_address:
        events = events.filter(ip_address=ip_address)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events


def object_type_choices() -> list[tuple[str, str]]:
    """Every record type the log holds, named as the reader's language names it."""
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    choices = [(value, type_label(value)) for value in types]
    return sorted(choices, key=lambda choice: choice[1])


# Apps that know how people name their records register a finder (from AppConfig.ready):
# text -> a filter over audit rows, or None when the text is not one of their references.
# The audit app sits below them and imports none of them.
RecordFinder = Callable[[str], Q | None]
_record_finders: list[RecordFinder] = []


def register_record_finder(finder: RecordFinder) -> RecordFinder:
    """Add `finder` to those `record_q` asks (once)."""
    if finder not in _record_finders:
        _record_finders.append(finder)
    return finder


def record_q(text: str) -> Q:
    """Events about the record a person typed: whatever a registered finder recognises (the
    registry's: a household code, a national ID by its keyed hash), else the internal record
    number, or words of the record's label. Thai digits are read as 0-9."""
    text = " ".join(text.split())
    digits = normalise_id(text)
    query = Q(pk__in=[])
    for finder in _record_finders:
        found = finder(text)
        if found is not None:
            query |= found
            break
    else:
        if digits.isdigit():  # the internal record number
            query |= Q(object_id=digits)
    if not digits.isdigit():
        query |= Q(object_label__icontains=text)
    return query
