"""Every page of every role, in Thai (issue 15 item 6).

The demo pipeline (`make demo`, at a small size) fills the database; then, for each demo user,
every URL pattern of the URL configuration is filled with an object of the data and fetched
with GET (redirects are not followed). Each HTML page that answers 200 must read as Thai:

* no Latin-letter words in the visible text (tags, scripts and attribute values stripped)
  outside ALLOWED_WORDS (codes and names) and the page-bound PAGE_NOTATION (the MPI's H and
  A); literal text the reader types (rule JSON, column names, paths) is in <code>;
* no raw numbers where a formatted one belongs: a decimal with more than 2 decimals, or a
  number of 10,000 or more without thousands separators (codes, IDs and years excepted).

Pages not crawled are listed in SKIPPED with the reason."""

import logging
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
    "targeting:xlsform": "an XLSForm file for ODK/Kobo, not a page",
    "exports:list": "a CSV or XLSX export, a file",
    "referrals:plan_change": "POST only (a plan's forms post here from the household page)",
}
# A URL ending like this answers a file, not a page.
FILE_SUFFIXES = (".csv", ".xlsx", ".pdf", ".json", ".geojson")
# The same for everyone: fetched once, signed out.
PUBLIC_PAGES = {"community:public"}

# Latin words allowed in Thai text: codes, product and data-source names, the language switch.
ALLOWED_WORDS = {
    "PPAOS", "CSV", "API", "XLSX", "XLSForm", "PDF", "ODK", "Kobo", "KoboToolbox", "TPMAP",
    "OpenStreetMap", "OSM", "HDX", "English", "JSON", "GeoJSON", "ID", "URL", "MPI", "CCRI",
    "Thai", "People", "Map", "Target", "base", "Inclusion", "Exclusion", "Error", "Pro",
    "poor", "Value", "Chain", "Social", "Mobility", "QR", "PDPA", "SMS", "Wilson", "HTTPS",
    "Excel", "TOTP", "Google", "Authenticator", "Leaflet", "OK", "DuckDB", "PostgreSQL",
    "FreeOTP", "Microsoft", "KoboCollect", "Collect", "Central", "XML",
    # The Barthel ADL index, as Thai health workers write it.
    "ADL",
    # The boundaries' licence attribution: "OCHA / Royal Thai Survey Department, CC BY IGO".
    "OCHA", "Royal", "Survey", "Department", "CC", "BY", "IGO", "Thailand", "Subnational",
    "Administrative", "Boundaries", "README", "CI",
}  # fmt: skip

# Latin letters a page may show on purpose, by page (URL name), with the reason. Not a list
# of gaps: an untranslated word is fixed, never added here.
PAGE_NOTATION: dict[str, set[str]] = {
    # H and A are the MPI's names for the share poor and the average deprivation, which the
    # glossary keeps beside their Thai names (docs/glossary.md, "Poverty analysis").
    "assessment:community": {"A", "H"},
    "assessment:district": {"A", "H"},
    "assessment:province": {"A", "H"},
}


class _Text(HTMLParser):
    """The visible text: no tags, attribute values, scripts, styles or <template>s."""

    # A <textarea> holds data being edited, and <code>, <pre>, <kbd>, <samp> hold literal
    # commands, column names, rule JSON and secrets: not the interface's words.
    HIDDEN = {"script", "style", "template", "noscript", "textarea", "code", "pre", "kbd", "samp"}

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
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|th)\b\S*"  # web addresses: eef.or.th/…
    r"|`[^`]*`|\bppaos [a-z-]+"  # commands: `ppaos load-services`
    r"|\b[\w/.-]+\.(?:csv|xlsx|pdf|json|geojson|xml)\b"  # file names
    r"|\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)+\b"  # codes: H-1008-0001, 2568-1
    r"|\b[A-Z]{1,4}-?\d[\w-]*\b"  # codes: R2026-0001, HH12
)
LATIN_WORD = re.compile(r"(?<![\w@.])[A-Za-z][A-Za-z'’]*[A-Za-z]\b|(?<![\w@.])[A-Za-z]\b")
RAW_DECIMAL = re.compile(r"(?<![\d.,])\d+\.\d{3,}(?![\d.])")
RAW_BIG = re.compile(r"(?<![\d.,/-])\d{5,}(?![\d,/-]|\.\d)")


