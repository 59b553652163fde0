"""Writes for the service catalogue: loading it, editing services and their rules."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ppaos.accounts.models import Organisation, OrganisationKind
from ppaos.areas import provinces
from ppaos.areas.models import District
from ppaos.audit.models import Action
from ppaos.audit.services import audit_record
from ppaos.lib import safejson
from ppaos.referrals import notifications, rules, windows
from ppaos.referrals.eligibility import FACTS
from ppaos.referrals.models import (
    LocalProvider,
    Service,
    ServiceRule,
)
from ppaos.referrals.services._common import plain_value
from ppaos.registry.models import Household

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "services-th.json"


# Catalogue ----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    organisations: int = 0
    services_created: int = 0
    services_updated: int = 0
    rules_created: int = 0
    rules_kept: int = 0
    # One line per provider and area where nobody can accept the service's referrals.
    warnings: list[str] = field(default_factory=list)


def rule_check(expression: Any, expect: str | None = None) -> None:
    """ValidationError unless `expression` is a well-formed rule naming known facts, with
    every operator given arguments of its types; with `expect` (rules.BOOL for eligibility,
    rules.NUMBER for an amount), the whole rule gives that type."""
    if expression is None:
        return
    rules.validate(expression, FACTS, expect)


def rule_pair_check(*, eligibility: Any, amount: Any) -> None:
    """ValidationError (by field) unless the eligibility is a true/false rule and the
    amount a number rule (either may be None)."""
    errors = {}
    for name, expression, expect in (
        ("eligibility", eligibility, rules.BOOL),
        ("amount", amount, rules.NUMBER),
    ):
        try:
            rule_check(expression, expect)
        except ValidationError as e:
            errors[name] = e.messages
    if errors:
        raise ValidationError(errors)


def catalogue_load(*, path: Path = DEFAULT_CATALOGUE, update: bool = False) -> LoadResult:
    """Load organisations, services and rule versions from a JSON file.

    Idempotent: organisations are matched by Thai name, services by code, rules by service and
    effective date. Existing services keep a coordinator's edits unless `update`; an existing
    rule version is never changed (add a new version instead)."""
    data = safejson.loads(Path(path).read_bytes())
    result = LoadResult()
    with transaction.atomic():
        organisations = {}
        for row in data.get("organisations", []):
            organisation, created = Organisation.objects.get_or_create(
                name_th=row["name_th"],
                defaults={"name_en": row.get("name_en", ""), "kind": row["kind"]},
            )
            organisations[row["key"]] = organisation
            result.organisations += created
        for row in data["services"]:
            provider_key = row["provider"]
            by_district = provider_key == "district_office"
            if not by_district and provider_key not in organisations:
                raise ValidationError(f"{row['code']}: unknown provider {provider_key!r}")
            values = {
                "name_th": row["name_th"],
                "name_en": row.get("name_en", ""),
                "category": row["category"],
                "level": row.get("level", "person"),
                "provider": None if by_district else organisations[provider_key],
                "provider_is_district_office": by_district,
                "area_route": row.get("area_route", ""),
                "description": row.get("description", ""),
                "description_th": row.get("description_th", ""),
                "required_documents": row.get("required_documents", []),
                "sla_days": row.get("sla_days", 15),
                "amount_period": row.get("amount_period", ""),
                "source": row.get("source", ""),
                "source_th": row.get("source_th", ""),
                "registration_by_rounds": row.get("registration_by_rounds", False),
                "registration_windows": row.get("registration_windows", []),
            }
            windows.validate(values["registration_windows"])
            service = Service.objects.filter(code=row["code"]).first()
            if service is None:
                service = Service.objects.create(code=row["code"], **values)
                result.services_created += 1
            elif update:
                for name, value in values.items():
                    setattr(service, name, value)
                service.save()
                result.services_updated += 1
            else:
                _add_missing_thai(service, values, ["source_th"])
            for rule in row.get("rules", []):
                try:
                    rule_check(rule.get("eligibility"), rules.BOOL)
                    rule_check(rule.get("amount"), rules.NUMBER)
                except ValidationError as e:
                    raise ValidationError(
                        _("Service %(service)s, rule from %(date)s: %(error)s")
                        % {
                            "service": row["code"],
                            "date": rule.get("effective_from"),
                            "error": " ".join(e.messages),
                        }
                    ) from e
                kept = ServiceRule.objects.filter(replaced_at__isnull=True)
                version, created = kept.get_or_create(
                    service=service,
                    effective_from=dt.date.fromisoformat(rule["effective_from"]),
                    defaults={
                        "eligibility": rule.get("eligibility"),
                        "amount": rule.get("amount"),
                        "note": rule.get("note", ""),
                        "note_th": rule.get("note_th", ""),
                        "is_confirmed": rule.get("confirmed", True),
                        "source": rule.get("source", ""),
                        "source_th": rule.get("source_th", ""),
                    },
                )
                if created:
                    result.rules_created += 1
                else:
                    result.rules_kept += 1
                    if version.note == rule.get("note", "") and version.source == rule.get(
                        "source", ""
                    ):
                        _add_missing_thai(version, rule, ["note_th", "source_th"])
    result.warnings = catalogue_acceptor_gaps()
    return result


def _add_missing_thai(obj, data: dict, fields: list[str]) -> None:
    """Fill Thai translations still empty on a kept service or rule version. Only text a
    reader sees in Thai is added: the rule, its English note and sources stay as they are."""
    missing = [f for f in fields if not getattr(obj, f) and data.get(f)]
    for name in missing:
        setattr(obj, name, data[name])
    if missing:
        obj.save(update_fields=missing)


def catalogue_acceptor_gaps() -> list[str]:
    """A warning per provider and area where an active service's referrals would wait for
    nobody: no active account may accept them (an agency officer of the provider, or for
    district-office services, the office's staff of each district where households live)."""
    active = Service.objects.filter(is_active=True).select_related("provider")
    lines: list[str] = []
    checked: set[int] = set()
    for service in active.filter(provider__isnull=False).order_by("provider__name_th", "code"):
        if service.provider_id in checked:
            continue
        checked.add(service.provider_id)
        if not notifications.agency_officers(service.provider_id).exists():
            names = ", ".join(
                active.filter(provider_id=service.provider_id).values_list("code", flat=True)
            )
            lines.append(
                _(
                    "%(provider)s: nobody can accept its referrals (%(services)s); add an agency "
                    "officer of this organisation."
                )
                % {"provider": service.provider.name_th, "services": names}
            )
    by_office = list(active.filter(provider_is_district_office=True).values_list("code", flat=True))
    if not by_office and not active.exclude(area_route="").exists():
        return lines
    districts = list(
        Household.objects.order_by().values_list("subdistrict__district_id", flat=True).distinct()
    )
    by_district_office = [
        d for d in districts if provinces.profile(d).local_office == provinces.DISTRICT_OFFICE
    ]
    lines += _local_provider_gaps(
        active, by_office, sorted({d[:2] for d in districts} - {d[:2] for d in by_district_office})
    )
    for district in District.objects.filter(code__in=by_district_office).order_by("code"):
        office = Organisation.objects.filter(
            kind=OrganisationKind.DISTRICT_OFFICE, district_id=district.pk
        ).first()
        if office is None:
            lines.append(
                _(
                    "District %(district)s: no district office is registered, so its referrals "
                    "(%(services)s) cannot be sent."
                )
                % {
                    "district": f"{district.pk} {district.name_th}",
                    "services": ", ".join(by_office),
                }
            )
        elif not notifications.agency_officers(office.pk).exists():
            lines.append(
                _(
                    "%(provider)s (district %(district)s): nobody can accept its referrals "
                    "(%(services)s); add a district officer for this district."
                )
                % {
                    "provider": office.name_th,
                    "district": district.pk,
                    "services": ", ".join(by_office),
                }
            )
    return lines


def _local_provider_gaps(active, by_office: list[str], province_codes: list[str]) -> list[str]:
    """Outside Bangkok: an อปท. (or its health fund) nobody can answer for."""
    by_fund = list(active.exclude(area_route="").values_list("code", flat=True))
    lines = []
    providers = LocalProvider.objects.filter(
        local_government__province_id__in=province_codes
    ).select_related("organisation")
    for provider in providers.order_by("local_government", "function"):
        codes = by_office if provider.function == LocalProvider.Function.OFFICE else by_fund
        if codes and not notifications.agency_officers(provider.organisation_id).exists():
            lines.append(
                _(
                    "%(provider)s: nobody can accept its referrals (%(services)s); add an agency "
                    "officer of this organisation."
                )
                % {"provider": provider.organisation.name_th, "services": ", ".join(codes)}
            )
    return lines


SERVICE_EDITABLE = (
    "name_th",
    "name_en",
    "description",
    "description_th",
    "required_documents",
    "sla_days",
    "amount_period",
    "is_active",
    "source",
    "source_th",
    "registration_by_rounds",
    "registration_windows",
)


@transaction.atomic
def service_update(*, actor, service: Service, data: dict[str, Any]) -> Service:
    """A coordinator changes a service's description, documents, response time, status or
    registration windows."""
    windows.validate(data.get("registration_windows"))
    changes = {}
    for name in SERVICE_EDITABLE:
        if name in data and getattr(service, name) != data[name]:
            changes[name] = [plain_value(getattr(service, name)), plain_value(data[name])]
            setattr(service, name, data[name])
    service.full_clean()
    service.save()
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=service, changes=changes)
    return service


