"""One row per create, update, delete, view or export of personal data."""

import contextlib

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from ppaos.lib.i18n import Deferred


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    DENIED = "denied", _("Denied (out of scope)")


# Names written in place of a user or a request path when no person or page acted.
MACHINE_ACTORS = {"(system)": _("system"), "(command line)": _("command line")}
# Events about something other than one model row.
EVENT_TYPES = {
    "export": _("export"),
    "list": _("list"),
    "referrals.list": _("referral list"),
    "referrals.screen": _("screening"),
    "rollup": _("national roll-up"),
    "registry.id_keys": _("national ID keys"),
    "privacy.retention_run": _("retention run"),
}


def model_of(object_type: str):
    """The model an audit row's `object_type` names ("registry.person"), or None."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """A record type as the reader's language names it: a model's verbose name, or the name
    of an event about something other than one row ("referrals.list" → รายการส่งต่อ)."""
    if object_type in EVENT_TYPES:
        return str(EVENT_TYPES[object_type])
    model = model_of(object_type)
    return str(model._meta.verbose_name) if model else object_type


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the trail still reads after an account is renamed.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    object_label = models.CharField(max_length=200, blank=True)
    # The label as a message to translate when read (lib.i18n.Deferred), where it was
    # composed; `object_label` keeps its English text.
    label_message = models.JSONField(default=dict, blank=True)
    # Field name → [old, new] for updates; the field names only for sensitive ones.
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit event")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    def _model(self):
        return model_of(self.object_type)

    @property
    def label_shown(self) -> str:
        """The label in the reader's language where it was stored as a message."""
        if self.label_message:
            return Deferred.from_json(self.label_message).translated()
        return self.object_label

    @property
    def actor_shown(self) -> str:
        """Who, with the system and the command line named in the reader's language."""
        return str(MACHINE_ACTORS.get(self.actor_username, self.actor_username))

    @property
    def path_shown(self) -> str:
        return str(MACHINE_ACTORS.get(self.path, self.path))

    @property
    def object_type_label(self) -> str:
        """The record type as the reader's language names it ("registry.person" → บุคคล)."""
        return type_label(self.object_type)

    @property
    def changes_labelled(self) -> list[tuple[str, object]]:
        """(field label, [old, new]) for each change, labelled as the form labels the field."""
        model = self._model()
        rows = []
        for name, change in self.changes.items():
            label = name
            if model:
                with contextlib.suppress(FieldDoesNotExist):
                    field = model._meta.get_field(name)
                    label = str(field.verbose_name)
                    change = _choice_labels(field, change)
            rows.append((label, change))
        return rows


def _choice_labels(field, change):
    """[old, new] with a choice field's stored values as their labels ("cash" → เงินสด)."""
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    if not choices or not isinstance(change, list):
        return change
    return [str(choices.get(v, v)) if isinstance(v, str) else v for v in change]
