"""The public transparency page: no sign-in, suppressed aggregates and the use of the fund
(cash paid, or what the district office bought and delivered), and no one's name (not the
members', the proposers', the payees' or the suppliers')."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ppaos.community import procurement, services
from ppaos.registry.models import Person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def spent(approved, leader_a):
    return services.expenditure_record(
        actor=leader_a,
        proposal=approved,
        spent_on=dt.date(2026, 2, 1),
        amount=Decimal("12500.75"),
        payee="นายสมปอง ช่างไม้",
        description="ค่าแรงซ่อมทางเดิน",
        receipt=SimpleUploadedFile("r.pdf", PDF),
    )


def test_public_page_shows_fund_use_and_suppressed_figures(client, picture, spent):
    client.cookies["django_language"] = "en"
    community = picture["community"]
    response = client.get(f"/public/communities/{community.pk}/")
    assert response.status_code == 200
    page = response.text
    for figure in ("200,000.00", "50,000.00", "12,500.75", "187,499.25"):
        assert figure in page, figure
    assert "ค่าแรงซ่อมทางเดิน" in page and "ซ่อมทางเดินในชุมชน" in page
    assert "31 for, 4 against, 5 abstained of 40 present" in page
    # Aggregates, suppressed: 7 households shown, 1 disability card hidden.
    assert 'data-count="households">7<' in page
    assert 'data-count="disability">&lt; 5<' in page
    assert not response.context["book"].exact
    # No names: not the payee, not the proposer, not any member of the registry.
    assert "สมปอง" not in page and "ประไพ" not in page
    for person in Person.objects.all():
        assert person.first_name not in page, person.first_name
        assert person.last_name not in page or person.last_name == "", person.last_name
    # No link into the registry or to the receipt.
    assert "/receipt/" not in page and "/households/" not in page


def test_public_page_shows_district_procurement_without_names(
    client, picture, bangkok_approved, leader_a, district_officer
):
    """Bangkok's default: what the district bought for the community, with its steps."""
    item = procurement.procurement_request(
        actor=leader_a,
        proposal=bangkok_approved,
        items="ปูนซีเมนต์ 20 ถุง",
        amount_requested=Decimal("50000"),
        requested_on=dt.date(2026, 1, 15),
    )
    item = procurement.procurement_purchase(
        actor=district_officer,
        procurement=item,
        expected_version=item.version,
        procured_on=dt.date(2026, 2, 1),
        method="specific",
        amount=Decimal("48000"),
        supplier="หจก.สมปองวัสดุ",
        reference="PO 12/2569",
    )
    item = procurement.procurement_deliver(
        actor=district_officer,
        procurement=item,
        expected_version=item.version,
        delivered_on=dt.date(2026, 2, 10),
        delivery_note="ครบ",
    )
    procurement.procurement_confirm(
        actor=leader_a,
        procurement=item,
        expected_version=item.version,
        received_on=dt.date(2026, 2, 11),
        complete=False,
        note="ขาด 2 ถุง",
    )
    client.cookies["django_language"] = "en"
    page = client.get(f"/public/communities/{picture['community'].pk}/").text
    for figure in ("200,000.00", "50,000.00", "48,000.00", "152,000.00"):
        assert figure in page, figure
    assert "Receipt confirmed by the community" in page and "with problems" in page
    assert "Specific method" in page
    # Neither the supplier, nor the proposer, nor the purchase order.
    assert "สมปอง" not in page and "ประไพ" not in page and "PO 12" not in page
    assert "/community/fund/requests/" not in page


def test_public_page_is_suppressed_even_for_registry_roles(client, leader_a, picture):
    client.force_login(leader_a)
    response = client.get(f"/public/communities/{picture['community'].pk}/")
    assert not response.context["book"].exact
    assert response.context["book"].disability is None


def test_unknown_community_is_404(client, communities):
    assert client.get("/public/communities/999999/").status_code == 404


def test_community_without_a_fund_says_so(client, communities):
    response = client.get(f"/public/communities/{communities['B'].pk}/")
    assert response.status_code == 200
    assert 'id="no-fund"' in response.text
