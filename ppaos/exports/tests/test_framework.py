"""The export framework on the household list of an area: scope (same rows as the page's
selector, 404 outside), the pseudonymised form (the only one for researchers), large exports as
background jobs only their owner can download, expiry, and the audit rows."""

import datetime as dt

import pytest
from django.utils import timezone

from ppaos.audit.models import AuditEvent
from ppaos.exports.models import ExportJob
from ppaos.exports.services import export_cleanup
from ppaos.exports.tests.helpers import column, read, url
from ppaos.lib import exports as lib
from ppaos.registry.exports import pseudonym
from ppaos.registry.models import Household, Person
from ppaos.registry.selectors import household_list


@pytest.fixture
def login(login):
    def _login(user):
        client = login(user)
        client.cookies["django_language"] = "en"
        return client

    return _login


def _codes(user, area: str) -> list[str]:
    selected = household_list(user=user).filter(community__subdistrict__code__startswith=area)
    return sorted(selected.values_list("code", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "district_officer", "volunteer_a", "leader_a"])
def test_area_list_holds_exactly_the_rows_of_the_selector(request, login, households, who):
    user = request.getfixturevalue(who)
    client = login(user)
    table = read(client.get(url("households", area="1008")))
    assert sorted(column(table, "Household code")) == _codes(user, "1008")
    assert table[0][0] == "Household code" and "Head of household" in table[0]
    sheet = read(client.get(url("households", "xlsx", area="1008")))
    assert sheet == table


@pytest.mark.django_db
def test_out_of_scope_areas_and_bad_parameters_are_404(
    client, login, households, district_officer, agency_officer
):
    assert client.get(url("households", area="1008")).status_code == 302  # to the login
    officer = login(district_officer)
    assert officer.get(url("households", area="1009")).status_code == 404
    assert officer.get(url("households", area="1009", pseudonymised=True)).status_code == 404
    assert officer.get(url("households", area="x")).status_code == 404
    assert officer.get(url("households")).status_code == 404
    assert officer.get(url("households", "pdf", area="1008")).status_code == 404
    assert officer.get(url("no-such-list", area="1008")).status_code == 404
    assert officer.get(url("households", community="999999")).status_code == 404
    assert officer.get(url("households", community="abc")).status_code == 404
    agency = login(agency_officer)
    assert agency.get(url("households", area="10", pseudonymised=True)).status_code == 404


@pytest.mark.django_db
def test_researcher_gets_only_the_pseudonymised_form(settings, login, researcher, households):
    settings.EXPORT_K = 1  # one household per community; k: tests_security/test_k_anonymity.py
    head = households["A"].memberships.get().person
    Person.objects.filter(pk=head.pk).update(phone="0899999999")
    client = login(researcher)
    assert client.get(url("households", area="10")).status_code == 404
    assert client.get(url("households", "xlsx", area="10")).status_code == 404
    for fmt in ("csv", "xlsx"):
        response = client.get(url("households", fmt, area="10", pseudonymised=True))
        table = read(response)
        assert table[0] == ["Pseudonym", "Community code", "Subdistrict code", "Tenure", "Members"]
        assert sorted(r[0] for r in table[1:]) == sorted(pseudonym(h) for h in households.values())
        text = repr(table)
        for h in households.values():
            person = h.memberships.get().person
            for private in (h.code, h.house_no, person.first_name, person.last_name):
                assert private not in text
        if fmt == "csv":
            for private in (households["A"].code, "0899999999", head.first_name):
                assert private.encode() not in response.content
    page = client.get("/areas/d/1008/")
    assert "/exports/households/csv/?area=1008&amp;pseudonymised=1" in page.text
    assert 'data-form="identified"' not in page.text
    assert AuditEvent.objects.filter(
        actor=researcher, action="export", object_label="households of area 10 (csv, pseudonymised)"
    ).exists()


@pytest.mark.django_db
def test_the_page_control_offers_both_forms_to_those_who_see_people(
    login, district_officer, households
):
    page = login(district_officer).get("/areas/d/1008/")
    assert 'href="/exports/households/csv/?area=1008"' in page.text
    assert 'href="/exports/households/xlsx/?area=1008&amp;pseudonymised=1"' in page.text


@pytest.mark.django_db
def test_community_search_filter_is_exported_and_audited(login, coordinator, households):
    a = households["A"]
    client = login(coordinator)
    table = read(client.get(f"/communities/{a.community_id}/export.csv?q={a.house_no}"))
    assert column(table, "Household code") == [a.code]
    assert AuditEvent.objects.filter(
        object_label=f"households of community {a.community.code} [q={a.house_no}] (csv)"
    ).exists()


