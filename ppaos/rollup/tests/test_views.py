"""The national dashboard: provinces → districts → communities, for those who hold
`view_national_rollup` (coordinators, administrators); 404 for everyone else."""

import pytest

from ppaos.rollup import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(refreshed, signing_key, tmp_path):
    path = services.rollup_export(out=tmp_path / "p.json", period="2026-01").path
    services.province_key_register(
        province_code="10", public_key_pem=signing_key[1].read_text(encoding="ascii")
    )
    return services.rollup_import(path=path).package


PAGES = ["/national/", "/national/p/10/", "/national/p/10/d/1008/"]


def test_coordinators_see_provinces_districts_and_communities(imported, coordinator, login):
    client = login(coordinator)
    page = client.get("/national/").content.decode()
    assert 'href="/national/p/10/"' in page and "Bangkok" in page
    assert 'id="nav-national"' in client.get("/").content.decode()  # in the menu
    page = client.get("/national/p/10/").content.decode()
    assert 'href="/national/p/10/d/1008/"' in page and "Jan 2026" in page
    page = client.get("/national/p/10/d/1008/").content.decode()
    assert 'data-code="100801-01"' in page and 'data-code="100905-01"' not in page
    assert "&lt; 5" in page  # small counts as the province published them


def test_the_page_in_thai_shows_buddhist_era_periods(imported, coordinator, login):
    client = login(coordinator)
    client.cookies["django_language"] = "th"
    page = client.get("/national/p/10/").content.decode()
    assert "ม.ค. 2569" in page and "กรุงเทพมหานคร" in page


@pytest.mark.parametrize(
    "role", ["researcher", "district_officer", "volunteer_a", "agency_officer"]
)
@pytest.mark.parametrize("url", PAGES)
def test_other_roles_get_404(imported, role, url, login, request):
    client = login(request.getfixturevalue(role))
    assert client.get(url).status_code == 404
    assert 'id="nav-national"' not in client.get("/").content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(imported, client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "url", ["/national/p/11/", "/national/p/10/d/1101/", "/national/p/10/d/x/"]
)
def test_areas_the_roll_up_does_not_hold_are_404(imported, coordinator, login, url):
    assert login(coordinator).get(url).status_code == 404


def test_the_admin_registers_a_key_through_the_service(admin_client, keys):
    from ppaos.audit.models import AuditEvent
    from ppaos.rollup.models import ProvinceKey

    url = "/admin/rollup/provincekey/add/"
    bad = admin_client.post(url, {"province_code": "10", "public_key": "not a key", "note": ""})
    assert bad.status_code == 200 and not ProvinceKey.objects.exists()
    pem = keys[1].read_text(encoding="ascii")
    response = admin_client.post(url, {"province_code": "10", "public_key": pem, "note": "x"})
    assert response.status_code == 302
    key = ProvinceKey.objects.get()
    assert key.province_code == "10" and len(key.fingerprint) == 64
    assert AuditEvent.objects.filter(object_type="rollup.provincekey", object_id="10").count() == 1
