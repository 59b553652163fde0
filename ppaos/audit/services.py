"""Writing audit rows. Services that touch personal data call `audit_record` themselves."""

from django.db import models

from ppaos.audit.context import current_context
from ppaos.audit.models import Action, AuditEvent
from ppaos.lib.actors import acting_user
from ppaos.lib.i18n import Deferred


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    label: "str | Deferred" = "",
) -> AuditEvent:
    """Record who did `action` to `obj`, now, from the current request's address."""
    context = current_context()
    user = acting_user(actor)
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "(system)",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(label or obj)[:200],
        label_message=_message(label),
        changes=changes or {},
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        path=context.path,
    )


def audit_event(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: str,
    label: "str | Deferred",
    changes: dict | None = None,
    user_agent: str | None = None,
) -> AuditEvent:
    """Record an event that is not about one model row: a list seen, a screening run, a
    command's export. `actor` may be None (the command line)."""
    context = current_context()
    user = acting_user(actor)
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "(command line)",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=str(label)[:200],
        label_message=_message(label),
        changes=changes or {},
        ip_address=context.ip_address,
        user_agent=(context.user_agent if user_agent is None else user_agent)[:300],
        path=context.path,
    )


def audit_list_view(*, actor, what: "str | Deferred", rows: int, object_type: str = "list") -> None:
    """A page listing people by name is a view of personal data: record who saw which list
    (nothing when the list was empty)."""
    if rows:
        audit_event(
            actor=actor,
            action=Action.VIEW,
            object_type=object_type,
            object_id=str(rows),
            label=what,
        )


def audit_export(
    *, actor, description: "str | Deferred", row_count: int, details: dict | None = None
) -> AuditEvent:
    """Record an export of personal data (a list, a file); `details` (counts, never values)
    go in the row's changes, such as the k-anonymity a pseudonymised export reached."""
    context = current_context()
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=actor.get_username(),
        action=Action.EXPORT,
        object_type="export",
        object_id=str(row_count),
        object_label=str(description)[:200],
        label_message=_message(description),
        changes=details or {},
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        path=context.path,
    )


def _message(label: "str | Deferred") -> dict:
    """A composed label kept as a message, to show in each reader's language."""
    return label.as_json() if isinstance(label, Deferred) else {}
