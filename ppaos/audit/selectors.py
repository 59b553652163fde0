from django.db.models import QuerySet

from ppaos.audit.models import AuditEvent


def audit_search(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
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
    if ip_address:
        events = events.filter(ip_address=ip_address)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
