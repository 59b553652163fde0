"""Issue 14: phone numbers and chronic illness (health data, PDPA s.26) are encrypted at rest
like national IDs: the raw column never holds the value, every write path encrypts, reads are
transparent, and `rotate-id-keys` re-encrypts them under a new key."""

import base64
import importlib
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ppaos.conftest import make_person
from ppaos.registry import id_crypto, services
from ppaos.registry.models import Person

PHONE = "0812345678"
ILLNESS = "เบาหวานและความดันโลหิตสูง"


def _raw(person_pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, chronic_illness FROM registry_person WHERE id = %s", [person_pk]
        )
        return cursor.fetchone()


def _assert_sealed(person_pk: int) -> tuple[str, str]:
    phone, illness = _raw(person_pk)
    assert phone and PHONE not in phone and "12345678" not in phone
    assert illness and ILLNESS not in illness and "เบาหวาน" not in illness
    return phone, illness


@pytest.mark.django_db
def test_service_writes_are_encrypted_and_reads_are_plain(households, coordinator):
    person = services.person_add_to_household(
        actor=coordinator,
        household=households["A"],
        data=make_person(71, phone=PHONE, chronic_illness=ILLNESS),
        relation="spouse",
    )
    _assert_sealed(person.pk)
    stored = Person.objects.get(pk=person.pk)
    assert stored.phone == PHONE and stored.chronic_illness == ILLNESS
    assert Person.objects.filter(pk=person.pk).values_list("phone", flat=True).get() == PHONE


@pytest.mark.django_db
def test_queryset_update_and_bulk_update_encrypt_too(households):
    head = households["A"].memberships.get().person
    Person.objects.filter(pk=head.pk).update(phone=PHONE, chronic_illness=ILLNESS)
    _assert_sealed(head.pk)
    head.refresh_from_db()
    head.phone = "0899999999"
    Person.objects.bulk_update([head], ["phone"])
    assert "0899999999" not in _raw(head.pk)[0]
    assert Person.objects.get(pk=head.pk).phone == "0899999999"
    # "" stays "": blank tests still work.
    Person.objects.filter(pk=head.pk).update(phone="")
    assert _raw(head.pk)[0] == ""
    assert Person.objects.filter(pk=head.pk, phone="").exists()


@pytest.mark.django_db
def test_api_edit_is_encrypted_at_rest(volunteer_a, households):
    head = households["A"].memberships.get().person
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=volunteer_a).key}")
    response = client.patch(
        f"/api/people/{head.pk}/",
        {"phone": PHONE, "chronic_illness": ILLNESS, "version": head.version},
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == PHONE
    _assert_sealed(head.pk)


def _dev_key() -> str:
    """The key the fixtures' rows were encrypted with (derived from SECRET_KEY)."""
    return base64.urlsafe_b64encode(id_crypto._derived(id_crypto._DEV_ENCRYPTION_SALT)).decode()


@pytest.mark.django_db
def test_rotation_re_encrypts_phone_and_health(households):
    head = households["A"].memberships.get().person
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ID_KEYS=[old_key, _dev_key()]):
        Person.objects.filter(pk=head.pk).update(phone=PHONE, chronic_illness=ILLNESS)
        before = _raw(head.pk)
    with override_settings(ID_KEYS=[new_key, old_key, _dev_key()]):
        call_command("rotate-id-keys", verbosity=0)
    after = _assert_sealed(head.pk)
    assert after != before
    for token, plain in zip(after, (PHONE, ILLNESS), strict=True):
        assert Fernet(new_key).decrypt(token.encode()).decode() == plain
    with override_settings(ID_KEYS=[new_key]):  # the old keys removed after the rotation
        stored = Person.objects.get(pk=head.pk)
        assert stored.phone == PHONE and stored.chronic_illness == ILLNESS


@pytest.mark.django_db
def test_the_migration_encrypts_existing_plaintext(households):
    head = households["A"].memberships.get().person
    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute(
            "UPDATE registry_person SET phone = %s, chronic_illness = %s WHERE id = %s",
            [PHONE, ILLNESS, head.pk],
        )
    migration = importlib.import_module(
        "ppaos.registry.migrations.0006_encrypt_phone_health_duplicate_ids"
    )
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.encrypt_values(None, editor)
    _assert_sealed(head.pk)
    stored = Person.objects.get(pk=head.pk)
    assert stored.phone == PHONE and stored.chronic_illness == ILLNESS


@pytest.mark.django_db
def test_demo_data_is_encrypted_at_rest_and_reads_plain(geography):
    call_command("demo-data", "--seed", "7", "--households", "60", "--no-users")
    people = Person.objects.exclude(phone="").filter(is_demo=True)
    sick = Person.objects.exclude(chronic_illness="").filter(is_demo=True)
    assert people.exists() and sick.exists()
    person, patient = people.first(), sick.first()
    assert person.phone.isdigit() and len(person.phone) == 10
    assert patient.chronic_illness and not patient.chronic_illness.startswith("gAAAA")
    assert person.phone not in _raw(person.pk)[0]
    assert patient.chronic_illness not in _raw(patient.pk)[1]
