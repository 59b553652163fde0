"""The keys people are searched by, computed in Python and stored on the row.

- `search_name` (`normalize_name`): first and family name without Thai tone marks and other
  marks people type differently (ไม้ไต่คู้, การันต์ ...), with ใ and ไ as one, without a name
  prefix (นาย, น.ส., เด็กหญิง, Mr ...), without punctuation, case-folded, one space between
  words. The query goes through the same function, so `นางสาว สมใจ ใจดี`, `สมใจ` and `สมไจ้`
  find the same key.
- `phone_hash` (`phone_hash`): the keyed hash of the phone's digits (the national-ID hash key,
  with its own prefix so a phone can never equal an ID): the phone is encrypted at rest, so
  only a whole number is found, by its hash.

Every write of a name or phone keeps both in step (`person_keys`): the registry services, the
demo loader, the data migration and the erasure (privacy.services.person_anonymise).
"""

import re
import unicodedata

# Thai marks that do not change which name is meant, or that people type inconsistently:
# ไม้ไต่คู้ ็, ไม้เอก ่, ไม้โท ้, ไม้ตรี ๊, ไม้จัตวา ๋, การันต์ ์, ยามักการ ๎.
THAI_MARKS = frozenset("\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4e")
# Zero-width characters pasted from other systems.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Longest first, so นางสาว is taken before นาง. Thai prefixes are often typed joined to the
# name (นายสมชาย); a Latin one only counts as a word of its own.
THAI_PREFIXES = tuple(
    sorted(
        (
            "นาย",
            "นาง",
            "นางสาว",
            "น.ส.",
            "น.ส",
            "นส.",
            "ด.ช.",
            "ด.ช",
            "ดช.",
            "ด.ญ.",
            "ด.ญ",
            "ดญ.",
            "เด็กชาย",
            "เด็กหญิง",
            "ว่าที่ร้อยตรี",
            "ว่าที่ ร.ต.",
        ),
        key=len,
        reverse=True,
    )
)
LATIN_PREFIXES = frozenset({"mr", "mrs", "ms", "miss", "master", "mstr", "dr"})

_NOT_WORD = re.compile(r"[^\w\s\u0e00-\u0e7f]|[\u0e3f\u0e4f\u0e5a\u0e5b]")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """NFKC, Thai digits as ASCII, the marks above and Latin accents gone, case-folded."""
    text = unicodedata.normalize("NFKC", text or "").translate(THAI_DIGITS)
    text = text.replace("\u0e4d\u0e32", "\u0e33")  # นิคหิต + สระอา (NFKC's form) is สระอำ
    text = text.replace("ใ", "ไ")  # ไม้ม้วน and ไม้มลาย sound alike and are often mixed up
    out = []
    for ch in text:
        if ch in THAI_MARKS or ch in INVISIBLE:
            continue
        if "\u0e00" <= ch <= "\u0e7f":
            out.append(ch)  # Thai vowels above and below are part of the spelling: kept
        else:  # é → e
            out.extend(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return "".join(out).casefold()


def _strip_prefix(text: str) -> str:
    """`นายสมชาย ใจดี` → `สมชาย ใจดี`; `Mr. John` → `John`. One prefix, at the start."""
    text = text.strip()
    for prefix in _FOLDED_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :].lstrip()
    first, _sep, rest = text.partition(" ")
    if rest and first.rstrip(".") in LATIN_PREFIXES:
        return rest.lstrip()
    return text


_FOLDED_PREFIXES = tuple(sorted({_fold(p) for p in THAI_PREFIXES}, key=len, reverse=True))


def normalize_name(*parts: str) -> str:
    """The search key of a name given in parts (first, family) or of a query: a prefix is
    dropped only at the start, so a family name that begins like one stays whole."""
    folded = _strip_prefix(" ".join(_fold(part).strip() for part in parts))
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", folded)).strip()


def digits_of(text: str) -> str:
    """The digits typed, Thai digits as ASCII, when the text is only digits and the separators
    people type in numbers (spaces, dashes, dots, brackets, a leading +); else ""."""
    text = unicodedata.normalize("NFKC", text or "").translate(THAI_DIGITS).strip()
    if not text or re.search(r"[^\d\s\-.()+]", text):
        return ""
    return re.sub(r"\D", "", text)


def normalize_phone(text: str) -> str:
    """A Thai phone number as its national digits: `+66 81-234-5678` → `0812345678`; "" when
    the text is not 9 or 10 digits once written nationally."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text or "").translate(THAI_DIGITS))
    if digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    if digits.startswith("0") and len(digits) in (9, 10):
        return digits
    return digits if 9 <= len(digits) <= 15 else ""


def phone_hash(text: str | None) -> str | None:
    """HMAC-SHA256 (hex) of the phone's digits under the national-ID hash key; None for none."""
    from ppaos.registry import id_crypto

    digits = normalize_phone(text or "")
    if not digits:
        return None
    return id_crypto.keyed_hash(b"phone:" + digits.encode())


def person_keys(first_name: str, last_name: str, phone: str | None) -> dict[str, str | None]:
    """The stored search columns for a person's name and phone."""
    return {"search_name": normalize_name(first_name, last_name), "phone_hash": phone_hash(phone)}
