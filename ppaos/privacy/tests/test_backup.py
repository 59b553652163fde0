"""`ppaos backup` / `ppaos restore`: a round trip loses nothing (row counts and a checksum of
every row of the registry, privacy and audit tables), on SQLite here and on PostgreSQL in CI."""

import datetime as dt
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ppaos.privacy import services
from ppaos.privacy.backup import CHECKED_TABLES, table_fingerprint
from ppaos.registry.models import Household, Person
from ppaos.registry.services import household_create, person_update


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_every_row(tmp_path, coordinator, households):
    person = households["A"].memberships.get().person
    name = person.first_name
    services.consent_record(
        actor=coordinator,
        person=person,
        purpose="registry",
        lawful_basis="consent",
        given_by="สมชาย ใจดี",
        sensitive_data=True,
    )
    services.request_open(actor=coordinator, person=person, kind="access")
    services.hold_place(actor=coordinator, person=person, reason="ตรวจสอบ")
    before = table_fingerprint()
    assert set(before) == set(CHECKED_TABLES)
    assert before["registry_household"][0] == 3 and before["registry_person"][0] == 3

    out = tmp_path / f"ppaos-{connection.vendor}.backup"
    call_command("backup", str(out))
    assert out.stat().st_size > 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # personal data: owner only

    # Life goes on after the backup ...
    household_create(actor=coordinator, community=households["B"].community, data={})
    person_update(
        actor=coordinator,
        person=person,
        expected_version=person.version,
        data={"first_name": "เปลี่ยนแล้ว", "sex": "M", "birth_date": dt.date(1980, 1, 1)},
    )
    assert table_fingerprint() != before

    # ... and the restore puts the database back exactly as it was backed up.
    call_command("restore", str(out), "--no-input")
    assert table_fingerprint() == before
    assert Household.objects.count() == 3
    assert Person.objects.get(pk=person.pk).first_name == name


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database", encoding="utf-8")
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(bogus), "--no-input")
    with pytest.raises(CommandError, match="not a file"):
        call_command("restore", str(tmp_path / "missing.backup"), "--no-input")