# Pages of MPI indices (H, A, M0), written with 3 decimals as OPHI does: not raw numbers.
THREE_DECIMAL_PAGES = {"assessment:province", "assessment:district", "assessment:community"}


def problems(text: str, allowed: set[str], codes: set[str], allowed_here: set[str]) -> list[str]:
    text = NOT_WORDS.sub(" ", text)
    found = []
    for word in LATIN_WORD.findall(text):
        if word in ALLOWED_WORDS or word in allowed or word in allowed_here:
            continue
        found.append(f"word {word!r}")
    for number in RAW_DECIMAL.findall(text):
        if number not in allowed_here:
            found.append(f"raw decimal {number}")
    for number in RAW_BIG.findall(text):
        # Codes: areas, postal codes, phone numbers (leading 0), national IDs.
        if number in codes or number.startswith("0") or len(number) == 13:
            continue
        if number not in allowed_here:
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


def _pk(model, **filters):
    return model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()


def url_values() -> dict[str, list[dict]]:
    """For each URL name with arguments, the arguments to try: objects of the demo data, in
    the pilot's district 1008 where the demo users work."""
    from ppaos.accounts.models import Role
    from ppaos.assessment.models import IndicatorSet
    from ppaos.community.models import Correction, Expenditure, FundYear, Procurement, Proposal
    from ppaos.dashboards.models import Refresh
    from ppaos.exports.models import ExportJob
    from ppaos.livelihoods.models import Enrolment, IncomeRecord, Partner, Programme, Stage
    from ppaos.privacy.models import ConsentRecord, DataSubjectRequest, LegalHold
    from ppaos.referrals.models import PlanIntervention, Referral, Service
    from ppaos.registry.models import Household, Membership
    from ppaos.targeting.models import (
        Campaign,
        Job,
        LinkCandidate,
        TargetList,
        TargetRecord,
        Visit,
    )

    volunteer = User.objects.get(username="volunteer")
    community = (
        volunteer.role_assignments.filter(role=Role.VOLUNTEER).order_by("community__code").first()
    ).community_id
    household = _pk(Household, community_id=community)
    referral = Referral.objects.order_by("pk").first()
    visit = Visit.objects.order_by("pk").first()
    membership = Membership.objects.filter(household_id=household, end_date__isnull=True).first()
    person = membership.person_id if membership else None
    pks = {
        "areas:community": community,
        "registry:household_detail": household,
        "registry:household_edit": household,
        "registry:member_add": household,
        "registry:person_edit": person,
        "registry:member_leave": person,
        "targeting:job": _pk(Job),
        "targeting:list": _pk(TargetList),
        "targeting:link": _pk(TargetList),
        "targeting:record": _pk(TargetRecord),
        "targeting:review_pair": _pk(LinkCandidate),
        "targeting:campaign": _pk(Campaign),
        "targeting:report": _pk(Campaign),
        "targeting:worklist": _pk(Campaign),
        "targeting:verification": _pk(Campaign),
        "targeting:sample": _pk(Campaign),
        "targeting:household_new": _pk(Campaign),
        "targeting:xlsform": _pk(Campaign),
        "targeting:submissions": _pk(Campaign),
        "targeting:visit_resolve": visit and visit.pk,
        "referrals:detail": referral and referral.pk,
        "referrals:household": referral and referral.household_id,
        "referrals:refer_pick": referral and referral.household_id,
        "referrals:plan_open": household,
        "referrals:intervention_status": _pk(PlanIntervention),
        "assessment:household": household,
        "assessment:community": community,
        "assessment:indicator_set": _pk(IndicatorSet),
        "livelihoods:programme": _pk(Programme),
        "livelihoods:enrol": _pk(Programme),
        "livelihoods:programme_edit": _pk(Programme),
        "livelihoods:stage_add": _pk(Programme),
        "livelihoods:partner_add": _pk(Programme),
        "livelihoods:programme_mobility": _pk(Programme),
        "livelihoods:stage_edit": _pk(Stage),
        "livelihoods:partner_edit": _pk(Partner),
        "livelihoods:enrolment_edit": _pk(Enrolment),
        "livelihoods:enrolment": _pk(Enrolment),
        "livelihoods:income_edit": _pk(IncomeRecord),
        "livelihoods:mobility_community": community,
        "community:databook": community,
        "community:corrections": community,
        "community:fund": community,
        "community:public": community,
        "community:correction_household": household,
        "community:correction_new": household,
        "community:life_event_new": household,
        "community:new_household_new": community,
        "community:correction": _pk(Correction),
        "community:fund_year": _pk(FundYear, community_id=community) or _pk(FundYear),
        "community:proposal_new": _pk(FundYear, community_id=community) or _pk(FundYear),
        "community:decision_new": _pk(Proposal),
        "community:expenditure_new": _pk(Proposal),
        "community:procurement_new": _pk(Proposal),
        "community:procurement": _pk(Procurement),
        "community:receipt": _pk(Expenditure),
        "privacy:person": person,
        "privacy:consent_withdraw": _pk(ConsentRecord),
        "privacy:request_close": _pk(DataSubjectRequest),
        "privacy:hold_release": _pk(LegalHold),
        "exports:job": _pk(ExportJob),
        "dashboards:community": community,
        "dashboards:refresh": _pk(Refresh),
    }
    values = {name: [{"pk": pk}] for name, pk in pks.items() if pk is not None}
    codes = {"province": "10", "district": "1008", "subdistrict": "100801"}
    for name in ("areas:province", "assessment:province", "livelihoods:mobility_province"):
        values[name] = [{"code": codes["province"]}]
    for name in (
        "areas:district",
        "assessment:district",
        "livelihoods:mobility_district",
        "dashboards:district",
    ):
        values[name] = [{"code": codes["district"]}]
    values["areas:subdistrict"] = [{"code": codes["subdistrict"]}]
    values["community:fund_rule_edit"] = [{"code": codes["province"]}]
    values["registry:household_create"] = [{"community_pk": community}]
    service = Service.objects.order_by("code").first()
    for name in ("referrals:service", "referrals:service_edit", "referrals:rule_add"):
        values[name] = [{"code": service.code}]
    if visit:
        values["targeting:visit"] = [{"pk": visit.campaign_id, "household_pk": visit.household_id}]
        values["targeting:verification_decide"] = [{"pk": visit.campaign_id, "visit_pk": visit.pk}]
    if referral:
        values["referrals:new"] = [
            {
                "household_pk": referral.household_id,
                "person_pk": referral.person_id,
                "service_code": referral.service.code,
            }
        ]
        values["referrals:act"] = [
            {"pk": r.pk, "action": action} for action, r in _referrals_by_action(Referral).items()
        ]
    return values


