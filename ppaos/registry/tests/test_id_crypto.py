"""National IDs at rest: encrypted columns, lookup by keyed hash, key rotation, the check."""

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from ppaos.audit.models import AuditEvent
from ppaos.conftest import make_person
from ppaos.registry import id_crypto, search_keys
from ppaos.registry.models import Person
from ppaos.registry.services import person_add_to_household

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
HASH_KEY = "h" * 40


def _raw_rows(table: str) -> str:
    """Every column of every row as the database holds them, in one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
        return "\n".join("|".join(str(v) for v in row) for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_database_never_holds_the_plaintext_id(households):
    person = households["A"].memberships.get().person
    assert person.national_id and len(person.national_id) == 13
    raw = _raw_rows("registry_person")
    assert person.national_id not in raw
    stored = Person.objects.values("national_id_encrypted", "national_id_hash").get(pk=person.pk)
    assert stored["national_id_encrypted"] and person.national_id not in str(stored)
    assert stored["national_id_hash"] == id_crypto.lookup_hash(person.national_id)
    assert Person.objects.get(pk=person.pk).national_id == person.national_id


@pytest.mark.django_db
def test_audit_rows_hold_the_id_masked(households):
    person = households["A"].memberships.get().person
    assert person.national_id not in _raw_rows("audit_auditevent")


def test_equal_ids_encrypt_differently_but_hash_the_same():
    nid = make_person(1)["national_id"]
    assert id_crypto.encrypt(nid) != id_crypto.encrypt(nid)
    assert id_crypto.lookup_hash(nid) == id_crypto.lookup_hash(nid[:1] + "-" + nid[1:])
    assert len(id_crypto.lookup_hash(nid)) == 64
    assert id_crypto.decrypt(id_crypto.encrypt(nid)) == nid
    assert id_crypto.mask(nid) == f"x-xxxx-xxxxx-{nid[10:12]}-{nid[12]}"
    assert id_crypto.seal("") == ("", None)


@pytest.mark.django_db
def test_lookup_by_hash_finds_the_person(households):
    person = households["B"].memberships.get().person
    found = Person.objects.get(national_id_hash=id_crypto.lookup_hash(person.national_id))
    assert found.pk == person.pk


def _dev_key() -> str:
    """The key the fixtures' rows were encrypted with (derived from SECRET_KEY)."""
    return base64.urlsafe_b64encode(id_crypto._derived(id_crypto._DEV_ENCRYPTION_SALT)).decode()


@pytest.mark.django_db
def test_rotation_re_encrypts_and_old_key_decrypts_until_then(households, coordinator):
    with override_settings(ID_KEYS=[KEY_A]):
        person = person_add_to_household(
            actor=coordinator, household=households["A"], data=make_person(77), relation="child"
        )
    nid = person.national_id
    before = Person.objects.get(pk=person.pk).national_id_encrypted
    fixture_head = households["B"].memberships.get().person.national_id
    with override_settings(ID_KEYS=[KEY_B, KEY_A, _dev_key()], ID_HASH_KEY=HASH_KEY):
        # The new key is first; rows encrypted with the old one still read.
        assert Person.objects.get(pk=person.pk).national_id == nid
        call_command("rotate-id-keys", "--batch-size", "1", verbosity=0)
        run = AuditEvent.objects.get(object_type="registry.id_keys")
        assert run.changes["registry.Person"] >= 2
        assert nid not in str(run.changes) and nid not in run.object_label
        after = Person.objects.get(pk=person.pk)
        assert after.national_id_encrypted != before and after.national_id == nid
        assert after.national_id_hash == id_crypto.lookup_hash(nid)  # under the new hash key
        assert Person.objects.get(national_id_hash=id_crypto.lookup_hash(fixture_head))
    with override_settings(ID_KEYS=[KEY_B]):  # the old keys removed after the rotation
        assert Person.objects.get(pk=person.pk).national_id == nid
        assert households["B"].memberships.get().person.national_id == fixture_head
        assert Fernet(KEY_B).decrypt(after.national_id_encrypted.encode()).decode() == nid


@pytest.mark.django_db
def test_a_wrong_key_fails_loudly(households):
    person = households["A"].memberships.get().person
    with override_settings(ID_KEYS=[KEY_B]), pytest.raises(id_crypto.IDKeyError):
        Person.objects.get(pk=person.pk).national_id  # noqa: B018


def test_hash_key_changes_the_hash():
    nid = make_person(2)["national_id"]
    with override_settings(ID_HASH_KEY=HASH_KEY):
        first = id_crypto.lookup_hash(nid)
    with override_settings(ID_HASH_KEY="k" * 40):
        assert id_crypto.lookup_hash(nid) != first
        # The HMAC keyed once and copied per ID is HMAC-SHA256 under the key in force.
        again = hmac.new(b"k" * 40, nid.encode(), hashlib.sha256).hexdigest()
        assert id_crypto.lookup_hash(nid) == again
        # The phone's search hash: the same keyed HMAC over its own namespace.
        phone = hmac.new(b"k" * 40, b"phone:0812345678", hashlib.sha256).hexdigest()
        assert search_keys.phone_hash("081-234-5678") == phone
    with override_settings(ID_HASH_KEY=HASH_KEY):
        assert id_crypto.lookup_hash(nid) == first


def test_system_check_requires_keys_in_production():
    with override_settings(DEBUG=False, ID_KEYS=[], ID_HASH_KEY=""):
        assert [e.id for e in id_crypto.check_keys()] == ["ppaos.E001"]
    with override_settings(DEBUG=False, ID_KEYS=[KEY_A], ID_HASH_KEY=HASH_KEY):
        assert id_crypto.check_keys() == []
    with override_settings(DEBUG=True, ID_KEYS=[], ID_HASH_KEY=""):
        assert id_crypto.check_keys() == []
    with override_settings(DEBUG=True, ID_KEYS=["not-a-key"], ID_HASH_KEY="short"):
        assert {e.id for e in id_crypto.check_keys()} == {"ppaos.E002", "ppaos.E003"}


def test_system_check_is_registered():
    from django.core import checks

    with override_settings(DEBUG=False, ID_KEYS=[], ID_HASH_KEY=""):
        found = checks.run_checks(tags=[checks.Tags.security])
    assert "ppaos.E001" in [e.id for e in found]


@pytest.mark.django_db
def test_duplicate_id_is_still_found_through_the_hash(households, coordinator):
    from ppaos.registry.models import DuplicateIdFlag

    existing = households["A"].memberships.get().person.national_id
    formatted = f"{existing[0]}-{existing[1:5]}-{existing[5:10]}-{existing[10:12]}-{existing[12]}"
    person = person_add_to_household(
        actor=coordinator,
        household=households["B"],
        data=make_person(90, national_id=formatted),
        relation="child",
    )
    assert DuplicateIdFlag.objects.get(person=person).national_id == existing
