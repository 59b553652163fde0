from dataclasses import dataclass

from django.utils import translation

from ppaos.lib.i18n import Deferred, is_english, is_thai, localized, localized_name


@dataclass
class Named:
    name_th: str
    name_en: str


def test_localized_shows_thai_unless_english_is_chosen_and_written():
    with translation.override("th"):
        assert is_thai() and not is_english()
        assert localized("ไทย", "English") == "ไทย"
        assert localized_name(Named("ไทย", "English")) == "ไทย"
    with translation.override("en"):
        assert is_english() and not is_thai()
        assert localized("ไทย", "English") == "English"
        assert localized("ไทย", "") == "ไทย"
        assert localized_name(Named("ไทย", "")) == "ไทย"
        assert localized_name(Named("ไทย", "English")) == "English"


def test_a_deferred_message_is_english_when_stored_and_translated_when_read():
    inner = Deferred("open")
    message = Deferred("referral list (%(status)s)", status=inner, rows=[inner, "x"])
    assert str(message) == "referral list (open)"
    again = Deferred.from_json(message.as_json())
    assert again == message and again.params["rows"][1] == "x"
    with translation.override("th"):
        assert again.translated() == "รายการส่งต่อ (เปิดอยู่)"


def test_a_message_missing_a_parameter_is_shown_as_written_not_an_error():
    assert str(Deferred("%(a)s and %(b)s", a=1)) == "%(a)s and %(b)s"
