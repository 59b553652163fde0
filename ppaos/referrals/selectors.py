"""Reads for referrals, always scoped: the city side by area (the household's community), an
agency by organisation (only referrals addressed to it, never drafts)."""

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from ppaos.accounts.models import Organisation, OrganisationKind
from ppaos.accounts.scope import (
    ANSWER_DISTRICT_REFERRALS,
    ANSWER_REFERRALS,
    MANAGE_TARGETING,
    VIEW_COUNTS,
    VIEW_PEOPLE,
    roles_with,
    scope_for,
)
from ppaos.areas.models import Community
from ppaos.lib.disclosure import Table
from ppaos.lib.i18n import localized
from ppaos.lib.suppression import is_hidden, small_count_threshold
from ppaos.referrals.eligibility import Catalogue, Evaluation, scan
from ppaos.referrals.models import (
    OPEN_STATUSES,
    Benefit,
    HouseholdPlan,
    Referral,
    Service,
    Status,
)
from ppaos.referrals.rules import RuleError
from ppaos.registry.models import Household

STATUS_ORDER = [s for s in Status.values if s != Status.DRAFT]
RELATED = ("household__community__subdistrict__district", "person", "service", "organisation")


def agency_organisation_ids(user) -> frozenset[int]:
    """Organisations the user answers referrals for: their agency officer assignments, and
    the district offices of the area where they answer district referrals (a district
    office's staff act as the agency for the services the office gives)."""
    scope = scope_for(user)
    ids = set(district_office_ids(user))
    if scope.holds(ANSWER_REFERRALS):
        ids |= set(
            user.role_assignments.filter(
                role__in=roles_with(ANSWER_REFERRALS), organisation__isnull=False
            ).values_list("organisation_id", flat=True)
        )
    return frozenset(ids)


def district_office_ids(user) -> frozenset[int]:
    """The district offices whose referrals the user answers (by area, whole districts)."""
    area = scope_for(user).area(ANSWER_DISTRICT_REFERRALS)
    if not area.prefixes:
        return frozenset()
    condition = Q()
    for prefix in sorted(area.prefixes):
        condition |= Q(district__code__startswith=prefix)
    return frozenset(
        Organisation.objects.filter(condition, kind=OrganisationKind.DISTRICT_OFFICE).values_list(
            "pk", flat=True
        )
    )


def is_agency(user) -> bool:
    return bool(agency_organisation_ids(user))


def can_refer(user) -> bool:
    return scope_for(user).can(MANAGE_TARGETING)


def referrals_visible(*, user) -> QuerySet[Referral]:
    """Referrals of households the user may see (city side)."""
    area = scope_for(user).area(VIEW_PEOPLE)
    return Referral.objects.filter(area.q("household__community")).select_related(*RELATED)


def referrals_managed(*, user) -> QuerySet[Referral]:
    """Referrals the user may act on for the city: households in their managed area."""
    area = scope_for(user).area(MANAGE_TARGETING)
    return Referral.objects.filter(area.q("household__community")).select_related(*RELATED)


def agency_inbox(*, user) -> QuerySet[Referral]:
    """Referrals addressed to the user's organisations (sent or later), never drafts."""
    organisations = agency_organisation_ids(user)
    return (
        Referral.objects.filter(organisation_id__in=sorted(organisations))
        .exclude(status=Status.DRAFT)
        .select_related("person", "service", "organisation", "household__subdistrict__district")
        .order_by("due_on", "id")
    )


def overdue_all(*, today: dt.date | None = None) -> QuerySet[Referral]:
    """Every open referral past its due date (for the `referrals-overdue` command)."""
    today = today or timezone.localdate()
    return (
        Referral.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today)
        .select_related(*RELATED)
        .order_by("due_on", "id")
    )


def overdue_for(*, user, today: dt.date | None = None) -> QuerySet[Referral]:
    """Overdue referrals the user is responsible for: in their area, or addressed to them."""
    today = today or timezone.localdate()
    area = scope_for(user).area(MANAGE_TARGETING)
    organisations = sorted(agency_organisation_ids(user))
    return (
        Referral.objects.filter(area.q("household__community") | Q(organisation__in=organisations))
        .filter(status__in=OPEN_STATUSES, due_on__lt=today)
        .select_related(*RELATED)
        .order_by("due_on", "id")
    )


