"""Phone and chronic illness at rest (PDPA s.26): widen to text, encrypt every stored value
with the national-ID keys in batches, then use EncryptedTextField. Also the review queue for
national IDs entered that another record already holds (DuplicateIdFlag)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import ppaos.registry.fields
import ppaos.registry.id_crypto

BATCH = 2000
COLUMNS = ("phone", "chronic_illness")


def _rewrite(schema_editor, convert) -> None:
    """Every non-empty value of COLUMNS through `convert`, on raw SQL (the historical field
    must not encrypt or decrypt again), batched by primary key."""
    connection = schema_editor.connection
    table = schema_editor.quote_name("registry_person")
    for name in COLUMNS:
        column = schema_editor.quote_name(name)
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {column} FROM {table} "  # noqa: S608 (our own names)
                    f"WHERE id > %s AND {column} <> '' ORDER BY id LIMIT %s",
                    [last, BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                    [(convert(value), pk) for pk, value in rows],
                )
            last = rows[-1][0]


def encrypt_values(apps, schema_editor):
    from ppaos.registry import id_crypto

    _rewrite(schema_editor, id_crypto.encrypt_text)


def decrypt_values(apps, schema_editor):
    from ppaos.registry import id_crypto

    _rewrite(schema_editor, id_crypto.decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_person_eligibility_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A token is longer than the value: the columns become text first.
        migrations.AlterField(
            model_name="person",
            name="chronic_illness",
            field=models.TextField(blank=True, max_length=200, verbose_name="chronic illness"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=models.TextField(blank=True, max_length=20, verbose_name="phone"),
        ),
        migrations.RunPython(encrypt_values, decrypt_values),
        migrations.AlterField(
            model_name="person",
            name="chronic_illness",
            field=ppaos.registry.fields.EncryptedTextField(
                blank=True, max_length=200, verbose_name="chronic illness"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=ppaos.registry.fields.EncryptedTextField(
                blank=True, max_length=20, verbose_name="phone"
            ),
        ),
        migrations.CreateModel(
            name="DuplicateIdFlag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "national_id_encrypted",
                    models.TextField(verbose_name="national ID (encrypted)"),
                ),
                ("national_id_hash", models.CharField(db_index=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("resolved_at", models.DateTimeField(blank=True, null=True)),
                (
                    "resolution",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("assigned", "ID given to this record"),
                            ("dismissed", "Entry was wrong: ID not given"),
                        ],
                        max_length=20,
                        verbose_name="resolution",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "existing",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="registry.person",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="duplicate_id_flags",
                        to="registry.person",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "duplicate national ID for review",
                "verbose_name_plural": "duplicate national IDs for review",
                "ordering": ["created_at", "id"],
            },
            bases=(ppaos.registry.id_crypto.EncryptedNationalId, models.Model),
        ),
    ]
