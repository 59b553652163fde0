"""National IDs at rest, step 1: the encrypted and hash columns beside the plaintext one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="national_id_encrypted",
            field=models.TextField(
                blank=True, default="", verbose_name="national ID (encrypted)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="person",
            name="national_id_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
    ]
