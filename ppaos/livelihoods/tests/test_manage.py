"""Managing programmes: who may set them up, over which communities; enrolment changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ppaos.accounts.scope import AreaSet
from ppaos.audit.models import AuditEvent
from ppaos.livelihoods import services
from ppaos.livelihoods.models import Enrolment, Partner, Programme, Stage
from ppaos.livelihoods.tests.factories import head, programme

pytestmark = pytest.mark.django_db

NEW = {
    "code": "NEW-1",
    "name_th": "ตลาดผักปลอดสาร",
    "name_en": "Safe vegetables market",
    "kind": "market_linkage",
    "description": "ปลูกผักขายตลาดเขต",
    "start_date": "1/6/2568",
}


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def test_coordinator_creates_programme_with_stages_and_partners(login, coordinator, communities):
    client = _en(login(coordinator))
    assert 'id="programme-create"' in client.get(reverse("livelihoods:programmes")).text
    answer = client.post(
        reverse("livelihoods:programme_create"),
        {**NEW, "communities": [communities["A"].pk, communities["C"].pk]},
    )
    p = Programme.objects.get(code="NEW-1")
    assert answer.url == reverse("livelihoods:programme", args=[p.pk])
    assert p.start_date == dt.date(2025, 6, 1)
    assert set(p.communities.all()) == {communities["A"], communities["C"]}
    for name in ("ปลูก", "ขาย"):
        client.post(reverse("livelihoods:stage_add", args=[p.pk]), {"name_th": name})
    # "คัดแยก" goes between the two.
    client.post(reverse("livelihoods:stage_add", args=[p.pk]), {"name_th": "คัดแยก", "position": 2})
    assert [s.name_th for s in p.stages.order_by("position")] == ["ปลูก", "คัดแยก", "ขาย"]
    sell = p.stages.get(name_th="ขาย")
    client.post(
        reverse("livelihoods:partner_add", args=[p.pk]),
        {"kind": "buyer", "name": "ตลาดไท", "contact": "02-000-0000", "stage": sell.pk},
    )
    partner = Partner.objects.get(programme=p)
    assert (partner.kind, partner.contact, partner.stage) == ("buyer", "02-000-0000", sell)
    # Move the last stage first; the others close up.
    client.post(
        reverse("livelihoods:stage_edit", args=[sell.pk]), {"name_th": "ขาย", "position": 1}
    )
    assert [s.name_th for s in p.stages.order_by("position")] == ["ขาย", "ปลูก", "คัดแยก"]
    client.post(
        reverse("livelihoods:partner_edit", args=[partner.pk]),
        {"kind": "lender", "name": "กองทุนชุมชน", "contact": ""},
    )
    partner.refresh_from_db()
    assert (partner.kind, partner.name, partner.stage) == ("lender", "กองทุนชุมชน", None)
    for url in (
        reverse("livelihoods:programme_edit", args=[p.pk]),
        reverse("livelihoods:stage_add", args=[p.pk]),
        reverse("livelihoods:stage_edit", args=[sell.pk]),
        reverse("livelihoods:partner_add", args=[p.pk]),
        reverse("livelihoods:partner_edit", args=[partner.pk]),
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("livelihoods:programme", args=[p.pk])).text
    assert "ตลาดผักปลอดสาร" in page and "กองทุนชุมชน" in page and 'id="programme-edit"' in page
    assert "ตลาดผักปลอดสาร" in client.get(reverse("livelihoods:programmes")).text
    audited = AuditEvent.objects.filter(actor=coordinator, object_type__startswith="livelihoods.")
    assert audited.filter(action="create", object_type="livelihoods.stage").count() == 3
    assert audited.filter(action="update", object_type="livelihoods.partner").exists()


def test_district_officer_cannot_attach_a_community_outside_the_district(
    login, district_officer, communities
):
    client = _en(login(district_officer))
    page = client.get(reverse("livelihoods:programme_create")).text
    assert communities["A"].name in page and communities["C"].name not in page
    answer = client.post(
        reverse("livelihoods:programme_create"),
        {**NEW, "communities": [communities["A"].pk, communities["C"].pk]},
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors["communities"]
    assert not Programme.objects.exists()
    answer = client.post(reverse("livelihoods:programme_create"), {**NEW, "communities": []})
    assert answer.context["form"].errors["communities"]
    assert not Programme.objects.exists()


def test_district_officer_edit_keeps_communities_outside_the_district(
    login, district_officer, coordinator, communities
):
    p = programme(coordinator, [communities["A"], communities["C"]])
    client = _en(login(district_officer))
    data = {**NEW, "name_th": "ชื่อใหม่", "communities": [communities["B"].pk]}
    data.pop("code")
    answer = client.post(reverse("livelihoods:programme_edit", args=[p.pk]), data)
    assert answer.status_code == 302
    p.refresh_from_db()
    assert p.name_th == "ชื่อใหม่" and p.code == "P1"
    # A was the officer's to take off; C belongs to another district and stays.
    assert set(p.communities.all()) == {communities["B"], communities["C"]}
    event = AuditEvent.objects.get(action="update", object_type="livelihoods.programme")
    assert event.changes["name_th"][1] == "ชื่อใหม่" and "communities" in event.changes
    # A programme only in C is not the district officer's.
    only_c = programme(coordinator, [communities["C"]], code="P-C")
    assert client.get(reverse("livelihoods:programme_edit", args=[only_c.pk])).status_code == 404


@pytest.fixture
def enrolled(households, communities, coordinator):
    p = programme(coordinator, [communities["A"], communities["B"]])
    e = services.enrolment_create(
        actor=coordinator, programme=p, person=head(households["A"]), start_date=dt.date(2025, 7, 1)
    )
    return p, e


@pytest.mark.parametrize("username", ["volunteer_a", "leader_a", "researcher", "agency_officer"])
def test_others_get_404_on_the_manage_pages(username, enrolled, login, request):
    p, e = enrolled
    client = login(request.getfixturevalue(username))
    stage, partner = p.stages.first(), p.partners.first()
    urls = [
        reverse("livelihoods:programme_create"),
        reverse("livelihoods:programme_edit", args=[p.pk]),
        reverse("livelihoods:stage_add", args=[p.pk]),
        reverse("livelihoods:stage_edit", args=[stage.pk]),
        reverse("livelihoods:partner_add", args=[p.pk]),
        reverse("livelihoods:partner_edit", args=[partner.pk]),
        reverse("livelihoods:enrolment_edit", args=[e.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {**NEW, "name_th": "x", "status": "left"}).status_code == 404
    assert Programme.objects.count() == 1 and Stage.objects.count() == 3
    assert Enrolment.objects.get().status == "active"
    if username in ("volunteer_a", "leader_a", "researcher"):
        page = client.get(reverse("livelihoods:programme", args=[p.pk])).text
        assert 'id="programme-edit"' not in page and 'id="stage-add"' not in page
        assert 'id="programme-create"' not in client.get(reverse("livelihoods:programmes")).text


def test_enrolment_status_change_is_audited_and_stale_edit_refused(
    enrolled, login, district_officer
):
    p, e = enrolled
    client = _en(login(district_officer))
    url = reverse("livelihoods:enrolment_edit", args=[e.pk])
    assert 'id="enrolment-edit"' in client.get(reverse("livelihoods:enrolment", args=[e.pk])).text
    marketing = p.stages.get(position=3)
    # Leaving needs an end date.
    answer = client.post(url, {"status": "left", "version": e.version})
    assert answer.context["form"].errors["end_date"]
    answer = client.post(
        url,
        {"stage": marketing.pk, "status": "left", "end_date": "31/12/2568", "version": e.version},
    )
    assert answer.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.end_date, e.stage) == ("left", dt.date(2025, 12, 31), marketing)
    assert e.version == 2
    event = AuditEvent.objects.get(action="update", object_type="livelihoods.enrolment")
    assert event.actor == district_officer
    assert event.changes["status"] == ["active", "left"]
    assert event.changes["end_date"] == [None, "2025-12-31"]
    # A second editor who opened the page at version 1 is refused, nothing overwritten.
    answer = client.post(url, {"status": "completed", "end_date": "1/1/2569", "version": 1})
    assert answer.status_code == 200 and 'id="conflicts"' in answer.text
    e.refresh_from_db()
    assert (e.status, e.version) == ("left", 2)
    updates = AuditEvent.objects.filter(object_type="livelihoods.enrolment", action="update")
    assert updates.count() == 1
    # Reopening: active again, no end date.
    answer = client.post(url, {"status": "active", "stage": marketing.pk, "version": 2})
    assert answer.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.end_date) == ("active", None)


def test_enrolment_in_another_district_is_not_the_officers(
    households, communities, coordinator, district_officer, login
):
    p = programme(coordinator, [communities["C"]], code="P-C")
    e = services.enrolment_create(
        actor=coordinator, programme=p, person=head(households["C"]), start_date=dt.date(2025, 7, 1)
    )
    client = login(district_officer)
    assert client.get(reverse("livelihoods:enrolment_edit", args=[e.pk])).status_code == 404
    url = reverse("livelihoods:enrolment_edit", args=[e.pk])
    assert login(coordinator).get(url).status_code == 200


def test_reopening_is_refused_while_another_enrolment_is_active(enrolled, coordinator):
    p, e = enrolled
    services.enrolment_update(
        actor=coordinator,
        enrolment=e,
        expected_version=1,
        stage=None,
        status="completed",
        end_date=dt.date(2025, 9, 1),
    )
    services.enrolment_create(
        actor=coordinator, programme=p, person=e.person, start_date=dt.date(2025, 10, 1)
    )
    with pytest.raises(ValidationError):
        services.enrolment_update(
            actor=coordinator,
            enrolment=e,
            expected_version=2,
            stage=None,
            status="active",
            end_date=None,
        )


def test_a_community_with_active_members_stays_attached(enrolled, coordinator, communities):
    p, _e = enrolled
    area = AreaSet(prefixes=frozenset({"10"}))
    with pytest.raises(ValidationError) as refused:
        services.programme_update(
            actor=coordinator, programme=p, data={}, communities=[communities["B"]], within=area
        )
    assert list(refused.value.message_dict) == ["communities"]
    assert set(p.communities.all()) == {communities["A"], communities["B"]}