def _referrals_by_action(Referral) -> dict:
    """One referral per action form, in a status where the action applies."""
    from ppaos.referrals.views import ACTION_FORMS

    by_status = {}
    for referral in Referral.objects.order_by("pk"):
        by_status.setdefault(referral.status, referral)
    first = next(iter(by_status.values()))
    wanted = {
        "send": "draft",
        "accept": "sent",
        "reject": "sent",
        "start": "accepted",
        "close": "in_progress",
        "complete": "in_progress",
        "transfer": "sent",
    }
    return {a: by_status.get(wanted.get(a, ""), first) for a in ACTION_FORMS}


def crawl_targets():
    """(url name, pattern, kwargs or None, skip reason or None) for every URL pattern."""
    from django.urls import reverse

    values = url_values()
    for pattern, name, namespace in _patterns(get_resolver().url_patterns):
        top = namespace.split(":")[0]
        if top in SKIPPED_NAMESPACES:
            continue
        if name in SKIPPED_NAMES:
            yield name, pattern, None, SKIPPED_NAMES[name]
            continue
        if pattern.endswith(FILE_SUFFIXES) or name.endswith(("download", "_download")):
            yield name, pattern, None, "a file download, not a page"
            continue
        if "<" not in pattern:
            yield name, pattern, "/" + pattern, None
            continue
        if name not in values:
            yield name, pattern, None, "the demo data has no object to fill its arguments"
            continue
        for kwargs in values[name]:
            yield name, pattern, reverse(name, kwargs=kwargs), None


