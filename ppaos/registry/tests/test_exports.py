"""Downloads of a community's household list: scope (404 outside it), the pseudonymised form
(the only one for researchers), CSV and Excel content, and the audit row of every download."""

import csv
import io

import openpyxl
import pytest
from django.test import override_settings

from ppaos.audit.models import AuditEvent
from ppaos.registry.exports import pseudonym
from ppaos.registry.models import Person


@pytest.fixture
def login(login):
    """Headers are asserted in their English source form: ask for English."""

    def _login(user):
        client = login(user)
        client.cookies["django_language"] = "en"
        return client

    return _login


@pytest.fixture
def head_a(households):
    head = households["A"].memberships.get(relation="head").person
    Person.objects.filter(pk=head.pk).update(phone="0812345678")
    head.refresh_from_db()
    return head


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert "spreadsheetml" in response["Content-Type"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_volunteer_downloads_their_community(login, volunteer_a, households, communities, head_a):
    client = login(volunteer_a)
    a = communities["A"].pk
    rows = _csv(client.get(f"/communities/{a}/export.csv"))
    assert rows[0][0] == "Household code"
    assert [r[0] for r in rows[1:]] == [households["A"].code]
    assert head_a.full_name in rows[1] and "0812345678" in rows[1]
    assert rows[1][6] == "1"  # members
    assert (
        'filename="community-100801-01-households.csv"'
        in (client.get(f"/communities/{a}/export.csv")["Content-Disposition"])
    )
    sheet = _xlsx(client.get(f"/communities/{a}/export.xlsx"))
    assert sheet[1][0] == households["A"].code and sheet[1][7] == head_a.full_name
    events = AuditEvent.objects.filter(actor=volunteer_a, action="export")
    assert events.filter(object_label="households of community 100801-01 (csv)").count() == 2
    assert events.get(object_label="households of community 100801-01 (xlsx)").object_id == "1"
    # Another community (in scope of no role of hers), and one that does not exist: 404.
    assert client.get(f"/communities/{communities['C'].pk}/export.csv").status_code == 404
    assert client.get("/communities/999999/export.xlsx").status_code == 404
    assert client.post(f"/communities/{a}/export.csv").status_code == 405


@pytest.mark.django_db
def test_pseudonymised_drops_names_phone_address_and_ids(
    settings, login, coordinator, households, communities, head_a
):
    settings.EXPORT_K = 1  # one household per community; k: tests_security/test_k_anonymity.py
    client = login(coordinator)
    a = communities["A"].pk
    for response in (
        client.get(f"/communities/{a}/export.csv?pseudonymised=1"),
        client.get(f"/communities/{a}/export.xlsx?pseudonymised=1"),
    ):
        table = _csv(response) if response["Content-Type"].startswith("text/csv") else None
        table = table or _xlsx(response)
        assert table[0][0] == "Pseudonym"
        text = repr(table)
        household = households["A"]
        for private in [
            household.code,
            head_a.first_name,
            head_a.last_name,
            "0812345678",
            household.house_no,
        ]:
            assert private not in text, private
        assert table[1][0] == pseudonym(household)
        assert len(table[1][0]) == 64 and str(table[1][4]) == "1"
    assert (
        "pseudonymised"
        in client.get(f"/communities/{a}/export.csv?pseudonymised=1")["Content-Disposition"]
    )
    assert AuditEvent.objects.filter(
        actor=coordinator,
        action="export",
        object_label="households of community 100801-01 (csv, pseudonymised)",
    ).exists()


@pytest.mark.django_db
def test_pseudonym_is_stable_and_keyed(households):
    household = households["A"]
    first = pseudonym(household)
    assert first == pseudonym(household)
    assert first != pseudonym(households["B"])
    with override_settings(SECRET_KEY="another-key-" + "x" * 50):
        assert pseudonym(household) != first


@pytest.mark.django_db
def test_researchers_download_only_the_pseudonymised_list(
    settings, login, researcher, agency_officer, households, communities
):
    settings.EXPORT_K = 1  # one household per community; k: tests_security/test_k_anonymity.py
    client = login(researcher)
    a = communities["A"].pk
    page = client.get(f"/communities/{a}/")
    assert f"/communities/{a}/export.csv?pseudonymised=1" in page.text
    assert f"/communities/{a}/export.xlsx?pseudonymised=1" in page.text
    assert client.get(f"/communities/{a}/export.csv").status_code == 404
    assert client.get(f"/communities/{a}/export.xlsx?pseudonymised=0").status_code == 404
    rows = _csv(client.get(f"/communities/{a}/export.csv?pseudonymised=1"))
    assert rows[1][0] == pseudonym(households["A"])
    assert _xlsx(client.get(f"/communities/{a}/export.xlsx?pseudonymised=1"))[0][0] == "Pseudonym"
    # An agency officer sees no community at all.
    agency = login(agency_officer)
    assert agency.get(f"/communities/{a}/export.csv?pseudonymised=1").status_code == 404
    assert agency.get(f"/communities/{a}/export.xlsx").status_code == 404


@pytest.mark.django_db
def test_page_links_and_anonymous(client, login, volunteer_a, communities):
    a = communities["A"].pk
    anonymous = client.get(f"/communities/{a}/export.csv")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    page = login(volunteer_a).get(f"/communities/{a}/")
    assert f'href="/communities/{a}/export.csv"' in page.text
    assert f'href="/communities/{a}/export.xlsx"' in page.text


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_stays_text(login, coordinator, households, communities):
    households["A"].__class__.objects.filter(pk=households["A"].pk).update(
        house_no='=HYPERLINK("x")'
    )
    client = login(coordinator)
    a = communities["A"].pk
    rows = _csv(client.get(f"/communities/{a}/export.csv"))
    assert rows[1][3].startswith("'=HYPERLINK")
    sheet = _xlsx(client.get(f"/communities/{a}/export.xlsx"))
    assert sheet[1][3].startswith("'=HYPERLINK")
