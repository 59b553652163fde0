from pathlib import Path

import polib
import pytest

PO = Path(__file__).resolve().parents[2] / "locale/th/LC_MESSAGES/django.po"


@pytest.mark.django_db
def test_pages_are_thai_by_default(client, login, volunteer_a):
    page = client.get("/accounts/login/")
    assert '<html lang="th">' in page.text
    assert "เข้าสู่ระบบ" in page.text
    home = login(volunteer_a).get("/")
    assert "ชุมชนที่รับผิดชอบ" in home.text
    assert "ระบบสาธิต" in home.text  # the demo flag, in Thai


@pytest.mark.django_db
def test_english_switch(client, login, volunteer_a):
    client = login(volunteer_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    home = client.get("/")
    assert '<html lang="en">' in home.text
    assert "My communities" in home.text
    client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    assert "ชุมชนที่รับผิดชอบ" in client.get("/").text


def test_every_message_has_a_thai_translation():
    po = polib.pofile(str(PO))
    missing = [
        e.msgid for e in po if not e.obsolete and not (e.msgstr or any(e.msgstr_plural.values()))
    ]
    assert missing == []
    # Keyed by context too: "Left" (a programme) and "Left" (a household) differ.
    singular = {(e.msgctxt, e.msgid): e.msgstr for e in po if e.msgstr and not e.msgid_plural}
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.mofile(str(PO.with_suffix(".mo")))
        if not e.msgid_plural and e.msgid
    }
    assert compiled == singular, "run `make messages`"