@pytest.mark.django_db
def test_a_large_export_runs_as_a_task_for_its_owner_only(
    settings, login, coordinator, district_officer, households
):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    client = login(coordinator)
    response = client.get(url("households", "xlsx", area="10"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/jobs/{job.pk}/"
    assert job.status == "done" and job.rows_done == 3 and job.created_by == coordinator
    assert job.file_path.startswith("exports/") and job.expires_at > timezone.now()
    page = client.get(f"/exports/jobs/{job.pk}/")
    assert f'href="/exports/jobs/{job.pk}/download/"' in page.text
    assert "3 of 3 rows" in page.text
    sheet = read(client.get(f"/exports/jobs/{job.pk}/download/"))
    assert sorted(column(sheet, "Household code")) == _codes(coordinator, "10")
    # Someone else, even in scope of the same households: 404 for the page and the file.
    other = login(district_officer)
    assert other.get(f"/exports/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/exports/jobs/{job.pk}/download/").status_code == 404
    labels = list(
        AuditEvent.objects.filter(actor=coordinator, action="export").values_list(
            "object_label", "object_id"
        )
    )
    assert (f"requested export {job.pk}: households of area 10 (xlsx)", "3") in labels
    assert (f"downloaded export {job.pk}: households of area 10 (xlsx)", "3") in labels
    assert not AuditEvent.objects.filter(actor=district_officer, action="export").exists()


@pytest.mark.django_db
def test_a_running_job_polls_and_an_expired_file_is_deleted(
    settings, login, coordinator, households
):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    client = login(coordinator)
    client.get(url("households", area="10", pseudonymised=True))
    job = ExportJob.objects.get()
    path = settings.MEDIA_ROOT / job.file_path
    assert path.is_file() and oct(path.stat().st_mode)[-3:] == "600"
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1)
    partial = client.get(f"/exports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in partial.text and "<html" not in partial.text
    ExportJob.objects.filter(pk=job.pk).update(
        status="done", expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(f"/exports/jobs/{job.pk}/download/").status_code == 404
    assert export_cleanup() == 1
    assert not path.exists()
    assert "expired" in client.get(f"/exports/jobs/{job.pk}/").text


@pytest.mark.django_db
def test_the_job_reads_the_rows_again_with_the_owners_current_scope(
    settings, login, district_officer, households
):
    """A role removed between the request and the task: the task finds nothing to export."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EXPORT_SYNC_MAX_ROWS = 0
    login(district_officer).get(url("households", area="1008"))
    job = ExportJob.objects.get()
    assert job.status == "queued"
    district_officer.role_assignments.all().delete()
    from ppaos.exports.services import export_job_run

    job = export_job_run(job=ExportJob.objects.get(pk=job.pk))
    assert job.status == "failed" and not job.file_path


@pytest.mark.django_db
def test_formulas_stay_text_in_csv_and_excel(login, coordinator, households):
    Household.objects.filter(pk=households["A"].pk).update(house_no="=1+2", road="@SUM(A1)")
    client = login(coordinator)
    for fmt in ("csv", "xlsx"):
        table = read(client.get(url("households", fmt, area="100801")))
        assert column(table, "Address")[0].startswith("'=1+2")


def test_pseudonyms_are_keyed_per_kind_of_record(settings):
    assert lib.pseudonym("household", 1) != lib.pseudonym("person", 1)
    assert lib.pseudonym("household", 1) == lib.pseudonym("household", "1")
    first = lib.pseudonym("household", 1)
    settings.SECRET_KEY = "another-" + "k" * 50
    assert lib.pseudonym("household", 1) != first


def test_pseudonyms_use_their_own_key_not_the_secret_key(settings):
    """Issue 14 (1): knowing SECRET_KEY (a default one, say) and the sequential public ids is
    not enough to recompute a pseudonym once PPAOS_PSEUDONYM_KEY is set."""
    settings.PSEUDONYM_KEY = ""
    from_secret_key = lib.pseudonym("household", 19)
    settings.PSEUDONYM_KEY = "p" * 8 + "-a-pseudonym-key-of-its-own-0123"
    keyed = lib.pseudonym("household", 19)
    assert keyed != from_secret_key
    settings.SECRET_KEY = "another-" + "k" * 50
    assert lib.pseudonym("household", 19) == keyed


def test_safe_guards_every_formula_start():
    for start in lib.FORMULA_START:
        assert lib.safe(start + "x") == "'" + start + "x"
    assert lib.safe("ok") == "ok" and lib.safe(-1) == -1
