"""Every page of every role, in Thai (issue 15 item 6).

The demo pipeline (`make demo`, at a small size) fills the database; then, for each demo user,
every URL pattern of the URL configuration is filled with an object of the data and fetched
with GET (redirects are not followed). Each HTML page that answers 200 must read as Thai:

* no Latin-letter words in the visible text (tags, scripts and attribute values stripped)
  outside ALLOWED_WORDS (codes and names) and the page-bound KNOWN_UNTRANSLATED list;
* no raw numbers where a formatted one belongs: a decimal with more than 2 decimals, or a
  number of 10,000 or more without thousands separators (codes, IDs and years excepted).

Pages not crawled are listed in SKIPPED with the reason."""

import re
import time
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from ppaos.accounts.models import User

SEED = 2566
HOUSEHOLDS = 60

# Namespaces / URL names not crawled, with the reason.
SKIPPED_NAMESPACES = {
    "admin": "Django admin: Django's own screens for the administrator, not the pilot's pages",
    "api": "the REST API answers JSON (and its docs are for developers, in English by design)",
}
SKIPPED_NAMES = {
    "logout": "POST only",
    "token_revoke": "POST only",
    "set_language": "POST only",
    "password_reset_confirm": "needs a one-time token from an e-mail",
    "api:token": "API",
    "ops:health": "a JSON probe for the load balancer",
    "dashboards:points": "GeoJSON, not a page",
    "dashboards:refresh_start": "POST only",
}

# Latin words allowed in Thai text: codes, product and data-source names, the language switch.
ALLOWED_WORDS = {
    "PPAOS", "CSV", "API", "XLSX", "XLSForm", "PDF", "ODK", "Kobo", "KoboToolbox", "TPMAP",
    "OpenStreetMap", "OSM", "HDX", "English", "JSON", "GeoJSON", "ID", "URL", "MPI", "CCRI",
    "Thai", "People", "Map", "Target", "base", "Inclusion", "Exclusion", "Error", "Pro",
    "poor", "Value", "Chain", "Social", "Mobility", "QR", "PDPA", "SMS", "Wilson", "HTTPS",
    "Excel", "TOTP", "Google", "Authenticator", "Leaflet", "OK", "DuckDB", "PostgreSQL",
}  # fmt: skip

# Untranslated words that remain, by page (URL name) and word. Each is a known gap to fix.
KNOWN_UNTRANSLATED: dict[str, set[str]] = {}


class _Text(HTMLParser):
    """The visible text: no tags, attribute values, scripts, styles or <template>s."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


# Things in visible text that are neither words nor numbers to judge.
NOT_WORDS = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+"  # URLs, e-mail addresses
    r"|\b[\w/.-]+\.(?:csv|xlsx|pdf|json|geojson|xml)\b"  # file names
    r"|\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)+\b"  # codes: H-1008-0001, 2568-1
    r"|\b[A-Z]{1,4}-?\d[\w-]*\b"  # codes: R2026-0001, HH12
)
LATIN_WORD = re.compile(r"(?<![\w@.])[A-Za-z][A-Za-z'’]*[A-Za-z]\b|(?<![\w@.])[A-Za-z]\b")
RAW_DECIMAL = re.compile(r"(?<![\d.,])\d+\.\d{3,}(?![\d.])")
RAW_BIG = re.compile(r"(?<![\d.,/-])\d{5,}(?![\d,/-]|\.\d)")


def problems(text: str, usernames: set[str], allowed_here: set[str]) -> list[str]:
    text = NOT_WORDS.sub(" ", text)
    found = []
    for word in LATIN_WORD.findall(text):
        if word in ALLOWED_WORDS or word in usernames or word in allowed_here:
            continue
        found.append(f"word {word!r}")
    for number in RAW_DECIMAL.findall(text):
        found.append(f"raw decimal {number}")
    for number in RAW_BIG.findall(text):
        if len(number) == 4 or len(number) == 13:  # years; national IDs are masked elsewhere
            continue
        found.append(f"raw number {number}")
    return found


def _patterns(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, namespace


def build_demo() -> dict[str, float]:
    """`make demo`'s data steps, at HOUSEHOLDS households. Returns seconds per step."""
    steps = [
        ("demo-data", "--seed", SEED, "--households", HOUSEHOLDS),
        ("demo-livelihoods", "--seed", SEED),
        ("load-indicators",),
        ("assess", "--round", "2568-1"),
        ("assess", "--round", "2568-2"),
        ("demo-targeting", "--seed", SEED),
        ("load-services",),
        ("demo-referrals", "--seed", SEED),
        ("demo-community", "--seed", SEED),
        ("refresh-dashboards",),
    ]
    seconds = {}
    for name, *args in steps:
        started = time.perf_counter()
        call_command(name, *[str(a) for a in args], stdout=_Null(), stderr=_Null())
        seconds[" ".join([name, *map(str, args)])] = time.perf_counter() - started
    return seconds


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


@pytest.mark.django_db(transaction=False)
def test_build_timing(geography, settings):
    seconds = build_demo()
    print(seconds)
    assert User.objects.filter(username="coordinator").exists()
