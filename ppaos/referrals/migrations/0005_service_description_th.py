"""Services get a Thai description; the shipped catalogue's services get theirs now."""

import json
from pathlib import Path

from django.db import migrations, models

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "services-th.json"


def fill_thai_descriptions(apps, schema_editor):
    Service = apps.get_model("referrals", "Service")
    rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))["services"]
    for row in rows:
        if row.get("description_th"):
            Service.objects.filter(code=row["code"], description_th="").update(
                description_th=row["description_th"]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_rule_version_replaced"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="description_th",
            field=models.TextField(blank=True, verbose_name="description (Thai)"),
        ),
        migrations.RunPython(fill_thai_descriptions, migrations.RunPython.noop),
    ]
