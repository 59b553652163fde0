"""`deprivations` (jsonb) becomes `unset_mask` beside `deprived_mask`: the same values, typed.

Writing a million JSON objects was most of `ppaos assess`'s time (issue 17). Existing rows get
their mask from their own indicator set's codes, in definition order; `Assessment.deprivations`
reads the masks back as the same {code: 1, 0 or None}."""

from django.db import migrations, models


def _codes(definition: dict) -> list[str]:
    return [i["code"] for d in definition["dimensions"] for i in d["indicators"]]


def fill_unset_mask(apps, schema_editor):
    """unset_mask from `deprivations`: bit j set when the j-th code is null or absent."""
    Assessment = apps.get_model("assessment", "Assessment")
    IndicatorSet = apps.get_model("assessment", "IndicatorSet")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Assessment._meta.db_table)
    with connection.cursor() as cursor:
        for set_id, definition in IndicatorSet.objects.values_list("id", "definition"):
            bits = []
            for j, code in enumerate(_codes(definition)):
                if connection.vendor == "postgresql":
                    unset = f"jsonb_typeof(deprivations -> '{code}') IS DISTINCT FROM 'number'"
                else:
                    unset = f"json_extract(deprivations, '$.{code}') IS NULL"
                bits.append(f"(CASE WHEN {unset} THEN {1 << j} ELSE 0 END)")
            if not bits:
                continue
            # Codes are validated identifiers ([a-z][a-z0-9_]*); the set id is a parameter.
            cursor.execute(
                f"UPDATE {table} SET unset_mask = {' + '.join(bits)} "  # noqa: S608
                "WHERE indicator_set_id = %s",
                [set_id],
            )


def fill_deprivations(apps, schema_editor):
    """Back: the JSON object from the two masks."""
    Assessment = apps.get_model("assessment", "Assessment")
    IndicatorSet = apps.get_model("assessment", "IndicatorSet")
    codes = {pk: _codes(d) for pk, d in IndicatorSet.objects.values_list("id", "definition")}
    rows = Assessment.objects.only("id", "indicator_set_id", "deprived_mask", "unset_mask")
    for a in rows.iterator(chunk_size=10_000):
        a.deprivations = {
            code: None if a.unset_mask >> j & 1 else a.deprived_mask >> j & 1
            for j, code in enumerate(codes[a.indicator_set_id])
        }
        a.save(update_fields=["deprivations"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_assessment_status_missing_level_reasons"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="unset_mask",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_unset_mask, fill_deprivations),
        migrations.RemoveField(
            model_name="assessment",
            name="deprivations",
        ),
    ]