@transaction.atomic
def service_rule_add(
    *,
    actor,
    service: Service,
    effective_from: dt.date,
    eligibility: Any,
    amount: Any,
    note: str = "",
    is_confirmed: bool = True,
    source: str = "",
    note_th: str = "",
    source_th: str = "",
    replace: bool = False,
) -> ServiceRule:
    """A new version of a service's rule and amount, in force from `effective_from`: the
    version in force before that day ends the day before (versions are never edited, so
    history is kept). With `replace`, a version taking effect on the same day (say, a
    faulty one in force today) is replaced: kept in the history, in force no more."""
    rule_pair_check(eligibility=eligibility, amount=amount)
    same_day = (
        service.rules.select_for_update()
        .filter(effective_from=effective_from, replaced_at__isnull=True)
        .first()
    )
    if same_day is not None and not replace:
        raise ValidationError(
            {
                "effective_from": _(
                    "A version taking effect on this day exists already: tick “replace the "
                    "version of this day” to replace it (it stays in the history)."
                )
            }
        )
    before = service.rule_on(effective_from - dt.timedelta(days=1))
    if same_day is not None:
        same_day.replaced_at = timezone.now()
        same_day.save(update_fields=["replaced_at"])
    rule = ServiceRule.objects.create(
        service=service,
        effective_from=effective_from,
        eligibility=eligibility,
        amount=amount,
        note=note,
        note_th=note_th,
        is_confirmed=is_confirmed,
        source=source,
        source_th=source_th,
        created_by=actor,
    )
    changes: dict[str, list] = {"rule": [None, f"from {effective_from.isoformat()}"]}
    if same_day is not None:
        same_day.replaced_by = rule
        same_day.save(update_fields=["replaced_by"])
        changes["replaced"] = [f"rule {same_day.pk} from {effective_from.isoformat()}", None]
    if before is not None and before.pk != getattr(same_day, "pk", None):
        until = effective_from - dt.timedelta(days=1)
        changes["ended"] = [
            f"rule {before.pk} from {before.effective_from.isoformat()}",
            f"until {until.isoformat()}",
        ]
    audit_record(actor=actor, action=Action.CREATE, obj=service, changes=changes)
    service.forget_rules()
    return rule
