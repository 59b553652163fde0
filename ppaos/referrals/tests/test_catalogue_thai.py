"""The shipped catalogue reads in Thai: every rule note and source has its Thai text, the
loader adds it to versions loaded before it existed, and the service page shows it."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from ppaos.referrals.models import Service, ServiceRule
from ppaos.referrals.services import catalogue_load
from ppaos.referrals.services.catalogue import DEFAULT_CATALOGUE

WEB_ADDRESS = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|th)\b\S*")
WORD = re.compile(r"[A-Za-z]{2,}")
NAMES = {"TPMAP", "ADL"}  # kept as Thai writers write them (docs/glossary.md)


def _needs_thai(text: str) -> bool:
    """English words left once web addresses and names are taken out."""
    return any(w not in NAMES for w in WORD.findall(WEB_ADDRESS.sub(" ", text)))


def test_every_english_note_and_source_of_the_catalogue_has_thai():
    data = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    missing = []
    for service in data["services"]:
        if _needs_thai(service.get("source", "")) and not service.get("source_th"):
            missing.append(f"{service['code']} source")
        for window in service.get("registration_windows", []):
            if _needs_thai(window.get("source", "")) and not window.get("source_th"):
                missing.append(f"{service['code']} window source")
        for rule in service["rules"]:
            where = f"{service['code']} {rule['effective_from']}"
            if rule.get("note") and not rule.get("note_th"):
                missing.append(f"{where} note")
            if _needs_thai(rule.get("source", "")) and not rule.get("source_th"):
                missing.append(f"{where} source")
            for field in ("note_th", "source_th"):
                assert not _needs_thai(rule.get(field, "")), (where, field)
    assert missing == []


@pytest.mark.django_db
def test_loading_again_adds_thai_to_versions_loaded_without_it():
    catalogue_load()
    rule = ServiceRule.objects.get(service__code="old_age_allowance", effective_from="2011-10-01")
    note_th = rule.note_th
    assert note_th.startswith("สัญชาติไทย")
    ServiceRule.objects.filter(pk=rule.pk).update(note_th="", source_th="")
    Service.objects.filter(code="old_age_allowance").update(source_th="")
    result = catalogue_load()
    rule.refresh_from_db()
    assert rule.note_th == note_th and rule.source_th
    assert Service.objects.get(code="old_age_allowance").source_th
    assert result.rules_created == 0  # the rule itself is never changed


@pytest.mark.django_db
def test_a_version_whose_english_note_differs_is_left_alone():
    catalogue_load()
    rule = ServiceRule.objects.get(service__code="survival_bag")
    ServiceRule.objects.filter(pk=rule.pk).update(note="edited by a coordinator", note_th="")
    catalogue_load()
    rule.refresh_from_db()
    assert rule.note_th == ""


@pytest.mark.django_db
def test_the_service_page_shows_the_note_in_the_readers_language(client, coordinator):
    catalogue_load()
    client.force_login(coordinator)
    url = reverse("referrals:service", args=["adult_diapers"])
    thai = client.get(url, HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "มติคณะกรรมการหลักประกันสุขภาพแห่งชาติ" in thai and "Barthel" not in thai
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Barthel ADL score" in english
