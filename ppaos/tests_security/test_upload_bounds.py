"""Every upload is parsed within limits, and uploaded source files do not linger.

An XLSX is a zip checked before openpyxl opens it (a small file whose text table unpacks to
gigabytes, a sheet declaring millions of rows); JSON uploads go through `safejson` (nesting,
number length); CSV lines, fields and rows are bounded. Each gets a clear message, never a
500. The uploaded target list is written mode 0600, deleted when its import ends, and one
left behind is deleted by the retention job."""

import io
import os
import re
import stat
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ppaos.assessment.forms import IndicatorSetUploadForm
from ppaos.targeting import importing, services
from ppaos.targeting.models import Job
from ppaos.targeting.services import campaign_assign, campaign_open

pytestmark = pytest.mark.django_db

HEADER = "เลขประจำตัวประชาชน,ชื่อ,นามสกุล,วันเกิด,รหัสแขวง\n"
ROW = "1100700000019,มาลี,ศรีสุข,15/03/2510,100801\n"


@pytest.fixture
def client_en(login, coordinator):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def media(settings):
    return Path(settings.MEDIA_ROOT)


def _files(media: Path) -> list[Path]:
    return [p for p in (media / "imports").rglob("*") if p.is_file()]


def _import(client, name: str, content: bytes) -> Job:
    upload = SimpleUploadedFile(name, content)
    response = client.post(
        "/targeting/import/", {"file": upload, "source": "tpmap", "year_be": 2566}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.context["job"]


def _xlsx(**replace: bytes) -> bytes:
    """A real one-row workbook, with some of its zip entries replaced."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["national_id", "first_name", "birth_date"])
    sheet.append(["1100700000019", "มาลี", "15/03/2510"])
    source = io.BytesIO()
    book.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = replace.pop(item.filename, None) or old.read(item.filename)
            new.writestr(item.filename, data)
        for name, data in replace.items():
            new.writestr(name, data)
    return out.getvalue()


def _shared_strings(megabytes: int) -> bytes:
    count = megabytes * 1024 * 1024 // 20
    body = b"<si><t>aaaaaaaa</t></si>" * count
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{count}" uniqueCount="{count}">'.encode()
        + body
        + b"</sst>"
    )


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fails the test if the workbook is opened at all."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl.load_workbook was called on a refused file")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# XLSX -----------------------------------------------------------------------------------------


def test_xlsx_shared_strings_bomb_is_refused_without_loading_it(
    client_en, settings, media, no_openpyxl
):
    settings.UPLOAD_XLSX_MAX_SHARED_STRINGS_MB = 1
    settings.UPLOAD_XLSX_MAX_RATIO = 10**6  # the text-table limit, not the ratio, refuses it
    content = _xlsx(**{"xl/sharedStrings.xml": _shared_strings(3)})
    assert len(content) < 200_000  # small on the wire
    job = _import(client_en, "targets.xlsx", content)
    assert job.status == Job.Status.FAILED
    assert job.error == "The Excel file's text table is larger than 1 MB: split the file."
    assert not _files(media)


def test_xlsx_compressed_too_well_is_refused(client_en, media, no_openpyxl):
    job = _import(client_en, "targets.xlsx", _xlsx(**{"xl/sharedStrings.xml": _shared_strings(3)}))
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("The Excel file is compressed more than 100 times")


def test_xlsx_unpacking_past_the_total_limit_is_refused(client_en, settings, no_openpyxl):
    settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_MB = 1
    job = _import(client_en, "targets.xlsx", _xlsx(**{"xl/media/big.bin": os.urandom(1_200_000)}))
    assert job.error == "The Excel file unpacks to more than 1 MB: split it."


def test_xlsx_declaring_millions_of_rows_is_refused(client_en, no_openpyxl):
    book = _xlsx()
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    huge = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C5000000"', sheet)
    assert huge != sheet
    job = _import(client_en, "targets.xlsx", _xlsx(**{"xl/worksheets/sheet1.xml": huge}))
    assert job.status == Job.Status.FAILED
    assert job.error == "The file has more than 1,000,000 rows: split it."


def test_xlsx_rows_past_the_limit_are_refused_while_streaming(client_en, settings):
    """A sheet without a declared size is counted as it is read."""
    settings.UPLOAD_MAX_ROWS = 3
    book = openpyxl.Workbook()
    book.active.append(["national_id", "first_name", "birth_date"])
    for n in range(6):
        book.active.append(["", f"มาลี{n}", "15/03/2510"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    bare = re.sub(rb'<dimension ref="[^"]+"\s*/>', b"", sheet)
    assert bare != sheet
    job = _import(client_en, "targets.xlsx", _xlsx(**{"xl/worksheets/sheet1.xml": bare}))
    assert job.error == "The file has more than 3 rows: split it."


# CSV ------------------------------------------------------------------------------------------


def test_csv_with_a_giant_field_is_refused(client_en, media):
    job = _import(client_en, "targets.csv", (HEADER + "1," + "ก" * 300_000 + ",x,,\n").encode())
    assert job.status == Job.Status.FAILED
    assert job.error == "Line 2 has a value longer than 262,144 characters."
    assert not _files(media)


def test_csv_with_a_giant_line_is_refused(client_en, settings):
    settings.UPLOAD_CSV_MAX_LINE_CHARS = 1000
    job = _import(client_en, "targets.csv", (HEADER + "1," * 2000 + "\n").encode())
    assert job.error == "Line 2 is longer than 1,000 characters."


def test_csv_rows_past_the_limit_are_refused(client_en, settings):
    settings.UPLOAD_MAX_ROWS = 3
    job = _import(client_en, "targets.csv", (HEADER + ROW * 5).encode())
    assert job.status == Job.Status.FAILED
    assert job.error == "The file has more than 3 rows: split it."


# JSON -----------------------------------------------------------------------------------------


@pytest.fixture
def submissions_url(coordinator, communities, households, volunteer_a):
    campaign = campaign_open(actor=coordinator, name="ตรวจสอบ", target_list=None)
    campaign_assign(campaign=campaign, community=communities["A"], volunteer=volunteer_a)
    return f"/targeting/campaigns/{campaign.pk}/submissions/"


def _submit(client, url, name: str, content: bytes):
    """The upload is queued and imported by the worker (immediate in tests); the errors the
    job page shows."""
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 200:  # refused by the form before queueing
        return [str(e) for e in response.context["form"].errors.get("file", [])]
    assert response.status_code == 302
    job = Job.objects.filter(kind=Job.Kind.OFFLINE).latest("pk")
    assert client.get(response["Location"]).status_code == 200
    assert job.status == Job.Status.FAILED and not job.file.name
    return [job.error]


def test_odk_json_nested_100000_deep_is_a_clear_error(client_en, submissions_url):
    errors = _submit(client_en, submissions_url, "odk.json", b"[" * 100_000 + b"]" * 100_000)
    assert errors == [
        "The JSON file cannot be read: The JSON is nested too deeply (more than 64 levels)."
    ]


def test_odk_json_with_a_5000_digit_number_is_a_clear_error(client_en, submissions_url):
    content = b'{"value": [{"base_version": ' + b"9" * 5000 + b"}]}"
    errors = _submit(client_en, submissions_url, "odk.json", content)
    assert errors == [
        "The JSON file cannot be read: A number in the file is too long (more than 40 characters)."
    ]


def test_submissions_csv_with_a_giant_field_is_a_clear_error(client_en, submissions_url):
    content = ("meta-instanceID,notes\nuuid-1," + "x" * 300_000 + "\n").encode()
    errors = _submit(client_en, submissions_url, "odk.csv", content)
    assert errors == ["Line 2 has a value longer than 262,144 characters."]


def test_indicator_set_upload_nested_deep_is_a_form_error():
    upload = SimpleUploadedFile("set.json", b"[" * 100_000 + b"]" * 100_000)
    with translation.override("en"):
        form = IndicatorSetUploadForm(data={}, files={"file": upload})
        assert not form.is_valid()
        assert "nested too deeply" in form.errors["file"][0]


# Uploaded files -------------------------------------------------------------------------------


def test_uploaded_target_list_is_0600_while_imported_and_gone_after(client_en, media, monkeypatch):
    seen = []
    check_file = importing.check_file

    def spy(path, **kwargs):
        seen.append((Path(path), stat.S_IMODE(Path(path).stat().st_mode)))
        return check_file(path, **kwargs)

    monkeypatch.setattr(importing, "check_file", spy)
    job = _import(client_en, "targets.csv", (HEADER + ROW).encode())
    assert job.status == Job.Status.DONE
    assert job.result["created"] == 1
    ((path, mode),) = seen
    assert media / "imports" in path.parents
    assert mode == 0o600
    assert "targets" not in path.name  # a random name, not the user's
    assert not path.exists() and not _files(media)
    assert job.file.name == ""


def test_uploaded_file_is_gone_after_a_failed_import_too(client_en, media):
    job = _import(client_en, "targets.csv", b"a,b\n1,2\n")
    assert job.status == Job.Status.FAILED
    assert not _files(media)


def test_retention_job_removes_stale_upload_files(coordinator, media):
    from ppaos.ops.jobs import privacy_retention

    upload = SimpleUploadedFile("targets.csv", (HEADER + ROW).encode())
    stale = services.job_create(
        kind=Job.Kind.IMPORT, actor=coordinator, params={"source": "tpmap"}, upload=upload
    )
    fresh = services.job_create(
        kind=Job.Kind.IMPORT, actor=coordinator, params={"source": "tpmap"}, upload=upload
    )
    stale_path, fresh_path = Path(stale.file.path), Path(fresh.file.path)
    assert stat.S_IMODE(stale_path.stat().st_mode) == 0o600
    two_days_ago = time.time() - 48 * 3600
    os.utime(stale_path, (two_days_ago, two_days_ago))
    orphan = media / "imports" / "2020" / "01" / "left-behind.csv"
    orphan.parent.mkdir(parents=True)
    orphan.write_text(HEADER + ROW)
    os.utime(orphan, (two_days_ago, two_days_ago))

    summary = privacy_retention()

    assert "2 leftover import file(s) deleted" in summary
    assert not stale_path.exists() and not orphan.exists()
    assert fresh_path.exists()
    stale.refresh_from_db()
    assert stale.file.name == ""
    ran = services.job_run_import(job=stale)  # its import can no longer run: it says why
    with translation.override("en"):
        assert ran.status == Job.Status.FAILED
    assert ran.error


def test_erasure_removes_upload_files_left_by_ended_imports(
    coordinator, households, media, django_capture_on_commit_callbacks
):
    from ppaos.privacy.services import person_anonymise

    upload = SimpleUploadedFile("targets.csv", (HEADER + ROW).encode())
    ended = services.job_create(kind=Job.Kind.IMPORT, actor=coordinator, params={}, upload=upload)
    Job.objects.filter(pk=ended.pk).update(status=Job.Status.FAILED)
    queued = services.job_create(kind=Job.Kind.IMPORT, actor=coordinator, params={}, upload=upload)
    person = households["A"].memberships.get(relation="head").person

    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(actor=coordinator, person=person)

    assert not Path(ended.file.path).exists()
    assert Path(queued.file.path).exists()  # its import has not run yet


def test_xlsx_parts_not_deflated_are_refused(client_en, no_openpyxl):
    """Excel writes deflate only; zipfile unpacks bzip2 and lzma chunks without a bound."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx())) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as new,
    ):
        for item in old.infolist():
            new.writestr(item.filename, old.read(item.filename))
    job = _import(client_en, "targets.xlsx", out.getvalue())
    assert job.error == "The Excel file cannot be opened: it is damaged."
