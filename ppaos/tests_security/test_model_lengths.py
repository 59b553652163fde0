"""Issue 14: a value longer than its column (or a number larger than it) is refused on every
database, as PostgreSQL refuses it, on every write path, with a clear error and never a 500.
SQLite alone would store a 300-character indicator-set code in a 50-character column. As on
PostgreSQL, the failed write spoils the transaction it is in (hence the atomic blocks)."""

import copy
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from ppaos.assessment.models import IndicatorSet
from ppaos.assessment.services import DEFAULT_SET, indicator_set_load
from ppaos.registry.models import Household, Person

LONG = "x" * 300


@pytest.fixture
def definition(db) -> dict:
    return json.loads(DEFAULT_SET.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_the_indicator_set_upload_shows_an_error_for_an_overlong_code(
    login, coordinator, definition
):
    client = login(coordinator)
    url = reverse("assessment:indicator_sets")
    bad = copy.deepcopy(definition) | {"code": LONG}
    upload = SimpleUploadedFile("set.json", json.dumps(bad).encode(), "application/json")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "50" in " ".join(response.context["form"].errors["file"])
    assert not IndicatorSet.objects.exists()


@pytest.mark.django_db
def test_save_update_and_bulk_paths_all_check_lengths(definition, households):
    with pytest.raises(ValidationError), transaction.atomic():
        indicator_set_load(definition=copy.deepcopy(definition) | {"code": LONG})
    loaded = indicator_set_load(definition=definition)
    with pytest.raises(ValidationError), transaction.atomic():
        IndicatorSet.objects.filter(pk=loaded.pk).update(version=LONG)
    loaded.name_en = "fine"
    loaded.version = LONG
    with pytest.raises(ValidationError), transaction.atomic():
        IndicatorSet.objects.bulk_update([loaded], ["version"])
    household = households["A"]
    with pytest.raises(ValidationError), transaction.atomic():
        Household.objects.bulk_create(
            [
                Household(
                    code=LONG,
                    community=household.community,
                    subdistrict=household.subdistrict,
                )
            ]
        )
    assert IndicatorSet.objects.get(pk=loaded.pk).version == definition["version"]


@pytest.mark.django_db
def test_encrypted_text_is_limited_by_its_plain_length(households):
    head = households["A"].memberships.get().person
    with pytest.raises(ValidationError), transaction.atomic():
        Person.objects.filter(pk=head.pk).update(phone="0" * 21)
    Person.objects.filter(pk=head.pk).update(phone="0" * 20)  # the token is longer: fine


@pytest.mark.django_db
def test_numbers_too_large_for_their_column_are_refused(households):
    head = households["A"].memberships.get().person
    with pytest.raises(ValidationError), transaction.atomic():
        Person.objects.filter(pk=head.pk).update(monthly_income=Decimal("100000000"))
    Person.objects.filter(pk=head.pk).update(monthly_income=Decimal("99999999.99"))
