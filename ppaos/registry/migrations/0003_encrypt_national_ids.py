"""National IDs at rest, step 2: encrypt every stored ID and hash it, in batches."""

from django.db import migrations

BATCH = 2000


def encrypt_ids(apps, schema_editor):
    from ppaos.registry import id_crypto

    Person = apps.get_model("registry", "Person")
    rows = Person.objects.exclude(national_id__isnull=True).exclude(national_id="")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        for person in batch:
            person.national_id_encrypted, person.national_id_hash = id_crypto.seal(
                person.national_id
            )
        Person.objects.bulk_update(batch, ["national_id_encrypted", "national_id_hash"])
        last = batch[-1].pk


def decrypt_ids(apps, schema_editor):
    from ppaos.registry import id_crypto

    Person = apps.get_model("registry", "Person")
    rows = Person.objects.exclude(national_id_encrypted="")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        for person in batch:
            person.national_id = id_crypto.decrypt(person.national_id_encrypted) or None
        Person.objects.bulk_update(batch, ["national_id"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_national_id_encrypted")]

    operations = [migrations.RunPython(encrypt_ids, decrypt_ids)]
