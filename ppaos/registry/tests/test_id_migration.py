"""The migrations that encrypt existing national IDs: every ID still reads, none stays in
clear, and a target record keyed by its plaintext ID is keyed by the hash afterwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ppaos.registry import id_crypto, national_id

BEFORE = [("registry", "0001_initial"), ("targeting", "0001_initial")]
AFTER = [
    ("registry", "0004_drop_plaintext_national_id"),
    ("targeting", "0004_drop_plaintext_national_id"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_ids_are_encrypted_by_the_migration(geography):
    old = _migrate(BEFORE)
    Community = old.get_model("areas", "Community")
    Household = old.get_model("registry", "Household")
    Person = old.get_model("registry", "Person")
    TargetList = old.get_model("targeting", "TargetList")
    TargetRecord = old.get_model("targeting", "TargetRecord")
    community = Community.objects.create(code="100801-90", name_th="ทดสอบ", subdistrict_id="100801")
    Household.objects.create(code="H1", community=community, subdistrict_id="100801")
    ids = [national_id.make(f"1100700{n:05d}") for n in range(5)]
    people = [Person.objects.create(national_id=i, first_name="ก", sex="M") for i in ids]
    nobody = Person.objects.create(national_id=None, first_name="ข", sex="F")
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    TargetRecord.objects.create(
        target_list=listed, record_key=ids[0], line_no=2, national_id=ids[0], first_name="ก"
    )
    try:
        _migrate(AFTER)
        from ppaos.registry.models import Person as Current
        from ppaos.targeting.models import TargetRecord as CurrentRecord

        for person, nid in zip(people, ids, strict=True):
            # Only the columns of this step: later migrations add more.
            row = Current.objects.only("national_id_encrypted", "national_id_hash").get(
                pk=person.pk
            )
            assert row.national_id == nid
            assert row.national_id_hash == id_crypto.lookup_hash(nid)
        assert Current.objects.only("national_id_hash").get(pk=nobody.pk).national_id_hash is None
        record = CurrentRecord.objects.only(
            "record_key", "national_id_encrypted", "national_id_hash"
        ).get()
        assert record.record_key == id_crypto.lookup_hash(ids[0]) == record.national_id_hash
        assert record.national_id == ids[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM registry_person")
            raw = repr(cursor.fetchall())
            cursor.execute("SELECT * FROM targeting_targetrecord")
            raw += repr(cursor.fetchall())
        assert not any(nid in raw for nid in ids)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
