"""Printed referral papers, as Thai PDFs (WeasyPrint, Sarabun embedded; see `lib/pdf.py`).

- The referral letter the person carries to the agency: the case number, their name, the
  service and the agency, the documents to bring, the date (Buddhist era) and a QR code the
  agency officer scans to open the case. No national ID, no health detail, no note: a
  letter can be lost on the way.
- The household card: the household's level (its latest assessment) and its development
  plan with its referrals, for the family and the responsible officer to keep.

Callers check the scope first; making a paper is an export of personal data, so it is
audited here."""

import datetime as dt
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_noop

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.selectors import household_assessments, indicator_set_active
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib.i18n import Deferred
from ppaos.lib.pdf import font_urls, html_to_pdf
from ppaos.lib.thaidate import format_be
from ppaos.referrals import notifications, selectors
from ppaos.referrals.models import Referral
from ppaos.registry.selectors import household_members

LETTER_TEMPLATE = "referrals/letter_pdf.html"
CARD_TEMPLATE = "referrals/household_card_pdf.html"
# Both papers' <style> (fine in a PDF template: never served as a page).
STYLE_TEMPLATE = "referrals/_print_style_pdf.html"


def case_url(referral: Referral) -> str:
    """The case's address in PPAOS (the QR code's target): the agency officer signs in."""
    return notifications.SITE_URL + reverse("referrals:detail", args=[referral.pk])


def qr_svg(url: str) -> str:
    """An inline SVG QR code (drawn here, nothing fetched). The SVG is segno's own markup of
    our case URL (site address + a number), so marking it safe inserts no user text."""
    svg = segno.make(url, error="m").svg_inline(scale=3, border=2)
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def letter_context(*, referral: Referral, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    organisation = referral.organisation
    url = case_url(referral)
    return {
        "referral": referral,
        "person": referral.person,
        "service": referral.service,
        "organisation": organisation,
        "district": organisation.district if organisation.district_id else None,
        "documents": [d for d in referral.service.required_documents or [] if d],
        "printed_on": format_be(today),
        "sent_on": format_be(timezone.localtime(referral.sent_at).date())
        if referral.sent_at
        else "",
        "due_on": format_be(referral.due_on),
        "referrer": referral.created_by.get_full_name() or referral.created_by.get_username(),
        "case_url": url,
        "qr": qr_svg(url),
        "fonts": font_urls(),
        "style_template": STYLE_TEMPLATE,
    }


def letter_html(*, referral: Referral, today: dt.date | None = None) -> str:
    with translation.override("th"):
        return render_to_string(LETTER_TEMPLATE, letter_context(referral=referral, today=today))


def letter_pdf(*, actor, referral: Referral) -> bytes:
    """The referral letter as a PDF; recorded in the audit log as an export."""
    pdf = html_to_pdf(letter_html(referral=referral))
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=referral,
        label=Deferred(
            gettext_noop("%(referral)s %(household)s, referral letter PDF"),
            referral=referral.number,
            household=referral.household.code,
        ),
    )
    return pdf


@dataclass
class Level:
    round_name: str
    level: int | None
    name: str
    status: str
    score: str


def household_level(household) -> Level | None:
    """The latest assessment's level, named as its indicator set names it."""
    assessments = household_assessments(household=household)
    if not assessments:
        return None
    latest = assessments[0]
    name = ""
    try:
        found = compile_definition(latest.indicator_set.definition).level(latest.level)
    except Exception:  # noqa: BLE001 (a set that no longer compiles: show the number only)
        found = None
    if found is not None:
        name = found.name_th
    return Level(
        round_name=latest.round_name,
        level=latest.level,
        name=name,
        status=latest.get_status_display() if latest.status else "",
        score=latest.deprivation_score,
    )


def card_context(*, household, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    plan = selectors.household_plan(household=household)
    members = household_members(household=household)
    head = next((m.person for m in members if m.relation == "head"), None)
    context = {
        "household": household,
        "head": head,
        "members": len(members),
        "level": household_level(household),
        "plan": plan,
        "referrals": list(
            Referral.objects.filter(household=household)
            .exclude(status="draft")
            .select_related("person", "service", "organisation")
            .order_by("created_at", "id")
        ),
        "printed_on": format_be(today),
        "fonts": font_urls(),
        "style_template": STYLE_TEMPLATE,
    }
    if plan is not None:
        labels = {p["code"]: p["name_th"] for p in _problem_list()}
        problems = list(plan.problems.all())
        for problem in problems:
            problem.label = labels.get(problem.code, problem.code)
        context |= {
            "problems": problems,
            "interventions": list(plan.interventions.select_related("service", "person")),
            "next_visit": plan.visits.exclude(next_visit_on=None).first(),
        }
    return context


def _problem_list() -> list[dict]:
    return list(indicator_set_active().definition.get("problems", []))


def card_html(*, household, today: dt.date | None = None) -> str:
    with translation.override("th"):
        return render_to_string(CARD_TEMPLATE, card_context(household=household, today=today))


def card_pdf(*, actor, household) -> bytes:
    """The household card as a PDF; recorded in the audit log as an export."""
    pdf = html_to_pdf(card_html(household=household))
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=household,
        label=Deferred(gettext_noop("%(household)s, household card PDF"), household=household.code),
    )
    return pdf