# Roles crawled: the demo users, one per role (and the second volunteer).
USERNAMES = [
    "admin",
    "coordinator",
    "district1008",
    "volunteer",
    "agency",
    "researcher",
    "leader",
]


def _codes() -> set[str]:
    """Numbers that are codes: area codes and postal codes of the data."""
    from ppaos.areas.models import District, Province, Subdistrict
    from ppaos.registry.models import Household

    codes = set(Household.objects.values_list("postal_code", flat=True))
    for model in (Province, District, Subdistrict):
        codes |= set(model.objects.values_list("code", flat=True))
    return codes


def _names() -> set[str]:
    """Usernames and the Latin words of organisation names (the demo's own data)."""
    from ppaos.accounts.models import Organisation

    words = set(User.objects.values_list("username", flat=True))
    for name in Organisation.objects.values_list("name_th", flat=True):
        words |= set(LATIN_WORD.findall(name))
    return words


SECONDS: dict[str, float] = {}  # time per URL name, printed to find the slow pages


def crawl(client, pages, usernames) -> tuple[int, dict[tuple[str, str], set[str]]]:
    """Fetch every page as each user; (url name, problem) → who saw it."""
    allowed, codes = _names(), _codes()
    found: dict[tuple[str, str], set[str]] = {}
    fetched = 0
    for username in usernames:
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        for name, url in pages:
            if name in PUBLIC_PAGES and username:
                continue
            began = time.perf_counter()
            response = client.get(url)
            SECONDS[name] = SECONDS.get(name, 0) + time.perf_counter() - began
            if response.status_code != 200:
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            fetched += 1
            text = visible_text(response.content.decode())
            here = PAGE_NOTATION.get(name, set())
            if name in THREE_DECIMAL_PAGES:
                text = re.sub(r"\b[01]\.\d{3}\b", " ", text)
            for problem in problems(text, allowed, codes, here):
                found.setdefault((name, problem), set()).add(f"{username or 'anonymous'} {url}")
    return fetched, found


@pytest.mark.django_db
def test_every_page_of_every_role_reads_as_thai(geography, client, settings, caplog):
    started = time.perf_counter()
    caplog.set_level(logging.WARNING)  # one INFO line per request would slow the crawl
    build_demo()
    settings.LANGUAGE_CODE = "th"
    targets = list(crawl_targets())
    skipped = sorted({(n, r) for n, _, url, r in targets if r})
    pages = [(n, url) for n, _, url, r in targets if not r]
    fetched, found = crawl(client, pages, [None, *USERNAMES])
    seconds = time.perf_counter() - started
    print(f"{fetched} pages fetched in {seconds:.0f} s; {len(skipped)} URL names skipped:")
    for name, reason in skipped:
        print(f"  skipped {name}: {reason}")
    slowest = sorted(SECONDS.items(), key=lambda kv: -kv[1])[:8]
    print("slowest: " + ", ".join(f"{n} {s:.1f} s" for n, s in slowest))
    assert fetched > 100
    report = [f"{name}: {problem} (as {sorted(who)[0]})" for (name, problem), who in found.items()]
    assert not report, f"{len(report)} problems:\n" + "\n".join(sorted(report))
