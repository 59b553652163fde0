"""Target-list national IDs at rest, step 2: encrypt and hash them in batches; a record keyed
by its plaintext ID is keyed by the hash instead (re-imports still find it)."""

from django.db import migrations

BATCH = 2000
FIELDS = ["national_id_encrypted", "national_id_hash", "record_key"]


def encrypt_ids(apps, schema_editor):
    from ppaos.registry import id_crypto

    TargetRecord = apps.get_model("targeting", "TargetRecord")
    rows = TargetRecord.objects.exclude(national_id="")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        for record in batch:
            record.national_id_encrypted, record.national_id_hash = id_crypto.seal(
                record.national_id
            )
            if record.record_key == record.national_id:
                record.record_key = record.national_id_hash
        TargetRecord.objects.bulk_update(batch, FIELDS)
        last = batch[-1].pk


def decrypt_ids(apps, schema_editor):
    from ppaos.registry import id_crypto

    TargetRecord = apps.get_model("targeting", "TargetRecord")
    rows = TargetRecord.objects.exclude(national_id_encrypted="")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        for record in batch:
            record.national_id = id_crypto.decrypt(record.national_id_encrypted)
            if record.record_key == record.national_id_hash:
                record.record_key = record.national_id
        TargetRecord.objects.bulk_update(batch, ["national_id", "record_key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("targeting", "0002_national_id_encrypted")]

    operations = [migrations.RunPython(encrypt_ids, decrypt_ids)]
