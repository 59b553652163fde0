"""The migration that adds the eligibility facts derives each stored person's nationality
from the first digit of their (encrypted) ID: 1-5 Thai, 0/6/7 not Thai, 8 and none unknown."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ppaos.registry import id_crypto, national_id

BEFORE = [("registry", "0004_drop_plaintext_national_id")]
AFTER = [("registry", "0005_person_eligibility_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_nationality_is_derived_for_existing_people(geography):
    old = _migrate(BEFORE)
    Person = old.get_model("registry", "Person")
    digits = {"1": "thai", "3": "thai", "5": "thai", "0": "other", "6": "other", "7": "other"}
    digits |= {"8": ""}
    people = {}
    for n, first in enumerate(digits):
        nid = national_id.make(f"{first}1007000{n:04d}")
        encrypted, digest = id_crypto.seal(nid)
        people[first] = Person.objects.create(
            national_id_encrypted=encrypted, national_id_hash=digest, first_name="ก", sex="M"
        )
    nobody = Person.objects.create(first_name="ข", sex="F")
    try:
        new = _migrate(AFTER)
        After = new.get_model("registry", "Person")
        for first, expected in digits.items():
            assert After.objects.get(pk=people[first].pk).nationality == expected, first
        assert After.objects.get(pk=nobody.pk).nationality == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
