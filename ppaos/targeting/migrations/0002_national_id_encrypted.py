"""Target-list national IDs at rest, step 1: encrypted and hash columns beside the plaintext."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("targeting", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="targetrecord",
            name="national_id_encrypted",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="targetrecord",
            name="national_id_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64, null=True),
        ),
    ]
