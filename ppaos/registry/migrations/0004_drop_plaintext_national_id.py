"""National IDs at rest, step 3: drop the plaintext column; the hash keeps IDs unique."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_encrypt_national_ids")]

    operations = [
        migrations.RemoveField(model_name="person", name="national_id"),
        migrations.AlterField(
            model_name="person",
            name="national_id_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
    ]
