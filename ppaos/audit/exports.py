"""The audit log as CSV and Excel (see `ppaos.lib.exports`), for users with `view_audit`,
with the search page's filters. Pseudonymised: users and addresses hashed, labels dropped."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ppaos.accounts.access import require_capability
from ppaos.accounts.scope import VIEW_AUDIT
from ppaos.audit.selectors import audit_search
from ppaos.lib.exports import IDENTIFIER, NAME, PERSONAL, Column, ExportSpec, describe_by, register

FILTERS = (
    "actor",
    "action",
    "object_type",
    "object_id",
    "record",
    "ip_address",
    "date_from",
    "date_to",
)


def audit_rows(*, user, params: dict, pseudonymised: bool):
    from ppaos.audit.views import AuditFilterForm

    require_capability(user, VIEW_AUDIT)
    form = AuditFilterForm(params)
    filters = form.cleaned_data if form.is_valid() else {}
    return audit_search(**filters)


def _changes(event) -> str:
    return "; ".join(
        f"{k}: {v[0] if isinstance(v, list | tuple) and v else ''} → "
        f"{v[1] if isinstance(v, list | tuple) and len(v) > 1 else ''}"
        for k, v in (event.changes or {}).items()
    )


register(
    ExportSpec(
        name="audit-log",
        title=_("Audit log"),
        filters=FILTERS,
        columns=(
            Column(_("When"), lambda e: e.at.isoformat(timespec="seconds")),
            Column(_("Who"), lambda e: e.actor_username, IDENTIFIER, namespace="user"),
            Column(_("Action"), lambda e: e.action),
            Column(_("Record type"), lambda e: e.object_type),
            Column(
                _("Record"),
                lambda e: e.object_id,
                IDENTIFIER,
                namespace="record",
                key=lambda e: f"{e.object_type}:{e.object_id}",
            ),
            Column(_("Label"), lambda e: e.object_label, NAME),
            Column(_("Changes"), _changes, PERSONAL),
            Column(_("From"), lambda e: e.ip_address or "", PERSONAL),
            Column(_("Path"), lambda e: e.path, PERSONAL),
        ),
        rows=audit_rows,
        describe=describe_by(gettext_noop("audit log")),
        filename=lambda p: "audit-log",
    )
)
