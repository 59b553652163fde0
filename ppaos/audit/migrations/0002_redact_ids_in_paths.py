"""Mask national IDs that earlier releases stored in clear in audit rows' paths (a search
such as `/api/people/?national_id=…`). The rest of every row stays as it was."""

from django.db import migrations


def redact_paths(apps, schema_editor):
    from ppaos.lib.redact import redact_url

    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = AuditEvent.objects.exclude(path="").only("pk", "path")
    changed = []
    for event in rows.iterator(chunk_size=2000):
        redacted = redact_url(event.path)[:300]
        if redacted != event.path:
            event.path = redacted
            changed.append(event)
        if len(changed) >= 2000:
            AuditEvent.objects.bulk_update(changed, ["path"])
            changed = []
    AuditEvent.objects.bulk_update(changed, ["path"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(redact_paths, migrations.RunPython.noop)]