def households_in_area(*, code: str) -> QuerySet[Household]:
    """Households in a DOPA area (province, district or subdistrict code prefix) or, when the
    code names one, a community; every household for an empty code."""
    queryset = Household.objects.all()
    if not code:
        return queryset
    if Community.objects.filter(code=code).exists():
        return queryset.filter(community__code=code)
    return queryset.filter(community__subdistrict__code__startswith=code)


@dataclass
class ServiceCount:
    service: Service
    eligible: int = 0
    receiving: int = 0
    unknown: int = 0
    # The rule in force cannot be evaluated (see eligibility.Catalogue.failed): the message.
    error: str = ""

    @property
    def excluded(self) -> int:
        return self.eligible - self.receiving


@dataclass
class ExclusionReport:
    counts: list[ServiceCount]
    rows: list[Evaluation] = field(default_factory=list)
    open_referrals: dict[tuple[int, int], Referral] = field(default_factory=dict)

    @property
    def errors(self) -> list[ServiceCount]:
        """Services whose rule in force cannot be evaluated."""
        return [c for c in self.counts if c.error]

    def without_errors(self) -> "ExclusionReport":
        """The report as those who do not keep the rules see it: a service whose rule cannot
        be evaluated is simply not listed."""
        return ExclusionReport(
            [c for c in self.counts if not c.error], self.rows, self.open_referrals
        )


def exclusion_report(
    *,
    households: QuerySet[Household],
    service_code: str = "",
    on: dt.date | None = None,
) -> ExclusionReport:
    """People eligible for a service but not receiving it (the excluded), with per-service
    counts of eligible, receiving and unknown (facts missing). Rows are limited to
    `service_code` when given."""
    catalogue = Catalogue()
    counts = {s.pk: ServiceCount(s) for s in catalogue.services}
    rows = []
    for evaluation in scan(households=households, catalogue=catalogue, on=on):
        count = counts[evaluation.service.pk]
        if evaluation.error:
            count.error = count.error or evaluation.error
        elif evaluation.eligible is None:
            count.unknown += 1
        elif evaluation.eligible:
            count.eligible += 1
            count.receiving += evaluation.receiving
            if not evaluation.receiving and (
                not service_code or evaluation.service.code == service_code
            ):
                rows.append(evaluation)
    open_referrals = {
        (r.person_id, r.service_id): r
        for r in Referral.objects.filter(
            person__in=[e.person.pk for e in rows], status__in=(Status.DRAFT, *OPEN_STATUSES)
        )
    }
    for row in rows:
        row.open_referral = open_referrals.get((row.person.pk, row.service.pk))
    day = on or timezone.localdate()
    with_rules = [
        c
        for c in counts.values()
        if (rule := c.service.rule_on(day)) is not None and rule.eligibility is not None
    ]
    for c in with_rules:
        if not c.error:  # a rule that fails its type check fails here even with no one to scan
            try:
                catalogue.compiled(c.service.rule_on(day))
            except RuleError as e:
                c.error = str(e)
    broken = {c.service.pk for c in with_rules if c.error}
    rows = [r for r in rows if r.service.pk not in broken]
    return ExclusionReport(with_rules, rows, open_referrals)


def household_plan(*, household: Household) -> HouseholdPlan | None:
    """The open plan, or the latest one."""
    plans = HouseholdPlan.objects.filter(household=household).select_related("responsible")
    return plans.filter(status=HouseholdPlan.Status.OPEN).first() or plans.first()


# Reports ------------------------------------------------------------------------------------


def referrals_reportable(*, user) -> QuerySet[Referral]:
    """Referrals the user may count: households in their counting area, or addressed to
    their organisation. Reports show counts and durations only, no names."""
    area = scope_for(user).area(VIEW_COUNTS)
    organisations = sorted(agency_organisation_ids(user))
    return Referral.objects.filter(
        area.q("household__community") | Q(organisation__in=organisations)
    ).exclude(status=Status.DRAFT)


def _days(start, end) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


