from dataclasses import dataclass

from django.utils import translation

from ppaos.lib.i18n import is_english, is_thai, localized, localized_name


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
