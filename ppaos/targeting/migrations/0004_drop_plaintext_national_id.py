"""Target-list national IDs at rest, step 3: drop the plaintext column."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("targeting", "0003_encrypt_national_ids")]

    operations = [migrations.RemoveField(model_name="targetrecord", name="national_id")]