@dataclass
class Row:
    key: str
    label: str
    total: int = 0
    statuses: Counter = field(default_factory=Counter)
    overdue: int = 0
    to_accept: list[float] = field(default_factory=list)
    to_complete: list[float] = field(default_factory=list)
    enrolled: int = 0

    @property
    def open(self) -> int:
        return sum(self.statuses[s] for s in OPEN_STATUSES)

    @property
    def median_accept(self) -> float | None:
        return round(statistics.median(self.to_accept), 1) if self.to_accept else None

    @property
    def median_complete(self) -> float | None:
        return round(statistics.median(self.to_complete), 1) if self.to_complete else None

    @property
    def mean_accept(self) -> float | None:
        return round(statistics.fmean(self.to_accept), 1) if self.to_accept else None

    @property
    def mean_complete(self) -> float | None:
        return round(statistics.fmean(self.to_complete), 1) if self.to_complete else None

    @property
    def by_status(self) -> list[tuple[str, str, int]]:
        return [(s, Status(s).label, self.statuses[s]) for s in STATUS_ORDER]


@dataclass
class Report:
    total: Row
    by_agency: list[Row]
    by_service: list[Row]
    by_district: list[Row]
    coverage: list[tuple[Service, int]]
    people_enrolled: int


REPORT_METRICS = ("total", "open", "overdue", "enrolled", *STATUS_ORDER)


@dataclass
class ShownRow:
    """A report row as shown to its reader: counts (None: small, WITHHELD: hidden to protect
    one, see ppaos.lib.disclosure) and durations (None when over too few referrals)."""

    key: str
    label: str
    total: object
    open: object
    overdue: object
    enrolled: object
    statuses: dict
    median_accept: float | None
    median_complete: float | None
    mean_accept: float | None
    mean_complete: float | None

    @property
    def by_status(self) -> list[tuple[str, str, object]]:
        return [(s, Status(s).label, self.statuses[s]) for s in STATUS_ORDER]


@dataclass
class ShownReport:
    total: ShownRow
    by_agency: list[ShownRow]
    by_service: list[ShownRow]
    by_district: list[ShownRow]
    coverage: list[tuple[Service, object]]
    people_enrolled: object
    suppressed: bool

    @property
    def threshold(self) -> int:
        return small_count_threshold()


def report_exact(*, user) -> bool:
    """Whether the user sees the report's counts as they are: no community they may count
    is one whose people they may not see (researchers see protected counts)."""
    scope = scope_for(user)
    return not (
        Community.objects.filter(scope.area(VIEW_COUNTS).community_q())
        .exclude(scope.area(VIEW_PEOPLE).community_q())
        .exists()
    )


def _metric(row: Row, metric: str) -> int:
    if metric in ("total", "open", "overdue", "enrolled"):
        return int(getattr(row, metric))
    return row.statuses.get(metric, 0)


def report_shown(report: Report, *, exact: bool) -> ShownReport:
    """The report with its counts protected together (ppaos.lib.disclosure): each row's
    statuses add up to its referrals and its open statuses to "open"; each grouping's rows
    add up, metric by metric, to the total; the coverage per service to the people enrolled
    where nobody gained two services. Durations over a hidden count of referrals are hidden."""
    table = Table("referral-report")
    groups = {
        "agency": report.by_agency,
        "service": report.by_service,
        "district": report.by_district,
    }
    every = [("t", report.total)] + [
        ((g, row.key), row) for g, rows in groups.items() for row in rows
    ]
    for name, row in every:
        for m in REPORT_METRICS:
            table.add((name, m), _metric(row, m))
        table.add_sum([(name, s) for s in STATUS_ORDER], (name, "total"))
        table.add_sum([(name, s) for s in OPEN_STATUSES], (name, "open"))
    for g, rows in groups.items():
        for m in REPORT_METRICS:
            if rows:
                table.add_sum([((g, row.key), m) for row in rows], ("t", m))
    table.add("people", report.people_enrolled)
    for service, n in report.coverage:
        table.add(("coverage", service.pk), n)
    if report.coverage and sum(n for _s, n in report.coverage) == report.people_enrolled:
        table.add_sum([("coverage", s.pk) for s, _n in report.coverage], "people")
    shown = table.protect(exact=exact)

    def row_shown(name, row: Row) -> ShownRow:
        few = not exact and is_hidden(shown[(name, "total")])
        return ShownRow(
            key=row.key,
            label=row.label,
            statuses={s: shown[(name, s)] for s in STATUS_ORDER},
            median_accept=None if few else row.median_accept,
            median_complete=None if few else row.median_complete,
            mean_accept=None if few else row.mean_accept,
            mean_complete=None if few else row.mean_complete,
            **{m: shown[(name, m)] for m in ("total", "open", "overdue", "enrolled")},
        )

    return ShownReport(
        total=row_shown("t", report.total),
        by_agency=[row_shown(("agency", r.key), r) for r in report.by_agency],
        by_service=[row_shown(("service", r.key), r) for r in report.by_service],
        by_district=[row_shown(("district", r.key), r) for r in report.by_district],
        coverage=[(s, shown[("coverage", s.pk)]) for s, _n in report.coverage],
        people_enrolled=shown["people"],
        suppressed=not exact,
    )


