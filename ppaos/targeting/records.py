"""What a target record says in TPMAP / จปฐ. terms, for its page and the household page."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ppaos.registry.models import Household
from ppaos.targeting.models import TargetRecord

DIMENSION_LABELS = {
    "health": _("health"),
    "living": _("living conditions"),
    "education": _("education"),
    "income": _("income"),
    "accessibility": _("access to public services"),
}


@dataclass
class RecordFacts:
    record: TargetRecord
    dimensions: list[str]  # translated labels of the failed dimensions
    failed_indicators: list[int]
    passed_indicators: list[int]
    unknown_columns: dict[str, str]


def record_facts(record: TargetRecord) -> RecordFacts:
    results = {int(k): v for k, v in (record.indicator_results or {}).items()}
    return RecordFacts(
        record=record,
        dimensions=[str(DIMENSION_LABELS.get(d, d)) for d in record.failed_dimensions or []],
        failed_indicators=sorted(n for n, passed in results.items() if not passed),
        passed_indicators=sorted(n for n, passed in results.items() if passed),
        unknown_columns=record.unknown_columns(),
    )


def household_target_records(*, household: Household) -> list[RecordFacts]:
    """Target records linked to the household's current members, newest list first. The
    caller has checked that the user may see the household."""
    records = (
        TargetRecord.objects.filter(
            person__memberships__household=household, person__memberships__end_date__isnull=True
        )
        .select_related("target_list", "person")
        .order_by("-target_list__year_be", "line_no")
        .distinct()
    )
    return [record_facts(r) for r in records]
