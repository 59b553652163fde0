"""Content-Security-Policy without 'unsafe-inline' (issue 14, 11): the policy allows styles only
from this site's static files, so no template and no page may carry a style="" attribute or a
<style> element (the browser would drop them). Bars, swatches and the radar are SVG attributes.

PDF templates (`*_pdf.html`) keep their <style>: WeasyPrint renders them on the server into a PDF,
which no browser applies a Content-Security-Policy to."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse

from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND, default_set, scenario  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

STYLE_ATTRIBUTE = re.compile(r"<[a-z][^<>]*?\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>/]", re.I)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def _inline_styles(html: str) -> list[str]:
    found = [m.group(0)[:80] for m in STYLE_ATTRIBUTE.finditer(html)]
    found += [m.group(0) for m in STYLE_ELEMENT.finditer(html)]
    return found


def _project_templates() -> list[Path]:
    folders = set()
    for engine in engines.all():
        folders.update(Path(d) for d in engine.template_dirs)
    files = []
    for folder in sorted(folders):
        if folder.is_dir() and folder.is_relative_to(ROOT / "ppaos"):
            files.extend(sorted(folder.rglob("*.html")))
    return files


def _is_pdf_template(path: Path) -> bool:
    return path.name.endswith("_pdf.html")


def test_the_policy_allows_no_inline_style_or_script(client, login, volunteer_a, households):
    for response in (
        client.get(reverse("login")),
        login(volunteer_a).get(reverse("registry:household_detail", args=[households["A"].pk])),
    ):
        header = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in header
        assert "'unsafe-eval'" not in header and "'unsafe-hashes'" not in header
        directives = {
            part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()
        }
        assert directives["style-src"] == ["'self'"]
        assert "style-src-attr" not in directives and "style-src-elem" not in directives


def test_settings_never_allow_inline(settings):
    for policy in (
        getattr(settings, "SECURE_CSP", {}),
        getattr(settings, "SECURE_CSP_REPORT_ONLY", {}),
    ):
        for directive, sources in (policy or {}).items():
            assert "'unsafe-inline'" not in [str(s) for s in sources], directive


def test_no_template_carries_an_inline_style():
    files = _project_templates()
    assert len(files) > 20
    offenders = []
    for path in files:
        if _is_pdf_template(path):
            continue
        text = TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(ROOT)}: {hit}" for hit in _inline_styles(text)]
    assert offenders == [], "use a class in a static stylesheet (CSP style-src 'self')"


def test_pdf_templates_are_never_served_as_pages():
    """Their <style> is fine only because they are rendered to PDF, never sent as HTML."""
    pdf_templates = [p for p in _project_templates() if _is_pdf_template(p)]
    assert pdf_templates
    for path in pdf_templates:
        name = path.relative_to(path.parents[1]).as_posix()
        users = [
            py
            for py in (ROOT / "ppaos").rglob("*.py")
            if "tests" not in py.parts and name in py.read_text(encoding="utf-8")
        ]
        assert users, name
        for py in users:
            assert "html_to_pdf" in py.read_text(encoding="utf-8"), f"{py} renders {name}"


def test_redoc_alone_allows_its_nonced_style_elements(login, coordinator):
    """Redoc adds <style> elements at run time: its page adds the request's nonce to style-src
    (never 'unsafe-inline') and hands it to Redoc through its static start-up script."""
    response = login(coordinator).get(reverse("api:redoc"))
    header = response["Content-Security-Policy"]
    nonce = re.search(r"style-src 'self' 'nonce-([^']+)'", header).group(1)
    assert "'unsafe-inline'" not in header
    assert "script-src 'self';" in header + ";"  # the nonce is for styles only
    html = response.text
    assert f'nonce="{nonce}"' in html and "api/redoc-init.js" in html
    assert _inline_styles(html) == []
    # Every other page keeps style-src 'self' alone.
    other = login(coordinator).get(reverse("api:docs"))
    assert "style-src 'self';" in other["Content-Security-Policy"] + ";"
    assert _inline_styles(other.text) == []


def test_browsable_api_brings_its_code_style_as_a_static_file(login, coordinator):
    html = login(coordinator).get("/api/", HTTP_ACCEPT="text/html").text
    assert "api/browsable.css" in html
    assert not STYLE_ELEMENT.search(html)


@pytest.fixture
def assessed(scenario):  # noqa: F811 (the imported fixture)
    assessment_run(round_name=ROUND)
    return scenario


def _pages(city, assessed) -> list[str]:
    community = city["communities"]["A"]
    household = city["households"]["A"]
    campaign = city["campaign_a"]
    plain = [
        "home",
        "account",
        "password_change",
        "areas:home_province",
        "audit:list",
        "targeting:home",
        "targeting:import",
        "targeting:review_list",
        "targeting:campaign_new",
        "referrals:home",
        "referrals:inbox",
        "referrals:overdue",
        "referrals:excluded",
        "referrals:reports",
        "referrals:screen",
        "referrals:notifications",
        "referrals:catalogue",
        "assessment:home",
        "assessment:indicator_sets",
        "livelihoods:programmes",
        "livelihoods:programme_create",
        "livelihoods:mobility",
        "community:my_databook",
        "community:my_fund",
        "community:my_corrections",
        "community:review_queue",
        "community:fund_home",
        "community:procurement_queue",
        "community:fund_rules",
        "privacy:index",
        "privacy:two_factor",
        "dashboards:city",
    ]
    with_args = [
        ("areas:province", ["10"]),
        ("areas:district", ["1008"]),
        ("areas:subdistrict", ["100801"]),
        ("areas:community", [community.pk]),
        ("registry:household_create", [community.pk]),
        ("registry:household_detail", [household.pk]),
        ("registry:household_edit", [household.pk]),
        ("registry:member_add", [household.pk]),
        ("assessment:household", [assessed["X"].pk]),
        ("assessment:province", ["10"]),
        ("assessment:district", ["1008"]),
        ("assessment:community", [community.pk]),
        ("targeting:list", [city["target_list"].pk]),
        ("targeting:record", [city["records"]["A"].pk]),
        ("targeting:review_pair", [city["candidate_c"].pk]),
        ("targeting:job", [city["job"].pk]),
        ("targeting:campaign", [campaign.pk]),
        ("targeting:report", [campaign.pk]),
        ("targeting:worklist", [campaign.pk]),
        ("targeting:verification", [campaign.pk]),
        ("referrals:household", [household.pk]),
        ("livelihoods:mobility_province", ["10"]),
        ("livelihoods:mobility_district", ["1008"]),
        ("livelihoods:mobility_community", [community.pk]),
        ("community:databook", [community.pk]),
        ("community:fund", [community.pk]),
        ("community:corrections", [community.pk]),
        ("community:public", [community.pk]),
        ("community:correction_household", [household.pk]),
        ("privacy:person", [city["people"]["A"].pk]),
        ("dashboards:district", ["1008"]),
        ("dashboards:community", [community.pk]),
    ]
    return [reverse(name) for name in plain] + [reverse(n, args=a) for n, a in with_args]


ROLES = [
    "coordinator",
    "district_officer",
    "volunteer_a",
    "leader_a",
    "researcher",
    "agency_officer",
]


def test_no_page_sends_an_inline_style(client, request, login, city, assessed):
    """Every main page, for every role, as HTML: no style attribute, no <style> element."""
    offenders, seen = [], 0
    pages = _pages(city, assessed)
    anonymous = client.get(reverse("login"))  # the anonymous login page too
    offenders += [f"anonymous login: {hit}" for hit in _inline_styles(anonymous.text)]
    for role in ROLES:
        browser = login(request.getfixturevalue(role))
        for url in pages:
            response = browser.get(url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            seen += response.status_code == 200
            offenders += [f"{role} {url}: {hit}" for hit in _inline_styles(response.text)]
        browser.logout()
    assert seen > 100  # the pages really rendered, not only 403/404s
    assert offenders == []
