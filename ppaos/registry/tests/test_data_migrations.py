"""The registry's data migrations, on rows that existed before each of them:

- `0003_encrypt_national_ids` (with targeting's): every ID still reads, none stays in clear,
  and a target record keyed by its plaintext ID is keyed by the hash afterwards;
- `0005_person_eligibility_fields`: each person's nationality comes from the first digit of
  their (encrypted) ID: 1-5 Thai, 0/6/7 not Thai, 8 and none unknown;
- `0007_person_search_keys`: existing people get their name and phone search keys.

One walk forward through the history, checking each step on the state it leaves: migrating the
registry back to 0001 unapplies most of the project, and doing that once instead of once per
migration saves about 30 s of the suite (issue 17, goal 8)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ppaos.registry import id_crypto, national_id, search_keys

PHONE = "0812345678"


def _migrate(targets):
    """The database migrated to `targets`; the apps (historical models) of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _ids_are_encrypted():
    """Before 0002, IDs in clear; after 0004, only sealed and hashed."""
    old = _migrate([("registry", "0001_initial"), ("targeting", "0001_initial")])
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

    new = _migrate(
        [
            ("registry", "0004_drop_plaintext_national_id"),
            ("targeting", "0004_drop_plaintext_national_id"),
        ]
    )
    After = new.get_model("registry", "Person")
    AfterRecord = new.get_model("targeting", "TargetRecord")
    for person, nid in zip(people, ids, strict=True):
        row = After.objects.get(pk=person.pk)
        assert id_crypto.decrypt(row.national_id_encrypted) == nid
        assert row.national_id_hash == id_crypto.lookup_hash(nid)
    assert After.objects.get(pk=nobody.pk).national_id_hash is None
    record = AfterRecord.objects.get()
    assert record.record_key == id_crypto.lookup_hash(ids[0]) == record.national_id_hash
    assert id_crypto.decrypt(record.national_id_encrypted) == ids[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person")
        raw = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM targeting_targetrecord")
        raw += repr(cursor.fetchall())
    assert not any(nid in raw for nid in ids)
    return new


def _nationality_is_derived(old):
    """People stored at 0004 get their nationality at 0005 from the first digit of their ID."""
    Person = old.get_model("registry", "Person")
    digits = {"1": "thai", "3": "thai", "5": "thai", "0": "other", "6": "other", "7": "other"}
    digits |= {"8": ""}
    people = {}
    for n, first in enumerate(digits):
        nid = national_id.make(f"{first}2007000{n:04d}")
        encrypted, digest = id_crypto.seal(nid)
        people[first] = Person.objects.create(
            national_id_encrypted=encrypted, national_id_hash=digest, first_name="ก", sex="M"
        )
    nobody = Person.objects.create(first_name="ข", sex="F")

    After = _migrate([("registry", "0005_person_eligibility_fields")]).get_model(
        "registry", "Person"
    )
    for first, expected in digits.items():
        assert After.objects.get(pk=people[first].pk).nationality == expected, first
    assert After.objects.get(pk=nobody.pk).nationality == ""


def _search_keys_are_filled():
    """People stored at 0006 (phone sealed, no search keys) get both keys at 0008."""
    Person = _migrate([("registry", "0006_encrypt_phone_health_duplicate_ids")]).get_model(
        "registry", "Person"
    )
    person = Person.objects.create(
        first_name="นางสาวสมใจ", last_name="ศรีสุข", sex="F", phone="081-234-5678"
    )
    nobody = Person.objects.create(first_name="มะลิ", sex="F")

    After = _migrate([("registry", "0008_person_search_name_trigram")]).get_model(
        "registry", "Person"
    )
    stored = After.objects.get(pk=person.pk)
    assert stored.search_name == "สมไจ ศรีสุข"
    assert stored.phone_hash == search_keys.phone_hash(PHONE)
    assert After.objects.get(pk=nobody.pk).phone_hash is None


@pytest.mark.django_db(transaction=True)
def test_data_migrations_carry_existing_rows_forward(geography):
    try:
        at_0004 = _ids_are_encrypted()
        _nationality_is_derived(at_0004)
        _search_keys_are_filled()
    finally:
        # Every app back to its latest migration: going back in registry also unapplied the
        # other apps' migrations that depend on it (community's notices, say).
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
