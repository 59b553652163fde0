import csv
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ppaos.audit.models import Action
from ppaos.audit.services import audit_event
from ppaos.lib.i18n import Deferred
from ppaos.lib.thaidate import DateInputError, parse_date
from ppaos.referrals.models import Service
from ppaos.referrals.selectors import exclusion_report, households_in_area


class Command(BaseCommand):
    help = (
        "List the excluded: people eligible for a programme under the rule in force but not "
        "receiving it, with the reasons, for an area (province, district or subdistrict code, "
        "or a community code; empty for the whole registry). National IDs are masked."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", default="", help="DOPA code prefix or community code")
        parser.add_argument("--service", default="", help="one service code (default: all)")
        parser.add_argument("--on", default="", help="date the rules apply on (default: today)")
        parser.add_argument(
            "--csv", action="store_true", dest="as_csv", help="CSV rows instead of text"
        )
        parser.add_argument(
            "--summary", action="store_true", help="only the counts per service, no names"
        )
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="language of the reasons (th, en)"
        )

    def handle(
        self,
        *args,
        area: str,
        service: str,
        on: str,
        as_csv: bool,
        summary: bool,
        language: str,
        **options,
    ):
        translation.activate(language)
        if service and not Service.objects.filter(code=service).exists():
            raise CommandError(f"unknown service {service!r}")
        try:
            day = parse_date(on) if on else None
        except DateInputError as e:
            raise CommandError(str(e)) from e
        households = households_in_area(code=area.strip())
        report = exclusion_report(households=households, service_code=service, on=day)
        rows = [] if summary else report.rows
        if rows:
            self._audit(area, service, len(rows))
        if as_csv:
            self._csv(rows)
        else:
            for e in rows:
                amount = f"{e.amount:,.0f} {_('baht')}" if e.amount is not None else ""
                self.stdout.write(
                    "\t".join(
                        [
                            e.household.code,
                            e.person.full_name,
                            e.person.masked_id or "-",
                            e.service.code,
                            e.summary,
                            amount,
                        ]
                    )
                )
        out = self.stderr if as_csv else self.stdout
        for count in report.counts:
            if service and count.service.code != service:
                continue
            if count.error:
                self.stderr.write(
                    _("%(service)s: rule error: %(error)s")
                    % {"service": count.service.code, "error": count.error}
                )
                continue
            out.write(
                f"{count.service.code}: {count.excluded} eligible but not receiving "
                f"(eligible {count.eligible}, receiving {count.receiving}, unknown {count.unknown})"
            )

    def _csv(self, rows) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(["household", "person", "national_id", "service", "reasons", "amount_baht"])
        for e in rows:
            writer.writerow(
                [
                    e.household.code,
                    e.person.full_name,
                    e.person.masked_id,
                    e.service.code,
                    e.summary,
                    "" if e.amount is None else f"{e.amount:.0f}",
                ]
            )

    def _audit(self, area: str, service: str, count: int) -> None:
        audit_event(
            actor=None,
            action=Action.EXPORT,
            object_type="export",
            object_id=str(count),
            label=Deferred(
                gettext_noop("eligible but not receiving, area %(area)s, service %(service)s"),
                area=area or "*",
                service=service or "*",
            ),
            user_agent=" ".join(sys.argv),
        )
