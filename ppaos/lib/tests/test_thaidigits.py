"""Thai digits (๐–๙) in IDs and numbers (issue 15): "IDs typed in Thai digits are rejected"."""

import datetime as dt

import pytest
from django import forms

from ppaos.conftest import make_person
from ppaos.lib.forms import ThaiDateField
from ppaos.lib.thaidigits import normalise_id, to_ascii_digits
from ppaos.registry import id_crypto, national_id
from ppaos.registry.forms import PersonForm
from ppaos.registry.models import Person
from ppaos.registry.services import household_create

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def test_digits_become_ascii_and_ids_lose_separators():
    assert to_ascii_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"
    assert to_ascii_digits("บ้านเลขที่ ๑๒/๓") == "บ้านเลขที่ 12/3"
    assert to_ascii_digits("") == "" and to_ascii_digits(None) == ""
    assert normalise_id("๑-๒๓๔๕-๖๗๘๙๐-๑๒-๓") == "1234567890123"
    assert normalise_id(" 1 2345 67890 12 3 ") == "1234567890123"
    assert normalise_id("1–2345–67890–12–3") == "1234567890123"  # an en dash, as phones type


def test_national_id_in_thai_digits_is_valid_and_hashes_the_same():
    plain = make_person(7)["national_id"]
    thai = plain.translate(THAI)
    grouped = f"{thai[0]}-{thai[1:5]}-{thai[5:10]}-{thai[10:12]}-{thai[12]}"
    for typed in (thai, grouped):
        assert national_id.normalize(typed) == plain
        assert national_id.is_valid(typed)
        assert national_id.problem(typed) is None
    assert national_id.problem("๑๒๓") == national_id.WRONG_LENGTH


@pytest.mark.django_db
def test_keyed_hash_is_the_same_for_thai_digits():
    plain = make_person(7)["national_id"]
    assert id_crypto.lookup_hash(plain.translate(THAI)) == id_crypto.lookup_hash(plain)


def test_number_and_date_fields_accept_thai_digits():
    assert forms.IntegerField().clean("๑๒๓") == 123
    assert str(forms.DecimalField().clean("๑๒.๕")) == "12.5"
    assert ThaiDateField().clean("๑๒/๐๓/๒๕๖๗") == dt.date(2024, 3, 12)


@pytest.mark.django_db
def test_person_form_and_service_store_an_id_typed_in_thai_digits(coordinator, communities):
    from ppaos.registry.services import person_add_to_household

    plain = make_person(8)["national_id"]
    data = make_person(8) | {"national_id": plain.translate(THAI), "monthly_income": "๕๐๐๐"}
    form = PersonForm(data=data | {"birth_date": "๑/๑/๒๕๒๓"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["monthly_income"] == 5000
    household = household_create(actor=coordinator, community=communities["A"], data={})
    person = person_add_to_household(
        actor=coordinator,
        household=household,
        data=form.cleaned_data,
        relation="head",
        start_date=dt.date(2020, 1, 1),
    )
    person.refresh_from_db()
    assert person.national_id == plain
    assert Person.objects.filter(national_id_hash=id_crypto.lookup_hash(plain)).count() == 1


@pytest.mark.django_db
def test_api_accepts_an_id_in_thai_digits(volunteer_a, communities):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=volunteer_a)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    household = client.post("/api/households/", {"community": communities["A"].pk}).json()
    plain = make_person(42)["national_id"]
    response = client.post(
        "/api/people/",
        make_person(42, national_id=plain.translate(THAI))
        | {"household": household["id"], "relation": "head", "birth_date": "1980-01-01"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["national_id"] == plain
