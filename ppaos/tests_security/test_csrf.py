"""CSRF: every state-changing form refuses a POST without the token (403) and changes nothing;
the same POST with the page's token (form field or htmx header) goes through."""

import pytest
from django.test import Client

from ppaos.conftest import PASSWORD
from ppaos.privacy.models import ConsentRecord
from ppaos.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(volunteer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer_a)
    return client


def _edit(household, **extra):
    return {"house_no": "7/7", "version": household.version} | extra


def test_household_edit_without_token_is_refused(strict, households):
    household = households["A"]
    url = f"/households/{household.pk}/edit/"
    response = strict.post(url, _edit(household))
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.house_no == "1/1" and household.version == 1

    token = strict.get(url).context["csrf_token"]
    assert strict.post(url, _edit(household, csrfmiddlewaretoken=str(token))).status_code == 302
    household.refresh_from_db()
    assert household.house_no == "7/7"


def test_htmx_header_token_is_accepted_and_a_wrong_one_refused(strict, households):
    household = households["A"]
    url = f"/households/{household.pk}/edit/"
    token = str(strict.get(url).context["csrf_token"])
    refused = strict.post(url, _edit(household), HTTP_X_CSRFTOKEN="x" * len(token))
    assert refused.status_code == 403
    assert strict.post(url, _edit(household), HTTP_X_CSRFTOKEN=token).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/households/{household}/members/new/",
        "/communities/{community}/households/new/",
        "/people/{person}/leave/",
        "/accounts/logout/",
        "/i18n/setlang/",
    ],
)
def test_other_forms_refuse_posts_without_token(strict, households, path):
    household = households["A"]
    url = path.format(
        household=household.pk,
        community=household.community_id,
        person=household.memberships.get().person_id,
    )
    before = (Household.objects.count(), household.memberships.filter(end_date=None).count())
    data = {"first_name": "x", "sex": "M", "relation": "child", "end_date": "1/1/2569"}
    assert strict.post(url, data | {"reason": "moved", "language": "en"}).status_code == 403
    assert (Household.objects.count(), household.memberships.filter(end_date=None).count()) == (
        before
    )


def test_privacy_actions_refuse_posts_without_token(coordinator, households):
    from ppaos.privacy.services import consent_record

    person = households["A"].memberships.get().person
    consent = consent_record(
        actor=coordinator, person=person, purpose="registry", lawful_basis="public_task"
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(f"/privacy/consents/{consent.pk}/withdraw/").status_code == 403
    assert client.post(f"/privacy/people/{person.pk}/", {"action": "erase"}).status_code == 403
    assert ConsentRecord.objects.get().withdrawn_at is None


def test_login_form_needs_the_token(volunteer_a):
    client = Client(enforce_csrf_checks=True)
    data = {"username": volunteer_a.username, "password": PASSWORD}
    assert client.post("/accounts/login/", data).status_code == 403
    token = str(client.get("/accounts/login/").context["csrf_token"])
    assert client.post("/accounts/login/", data | {"csrfmiddlewaretoken": token}).status_code == 302
