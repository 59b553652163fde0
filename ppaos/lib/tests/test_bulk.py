import datetime as dt
import json

import pytest
from django.db import connection

from ppaos.audit.models import AuditEvent
from ppaos.lib import bulk


def test_copy_values_escape_what_copy_reads_specially():
    assert bulk.copy_value(None) == "\\N"
    assert bulk.copy_value(True) == "t" and bulk.copy_value(False) == "f"
    assert bulk.copy_value('{"a": "say \\"x\\""}') == '{"a": "say \\\\"x\\\\""}'
    assert bulk.copy_value("a\tb\nc\rd") == "a\\tb\\nc\\rd"
    assert bulk.copy_value(dt.date(2025, 1, 2)) == "2025-01-02"
    assert bulk.copy_text([{"x": 1, "y": None}], ["x", "y"]) == "1\t\\N\n"


@pytest.mark.django_db(transaction=True)
def test_rows_written_read_back_the_same_with_backslashes_and_tabs():
    """On PostgreSQL through COPY, on SQLite through executemany: the same values back."""
    text = 'path C:\\temp\tand "quotes"\nnew line'
    now = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    row = {
        "id": 987654,
        "at": now,
        "actor_username": "bulk",
        "action": "view",
        "object_type": "lib.test",
        "object_id": "1",
        "object_label": text,
        "path": "",
        "changes": "{}",
    }
    columns = {f.column for f in AuditEvent._meta.concrete_fields}
    row = {k: v for k, v in row.items() if k in columns}
    for field in AuditEvent._meta.concrete_fields:
        if field.column not in row and not field.null:
            default = field.get_default() if field.has_default() else ""
            # JSON columns go in as JSON text, like "changes" above.
            row[field.column] = (
                json.dumps(default) if field.get_internal_type() == "JSONField" else default
            )
    bulk.rows_write(AuditEvent, [row])
    bulk.sequences_reset(AuditEvent)
    assert AuditEvent.objects.get(pk=987654).object_label == text
    assert connection.vendor in ("postgresql", "sqlite")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL only")
def test_copy_rows_streams_every_kind_of_value_back_the_same():
    tricky = 'C:\\temp\tแท็บ "quotes"\nnew line\r\\N'
    rows = [
        (1, tricky, None, True, dt.date(2012, 1, 29), '{"ชื่อ": "ก\\tข"}'),
        (2, "", "\\", False, None, "[]"),
        *((n, f"row {n}", None, None, None, "{}") for n in range(3, 2503)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_copy_test (n integer, a text, b text, c boolean, "
            "d date, j jsonb)"
        )
        assert bulk.copy_rows("bulk_copy_test", ["n", "a", "b", "c", "d", "j"], iter(rows)) == 2502
        cursor.execute("SELECT n, a, b, c, d, j::text FROM bulk_copy_test ORDER BY n")
        back = cursor.fetchall()
        cursor.execute("DROP TABLE bulk_copy_test")
    expected = [(*r[:5], json.dumps(json.loads(r[5]), ensure_ascii=False)) for r in rows]
    assert [tuple(r) for r in back] == expected


@pytest.mark.django_db
def test_rows_update_sets_only_the_given_rows_and_fields_in_batches(monkeypatch):
    """Text, a float with NULL and a foreign key (id or NULL), across several batches; rows
    not given and fields not named stay as they were."""
    from ppaos.registry.models import Person
    from ppaos.targeting.models import TargetList, TargetRecord

    monkeypatch.setattr(bulk, "UPDATE_BATCH", 2)
    target_list = TargetList.objects.create(source="tpmap", year_be=2566)
    person = Person.objects.create(first_name="ทดสอบ", sex="F")
    TargetRecord.objects.bulk_create(
        TargetRecord(
            target_list=target_list,
            record_key=f"r{n}",
            line_no=n + 2,
            first_name=f"ชื่อ{n}",
            link_probability=0.1,
            person=person if n == 3 else None,
        )
        for n in range(4)
    )
    records = list(TargetRecord.objects.filter(target_list=target_list).order_by("pk"))
    untouched = records[-1]
    rows = [
        (records[0].pk, "auto", 0.97, person.pk),
        (records[1].pk, "review", None, None),
        (records[2].pk, "new", 0.5, None),
    ]
    assert bulk.rows_update(TargetRecord, ["link_status", "link_probability", "person"], rows) == 3
    got = {
        r.pk: (r.link_status, r.link_probability, r.person_id, r.first_name)
        for r in TargetRecord.objects.filter(target_list=target_list)
    }
    for (pk, status, probability, person_id), record in zip(rows, records, strict=False):
        assert got[pk] == (status, probability, person_id, record.first_name)
    assert got[untouched.pk] == (
        untouched.link_status,
        untouched.link_probability,
        untouched.person_id,
        untouched.first_name,
    )
    assert bulk.rows_update(TargetRecord, ["link_status"], []) == 0
