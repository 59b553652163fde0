"""Injection through filters and search: SQL metacharacters and LIKE wildcards in the
community household search and the audit filters are matched literally, answer normally, and
leave the tables as they were."""

import pytest

from ppaos.audit.models import AuditEvent
from ppaos.registry.models import Household, Person
from ppaos.registry.services import household_create

pytestmark = pytest.mark.django_db

ATTACKS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE registry_household; --",
    "%",
    "_",
    "\\",
    "%' UNION SELECT national_id FROM registry_person --",
    "ซอย'--",
]


@pytest.fixture
def odd_households(coordinator, communities, households):
    """Households whose house numbers hold the wildcard characters themselves."""
    for house_no in ("50%", "5_1", "7\\2"):
        household_create(actor=coordinator, community=communities["A"], data={"house_no": house_no})
    return communities["A"]


def _listed(response) -> set[str]:
    return {h.house_no for h in response.context["page"]}


@pytest.mark.parametrize("query", ATTACKS)
def test_household_search_matches_literally(login, coordinator, odd_households, query):
    client = login(coordinator)
    before = (Household.objects.count(), Person.objects.count())
    response = client.get(f"/communities/{odd_households.pk}/", {"q": query})
    assert response.status_code == 200
    expected = {
        h.house_no
        for h in Household.objects.filter(community=odd_households)
        if query.strip() and (query.strip() in h.code or query.strip() in h.house_no)
    }
    if not query.strip():
        expected = {h.house_no for h in Household.objects.filter(community=odd_households)}
    assert _listed(response) == expected
    assert (Household.objects.count(), Person.objects.count()) == before


def test_wildcards_find_only_their_own_household(login, coordinator, odd_households):
    client = login(coordinator)
    url = f"/communities/{odd_households.pk}/"
    assert _listed(client.get(url, {"q": "%"})) == {"50%"}
    assert _listed(client.get(url, {"q": "_"})) == {"5_1"}
    assert _listed(client.get(url, {"q": "\\"})) == {"7\\2"}


@pytest.mark.parametrize("query", ATTACKS)
def test_audit_filters_match_literally(login, coordinator, households, query):
    client = login(coordinator)
    events = AuditEvent.objects.count()
    assert events > 0
    for field in ("actor", "object_id"):
        response = client.get("/audit/", {field: query})
        assert response.status_code == 200
        shown = list(response.context["page"])
        if field == "actor":
            expected = [e for e in AuditEvent.objects.all() if query in e.actor_username]
        else:
            expected = [e for e in AuditEvent.objects.all() if e.object_id == query]
        assert {e.pk for e in shown} == {e.pk for e in expected}, (field, query)
    # Fields with a type refuse the input with a message instead of passing it on.
    for field in ("ip_address", "date_from", "action"):
        response = client.get("/audit/", {field: query})
        assert response.status_code == 200
        assert response.context["form"].errors.get(field), (field, query)
    assert AuditEvent.objects.filter(action="view").count() == 0
    assert AuditEvent.objects.count() == events


def test_nul_characters_are_refused_with_400_not_a_server_error(login, coordinator, households):
    """PostgreSQL cannot hold NUL in text: the search would fail with a 500 there."""
    client = login(coordinator)
    household = households["A"]
    assert client.get(f"/communities/{household.community_id}/", {"q": "1\x00"}).status_code == 400
    assert client.get("/audit/", {"actor": "\x00"}).status_code == 400
    edit = client.post(
        f"/households/{household.pk}/edit/", {"house_no": "1\x00", "version": household.version}
    )
    assert edit.status_code == 400
    household.refresh_from_db()
    assert household.version == 1


def test_nul_characters_in_the_api_get_a_json_400(coordinator, households):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(coordinator)
    response = client.get("/api/households/", {"code": "1\x00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and response.json()["detail"]
