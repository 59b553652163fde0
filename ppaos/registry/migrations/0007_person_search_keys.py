"""Search keys on Person (registry.search_keys): the normalised name and the keyed hash of the
phone, added then filled from every existing row in batches (the phone decrypted in memory)."""

from django.db import migrations, models

BATCH = 2000


def fill_keys(apps, schema_editor):
    from ppaos.registry import id_crypto
    from ppaos.registry.search_keys import person_keys

    connection = schema_editor.connection
    table = schema_editor.quote_name("registry_person")
    last = 0
    while True:
        with connection.cursor() as cursor:
            # Raw SQL: the phone column holds tokens, decrypted here once per row.
            cursor.execute(
                f"SELECT id, first_name, last_name, phone FROM {table} "  # noqa: S608
                "WHERE id > %s ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            updates = []
            for pk, first, last_name, token in rows:
                keys = person_keys(first, last_name, id_crypto.decrypt_text(token))
                updates.append((keys["search_name"], keys["phone_hash"], pk))
            cursor.executemany(
                f"UPDATE {table} SET search_name = %s, phone_hash = %s WHERE id = %s",  # noqa: S608
                updates,
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_encrypt_phone_health_duplicate_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="phone_hash",
            field=models.CharField(
                blank=True, db_index=True, editable=False, max_length=64, null=True
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="search_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=210),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
