"""Uploads of the wrong kind or size are refused with a clear message, and nothing is saved:
the target-list import (CSV/XLSX, 50 MB) and the visit photo (an image, 5 MB)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from ppaos.targeting import forms as targeting_forms
from ppaos.targeting.models import Job, Visit
from ppaos.targeting.services import campaign_assign, campaign_open

pytestmark = pytest.mark.django_db


def _errors(response, field):
    with translation.override("en"):
        return [str(e) for e in response.context["form"].errors.get(field, [])]


def _png(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _import(client, name, content, content_type="text/csv"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post("/targeting/import/", {"file": upload, "source": "tpmap", "year_be": 2566})


@pytest.mark.parametrize(
    "name,content",
    [
        ("targets.exe", b"MZ\x90\x00binary"),
        ("targets.csv.exe", b"MZ\x90\x00binary"),
        ("targets.html", b"<script>alert(1)</script>"),
        ("targets", b"national_id\n1100700000019\n"),
    ],
)
def test_import_refuses_files_that_are_not_csv_or_xlsx(login, coordinator, name, content):
    response = _import(login(coordinator), name, content)
    assert response.status_code == 200
    assert _errors(response, "file") == ["Use a .csv or .xlsx file."]
    assert 'role="alert"' in response.text
    assert not Job.objects.exists()


def test_import_refuses_oversized_files(login, coordinator, monkeypatch):
    monkeypatch.setattr(targeting_forms, "MAX_UPLOAD", 1024)
    response = _import(login(coordinator), "targets.csv", b"a,b\n" + b"1,2\n" * 400)
    assert _errors(response, "file") == ["The file is larger than 50 MB: split it."]
    assert not Job.objects.exists()


def test_import_accepts_a_csv_of_the_right_size(login, coordinator):
    response = _import(login(coordinator), "targets.csv", b"national_id\n1100700000019\n")
    assert response.status_code == 302
    assert Job.objects.count() == 1


@pytest.fixture
def visit_url(coordinator, volunteer_a, households, communities):
    campaign = campaign_open(actor=coordinator, name="รอบรูป", target_list=None)
    campaign_assign(campaign=campaign, community=communities["A"], volunteer=volunteer_a)
    return f"/targeting/campaigns/{campaign.pk}/households/{households['A'].pk}/visit/"


def _visit(client, url, photo):
    data = {
        "consent_given": "on",
        "consent_by": "นางมาลี",
        "consent_purpose": "ตรวจสอบ",
        "visited_on": "10/01/2569",
        "outcome": "confirmed_poor",
        "base_version": 1,
        "photo": photo,
    }
    return client.post(url, data)


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("photo.jpg", b"this is not a picture", "image/jpeg"),
        (
            "photo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
        ),
        ("photo.png", b"MZ\x90\x00" + b"\x00" * 64, "image/png"),
    ],
)
def test_visit_photo_must_be_an_image(login, volunteer_a, visit_url, name, content, content_type):
    photo = SimpleUploadedFile(name, content, content_type=content_type)
    response = _visit(login(volunteer_a), visit_url, photo)
    assert response.status_code == 200
    errors = _errors(response, "photo")
    assert errors and errors[0].startswith("Upload a valid image.")
    assert not Visit.objects.exists()


def test_visit_photo_size_is_limited(login, volunteer_a, visit_url, monkeypatch):
    monkeypatch.setattr(targeting_forms, "MAX_PHOTO", 100)
    photo = SimpleUploadedFile("photo.png", _png((64, 64)), content_type="image/png")
    response = _visit(login(volunteer_a), visit_url, photo)
    assert _errors(response, "photo") == ["The photo is larger than 5 MB."]
    assert not Visit.objects.exists()


def test_visit_with_a_real_photo_is_saved(login, volunteer_a, visit_url):
    photo = SimpleUploadedFile("photo.png", _png(), content_type="image/png")
    assert _visit(login(volunteer_a), visit_url, photo).status_code == 302
    assert Visit.objects.get().photo.name.endswith(".png")
