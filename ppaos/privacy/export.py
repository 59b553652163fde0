"""A person's full record for an access or portability request (PDPA ss.30-31): JSON for
machines, a Thai PDF (WeasyPrint, Sarabun embedded) for the person."""

import datetime as dt
import decimal
import json
import re
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ppaos.audit.models import AuditEvent
from ppaos.lib.pdf import font_urls, html_to_pdf
from ppaos.lib.templatetags.thai import bedate, bedatetime
from ppaos.privacy import hooks
from ppaos.privacy.models import Anonymisation, ConsentRecord, DataSubjectRequest, LegalHold
from ppaos.registry import services as registry_services
from ppaos.registry.models import Person, Relation

# How much of the access log (who viewed or changed the record) the export lists.
ACCESS_LOG_LIMIT = 500
# The registry's own person fields, plus the record's history markers.
PERSON_FIELDS = (*registry_services.PERSON_FIELDS, "version", "created_at", "updated_at", "is_demo")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _row(obj, names) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def person_record(person: Person, *, actor=None) -> dict[str, Any]:
    """Everything PPAOS holds about `person`, by section. The national ID is shown in full:
    this is the person's own copy."""
    person = Person.objects.get(pk=person.pk)
    stays = person.memberships.select_related(
        "household__community", "household__subdistrict__district"
    ).order_by("start_date", "id")
    anonymisation = Anonymisation.objects.filter(person=person).first()
    households = [m.household_id for m in stays]
    access = AuditEvent.objects.filter(
        Q(object_type="registry.person", object_id=str(person.pk))
        | Q(object_type="registry.household", object_id__in=[str(h) for h in households])
    ).order_by("-at", "-id")[:ACCESS_LOG_LIMIT]
    record = {
        "format": "ppaos-person-export/1",
        "generated_at": _plain(timezone.now()),
        "generated_by": actor.get_username() if actor is not None else "",
        "person_id": person.pk,
        "person": _row(person, PERSON_FIELDS),
        "anonymised": (
            {"at": _plain(anonymisation.at), "reason": anonymisation.reason}
            if anonymisation
            else None
        ),
        "households": [
            {
                "household_code": m.household.code,
                "address": m.household.address_line(),
                "subdistrict": m.household.subdistrict.name_th,
                "district": m.household.subdistrict.district.name_th,
                "postal_code": m.household.postal_code,
                "community": m.household.community.name_th,
                "relation": m.relation,
                "from": _plain(m.start_date),
                "until": _plain(m.end_date),
                "reason_for_leaving": m.end_reason,
            }
            for m in stays
        ],
        "consents": [
            _row(
                c,
                (
                    "id",
                    "purpose",
                    "lawful_basis",
                    "notice_version",
                    "sensitive_data",
                    "share_with_agencies",
                    "given_by",
                    "guardian_name",
                    "guardian_relation",
                    "given_at",
                    "withdrawn_at",
                ),
            )
            for c in person.consents.order_by("given_at", "id")
        ],
        "requests": [
            _row(r, ("id", "kind", "received_at", "due_at", "status", "closed_at", "outcome"))
            for r in person.privacy_requests.order_by("received_at", "id")
        ],
        "legal_holds": [
            _row(h, ("id", "reason", "placed_at", "released_at"))
            for h in person.legal_holds.order_by("placed_at", "id")
        ],
        "access_log": [
            {
                "at": _plain(e.at),
                "user": e.actor_username,
                "action": e.action,
                "record": f"{e.object_type} {e.object_id}",
            }
            for e in access
        ],
        "other": {title: data for title, data in hooks.export_sections(person)},
    }
    return record


def as_json(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2, default=str).encode("utf-8")


# Labels for the keys that are not model fields.
LABELS = {
    "national_id": _lazy("national ID"),
    "household_code": _lazy("household code"),
    "address": _lazy("address"),
    "subdistrict": _lazy("khwaeng"),
    "district": _lazy("khet"),
    "postal_code": _lazy("postal code"),
    "community": _lazy("community"),
    "relation": _lazy("relation to head"),
    "from": _lazy("from"),
    "until": _lazy("until"),
    "reason_for_leaving": _lazy("reason for leaving"),
    "list": _lazy("target list"),
    "source": _lazy("source"),
    "year_be": _lazy("year (B.E.)"),
    "line_no": _lazy("line"),
    "link_status": _lazy("link"),
    "id": _lazy("number"),
    "version": _lazy("version"),
    "created_at": _lazy("created"),
    "updated_at": _lazy("last changed"),
    "is_demo": _lazy("demonstration data"),
    "placed_at": _lazy("placed"),
    "released_at": _lazy("released"),
    "closed_at": _lazy("closed"),
    "status": _lazy("status"),
}


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def readable_date(value: str) -> str:
    """An ISO date or time from the record, as the reader's pages show it (BE in Thai)."""
    if ISO_DATE.match(value):
        return bedate(dt.date.fromisoformat(value), "short")
    if ISO_DATETIME.match(value):
        return bedatetime(dt.datetime.fromisoformat(value))
    return value


def _label_rows(row: dict[str, Any], model=None) -> list[tuple[str, Any]]:
    """(label, value) pairs in the reader's language; choice codes shown as their labels."""
    rows = []
    for name, value in row.items():
        label, shown = LABELS.get(name, name), value
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        if field is not None:
            label = LABELS.get(name, field.verbose_name)
            choices = dict(field.flatchoices)
            if value in choices:
                shown = choices[value]
        if name == "relation":
            shown = dict(Relation.choices).get(value, value)
        if isinstance(shown, bool):
            shown = _("yes") if shown else _("no")
        elif isinstance(shown, str):
            shown = readable_date(shown)
        rows.append((str(label), "—" if shown in (None, "") else shown))
    return rows


def pdf_sections(record: dict[str, Any]) -> list[tuple[str, list[list[tuple[str, Any]]]]]:
    """The record as titled sections of labelled tables, for the PDF."""
    consents = [_label_rows(c, ConsentRecord) for c in record["consents"]]
    sections = [
        (_("Person"), [_label_rows(record["person"], Person)]),
        (_("Households"), [_label_rows(h) for h in record["households"]]),
        (_("Consent and lawful basis"), consents),
        (_("Requests"), [_label_rows(r, DataSubjectRequest) for r in record["requests"]]),
        (_("Legal holds"), [_label_rows(h, LegalHold) for h in record["legal_holds"]]),
    ]
    for title, data in record["other"].items():
        rows = [data] if isinstance(data, dict) else list(data)
        sections.append((title, [_label_rows(r) for r in rows]))
    return [(str(title), tables) for title, tables in sections]


def as_pdf(record: dict[str, Any], *, person: Person) -> bytes:
    """The record as a printable Thai document, the font embedded."""
    html = render_to_string(
        "privacy/export_pdf.html",
        {
            "record": record,
            "made": readable_date(record["generated_at"]),
            "anonymised_at": readable_date((record["anonymised"] or {}).get("at", "")),
            "access_log": [{**e, "at": readable_date(e["at"])} for e in record["access_log"]],
            "sections": pdf_sections(record),
            "person": person,
            "fonts": font_urls(),
        },
    )
    return html_to_pdf(html)
