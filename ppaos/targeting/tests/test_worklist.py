"""The volunteer's worklist: heads, statuses and progress, filter and sort, the map, new
households, and the home page's "visits left"."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ppaos.conftest import make_person
from ppaos.registry.models import Household
from ppaos.registry.services import household_create, person_add_to_household
from ppaos.targeting import selectors
from ppaos.targeting.forms import VisitForm
from ppaos.targeting.models import Visit
from ppaos.targeting.services import campaign_assign, visit_record
from ppaos.targeting.tests.conftest import assess, visit_data


def worklist_url(campaign) -> str:
    return f"/targeting/campaigns/{campaign.pk}/worklist/"


def add_household(community, actor, *, n: int, house_no: str, first_name: str, **person):
    household = household_create(actor=actor, community=community, data={"house_no": house_no})
    person_add_to_household(
        actor=actor,
        household=household,
        data=make_person(n, first_name=first_name, **person),
        relation="head",
        start_date=dt.date(2020, 1, 1),
    )
    return household


def visit(campaign, household, volunteer, **extra):
    return visit_record(
        campaign=campaign, household=household, volunteer=volunteer, **visit_data(**extra)
    )


@pytest.fixture
def street(campaign, households, coordinator):
    """Community A: household A (listed, house 1/1) and three more with named heads."""
    community = households["A"].community
    return {
        "A": households["A"],
        "manee": add_household(community, coordinator, n=11, house_no="10/2", first_name="มานี"),
        "kitti": add_household(community, coordinator, n=12, house_no="2/7", first_name="กิตติ"),
        "ekkachai": add_household(community, coordinator, n=13, house_no="33", first_name="เอกชัย"),
    }


@pytest.mark.django_db
def test_worklist_shows_heads_statuses_and_progress(
    login, campaign, street, volunteer_a, coordinator
):
    visit(campaign, street["manee"], volunteer_a, outcome="not_poor")
    conflict = visit(campaign, street["kitti"], volunteer_a)
    Visit.objects.filter(pk=conflict.pk).update(status=Visit.Status.CONFLICT)
    page = login(volunteer_a).get(worklist_url(campaign))
    assert page.status_code == 200
    work = page.context["work"]
    assert (work.done, work.total, work.left) == (2, 4, 2)
    assert work.counts == {"not_visited": 2, "visited": 1, "conflict": 1}
    statuses = {r.household.code: r.status for r in work.rows}
    assert statuses[street["manee"].code] == "visited"
    assert statuses[street["kitti"].code] == "conflict"
    assert statuses[street["A"].code] == "not_visited"
    assert "2 จาก 4" in page.text or "2 of 4" in page.text
    for name in ("นายสมชาย1 ใจดี", "นายมานี ใจดี", "นายกิตติ ใจดี", "นายเอกชัย ใจดี"):
        assert name in page.text
    assert page.text.count('data-status="conflict"') == 1


@pytest.mark.django_db
def test_a_visit_that_disagrees_with_the_survey_shows_as_conflict(
    login, campaign, street, volunteer_a
):
    assess(street["manee"], "not_poor")
    visit(campaign, street["manee"], volunteer_a, outcome="confirmed_poor")  # awaits review
    assess(street["kitti"], "poor")
    visit(campaign, street["kitti"], volunteer_a, outcome="confirmed_poor")  # agrees
    work = selectors.worklist_rows(user=volunteer_a, campaign=campaign)
    statuses = {r.household.pk: r.status for r in work.rows}
    assert statuses[street["manee"].pk] == "conflict"
    assert statuses[street["kitti"].pk] == "visited"


@pytest.mark.django_db
def test_worklist_filters_by_status_and_text(login, campaign, street, volunteer_a):
    visit(campaign, street["manee"], volunteer_a)
    client = login(volunteer_a)

    def codes(**query):
        return [r.household.code for r in client.get(worklist_url(campaign), query).context["rows"]]

    assert codes(status="visited") == [street["manee"].code]
    assert set(codes(status="not_visited")) == {street[k].code for k in ("A", "kitti", "ekkachai")}
    assert codes(status="conflict") == []
    assert codes(q="กิตติ") == [street["kitti"].code]  # the head's name
    assert codes(q="10/2") == [street["manee"].code]  # the address
    assert codes(q=street["ekkachai"].code) == [street["ekkachai"].code]  # the code
    assert codes(q="กิตติ", status="visited") == []
    assert codes(status="nonsense") == codes()  # an unknown status shows everything
    page = client.get(worklist_url(campaign), {"q": "ไม่มีใครชื่อนี้"})
    assert page.status_code == 200 and page.context["rows"] == []


@pytest.mark.django_db
def test_worklist_sorts_by_address_status_and_name(login, campaign, street, volunteer_a):
    visit(campaign, street["kitti"], volunteer_a)
    client = login(volunteer_a)

    def order(sort):
        rows = client.get(worklist_url(campaign), {"sort": sort}).context["rows"]
        return [r.household.pk for r in rows]

    s = {k: h.pk for k, h in street.items()}
    # House numbers in number order: 1/1, 2/7, 10/2, 33.
    assert order("address") == [s["A"], s["kitti"], s["manee"], s["ekkachai"]]
    # Not visited first (in address order), visited last.
    assert order("status") == [s["A"], s["manee"], s["ekkachai"], s["kitti"]]
    # Thai order: กิตติ, มานี, สมชาย1, เอกชัย (a leading vowel sorts by its consonant, อ).
    assert order("name") == [s["kitti"], s["manee"], s["A"], s["ekkachai"]]
    # Default: target-list households first.
    assert order("")[0] == s["A"]


@pytest.mark.django_db
def test_htmx_gets_only_the_results(login, campaign, street, volunteer_a):
    client = login(volunteer_a)
    full = client.get(worklist_url(campaign), {"q": "มานี"})
    assert 'id="worklist-filter"' in full.text and 'hx-get="' in full.text
    partial = client.get(worklist_url(campaign), {"q": "มานี"}, HTTP_HX_REQUEST="true")
    assert 'id="worklist-filter"' not in partial.text and "<html" not in partial.text
    assert street["manee"].code in partial.text and street["kitti"].code not in partial.text


@pytest.mark.django_db
def test_out_of_scope_households_never_appear(login, campaign, street, households, volunteer_a):
    client = login(volunteer_a)
    page = client.get(worklist_url(campaign))
    for key in ("B", "C"):
        assert households[key].code not in page.text
    # Searching for the head of household B (สมชาย2) finds nothing.
    found = client.get(worklist_url(campaign), {"q": "สมชาย2"})
    assert found.context["rows"] == []
    assert "สมชาย2" not in found.text.replace('value="สมชาย2"', "")


@pytest.mark.django_db
def test_new_household_appears_with_a_record_visit_link(
    login, campaign, households, volunteer_a, coordinator
):
    campaign.opened_on = dt.date.today() - dt.timedelta(days=3)
    campaign.save(update_fields=["opened_on"])
    Household.objects.filter(pk=households["A"].pk).update(
        created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    # The volunteer finds a household that was not listed and registers it (no members yet).
    client = login(volunteer_a)
    response = client.post(
        reverse("registry:household_create", args=[households["A"].community.pk]),
        {"house_no": "99/9", "postal_code": "10200"},
    )
    new = Household.objects.filter(house_no="99/9").first()
    if new is None:  # the registry form asks for more: create it through the service
        new = household_create(
            actor=volunteer_a, community=households["A"].community, data={"house_no": "99/9"}
        )
    assert response.status_code in (200, 302)
    page = client.get(worklist_url(campaign))
    row = next(r for r in page.context["rows"] if r.household.pk == new.pk)
    assert row.is_new and row.head is None and row.status == "not_visited"
    visit_link = f"/targeting/campaigns/{campaign.pk}/households/{new.pk}/visit/"
    assert page.text.count(f'href="{visit_link}"') == 1
    assert client.get(visit_link).status_code == 200
    # The household's own page links to the visit too.
    detail = client.get(f"/households/{new.pk}/")
    assert detail.status_code == 200
    assert f'href="{visit_link}"' in detail.text
    assert 'id="household-visit-links"' in detail.text


@pytest.mark.django_db
def test_every_household_has_a_record_visit_link(login, campaign, street, volunteer_a):
    page = login(volunteer_a).get(worklist_url(campaign))
    for household in street.values():
        link = f"/targeting/campaigns/{campaign.pk}/households/{household.pk}/visit/"
        assert f'href="{link}"' in page.text


@pytest.mark.django_db
def test_visit_outcome_has_no_default_and_is_required(campaign, households):
    from ppaos.assessment.selectors import indicator_set_active

    form = VisitForm(indicator_set=indicator_set_active())
    assert form.fields["outcome"].required
    assert form.fields["outcome"].choices[0][0] == ""
    assert 'value="" selected' in str(form["outcome"])
    posted = VisitForm(
        {"visited_on": "10/01/2569", "outcome": ""}, indicator_set=indicator_set_active()
    )
    assert not posted.is_valid() and "outcome" in posted.errors


@pytest.mark.django_db
def test_home_shows_visits_left_with_a_link_to_the_worklist(login, campaign, street, volunteer_a):
    visit(campaign, street["manee"], volunteer_a)
    visit(campaign, street["manee"], volunteer_a)  # a second visit counts once
    page = login(volunteer_a).get("/")
    assert page.status_code == 200
    (progress,) = page.context["campaigns"]
    assert (progress.done, progress.total, progress.left) == (1, 4, 3)
    assert 'id="my-worklists"' in page.text
    assert f'href="/targeting/campaigns/{campaign.pk}/worklist/"' in page.text
    assert "3 จาก 4" in page.text or "3 of 4" in page.text


@pytest.mark.django_db
def test_home_leaves_out_closed_campaigns(login, campaign, volunteer_a):
    campaign.is_open = False
    campaign.save(update_fields=["is_open"])
    page = login(volunteer_a).get("/")
    assert not page.context["campaigns"] and 'id="my-worklists"' not in page.text


@pytest.mark.django_db
def test_worklist_queries_do_not_grow_with_households(
    login, campaign, street, volunteer_a, coordinator, django_assert_max_num_queries
):
    client = login(volunteer_a)
    visit(campaign, street["manee"], volunteer_a)
    with CaptureQueriesContext(connection) as few:
        client.get(worklist_url(campaign), {"sort": "name"})
    community = street["A"].community
    for n in range(20, 32):
        household = add_household(
            community, coordinator, n=n, house_no=f"{n}/1", first_name=f"ชื่อ{n}"
        )
        visit(campaign, household, volunteer_a)
    assess(street["kitti"], "not_poor")
    visit(campaign, street["kitti"], volunteer_a)
    with CaptureQueriesContext(connection) as many:
        page = client.get(worklist_url(campaign), {"sort": "name"})
    assert page.context["work"].total == 16
    assert len(many) <= len(few) + 1  # the survey check runs once there is a visit to check
    with django_assert_max_num_queries(len(few) + 1):
        client.get(worklist_url(campaign), {"status": "visited", "q": "ชื่อ"})


@pytest.mark.django_db
def test_map_shows_households_with_a_location_as_text(login, campaign, street, volunteer_a):
    client = login(volunteer_a)
    empty = client.get(worklist_url(campaign), {"view": "map"})
    assert 'id="map-empty"' in empty.text and "worklist_map.js" not in empty.text
    marked = street["manee"]
    Household.objects.filter(pk=marked.pk).update(
        latitude=Decimal("13.75"), longitude=Decimal("100.50"), soi="<img src=x onerror=alert(1)>"
    )
    page = client.get(worklist_url(campaign), {"view": "map"})
    assert "worklist_map.js" in page.text
    assert "<img src=x" not in page.text
    block = page.text.split('id="worklist-map-data" type="application/json">')[1].split(
        "</script>"
    )[0]
    data = json.loads(block)
    (point,) = data["points"]
    assert point["code"] == marked.code and point["head"] == "นายมานี ใจดี"
    assert "<img src=x onerror=alert(1)>" in point["address"]  # data; the script sets it as text
    assert point["url"] == f"/targeting/campaigns/{campaign.pk}/households/{marked.pk}/visit/"
    assert data["unmapped"] == 3 and 'id="map-unmapped"' in page.text
    # The list stays under the map; the filter keeps the map view.
    assert 'id="worklist"' in page.text and 'name="view" value="map"' in page.text


@pytest.mark.django_db
def test_map_script_sets_data_as_text_only():
    from pathlib import Path

    script = (Path(__file__).parents[2] / "static/ppaos/worklist_map.js").read_text()
    assert "innerHTML =" not in script and "insertAdjacentHTML" not in script
    assert "textContent" in script


@pytest.mark.django_db
def test_volunteer_of_another_community_sees_only_their_own(
    login, campaign, street, households, communities
):
    from ppaos.accounts.models import Role
    from ppaos.accounts.services import role_assign, user_create

    other = user_create(username="vol_b", password="x-long-password-1", first_name="b")
    role_assign(user=other, role=Role.VOLUNTEER, community=communities["B"])
    campaign_assign(campaign=campaign, community=communities["B"], volunteer=other)
    page = login(other).get(worklist_url(campaign))
    codes = {r.household.code for r in page.context["rows"]}
    assert codes == {households["B"].code}


@pytest.mark.django_db
def test_worklist_page_load_is_audited_but_not_each_filter_keystroke(
    login, campaign, street, volunteer_a
):
    from ppaos.audit.models import AuditEvent

    client = login(volunteer_a)
    client.get(worklist_url(campaign))
    client.get(worklist_url(campaign), {"q": "มา"}, HTTP_HX_REQUEST="true")
    events = AuditEvent.objects.filter(object_label__startswith="worklist")
    assert [e.object_label for e in events] == ["worklist (4 of 4 households)"]