def referral_report(
    *,
    referrals: QuerySet[Referral],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> Report:
    """Referrals by status, agency, service and district (sent in the period); days from
    sending to acceptance and to completion; people newly enrolled through completed
    referrals (coverage gained)."""
    today = today or timezone.localdate()
    if date_from:
        referrals = referrals.filter(sent_at__date__gte=date_from)
    if date_to:
        referrals = referrals.filter(sent_at__date__lte=date_to)
    rows = referrals.values(
        "pk",
        "status",
        "due_on",
        "sent_at",
        "accepted_at",
        "completed_at",
        "organisation_id",
        "organisation__name_th",
        "service_id",
        "service__name_th",
        "service__name_en",
        "household__community__subdistrict__district_id",
        "household__community__subdistrict__district__name_th",
        "benefit__id",
    )
    total = Row("*", "")
    groups: dict[str, dict[str, Row]] = {"agency": {}, "service": {}, "district": {}}
    for r in rows:
        keys = {
            "agency": (str(r["organisation_id"]), r["organisation__name_th"]),
            "service": (
                str(r["service_id"]),
                localized(r["service__name_th"], r["service__name_en"]),
            ),
            "district": (
                r["household__community__subdistrict__district_id"],
                r["household__community__subdistrict__district__name_th"],
            ),
        }
        targets = [total] + [
            groups[g].setdefault(key, Row(key, label)) for g, (key, label) in keys.items()
        ]
        accept = _days(r["sent_at"], r["accepted_at"])
        complete = _days(r["sent_at"], r["completed_at"])
        overdue = r["status"] in OPEN_STATUSES and r["due_on"] is not None and r["due_on"] < today
        for row in targets:
            row.total += 1
            row.statuses[r["status"]] += 1
            row.overdue += overdue
            row.enrolled += r["benefit__id"] is not None
            if accept is not None:
                row.to_accept.append(accept)
            if complete is not None:
                row.to_complete.append(complete)
    benefits = Benefit.objects.filter(
        source=Benefit.Source.REFERRAL, referral__in=referrals.values("pk")
    )
    per_service = Counter(benefits.values_list("service_id", flat=True))
    services = Service.objects.in_bulk(list(per_service))
    coverage = sorted(
        ((services[sid], n) for sid, n in per_service.items()), key=lambda x: (-x[1], x[0].code)
    )

    def ordered(group: str) -> list[Row]:
        return sorted(groups[group].values(), key=lambda row: (-row.total, row.label))

    return Report(
        total=total,
        by_agency=ordered("agency"),
        by_service=ordered("service"),
        by_district=ordered("district"),
        coverage=coverage,
        people_enrolled=benefits.values("person").distinct().count(),
    )


# Home page counts ----------------------------------------------------------------------------


def overdue_count(*, user, today: dt.date | None = None) -> int:
    """How many referrals the user is responsible for are past their due date."""
    return overdue_for(user=user, today=today).count()


def district_inbox_waiting_count(*, user) -> int:
    """Referrals sent to the district offices the user answers for, not yet accepted or
    rejected (the district office's part of the inbox)."""
    offices = sorted(district_office_ids(user))
    if not offices:
        return 0
    return Referral.objects.filter(organisation_id__in=offices, status=Status.SENT).count()
