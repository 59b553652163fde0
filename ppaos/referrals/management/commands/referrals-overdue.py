from django.core.management.base import BaseCommand, CommandError

from ppaos.lib.thaidate import DateInputError, parse_date
from ppaos.referrals.services import referrals_notify_overdue


class Command(BaseCommand):
    help = (
        "Flag overdue referrals and notify the agency's officers and the referrer (in-app and "
        "by e-mail). Idempotent: once per referral per overdue state. Run it daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", default="", help="check as of this date (default: today)")

    def handle(self, *args, today: str, **options):
        try:
            day = parse_date(today) if today else None
        except DateInputError as e:
            raise CommandError(str(e)) from e
        counts = referrals_notify_overdue(today=day)
        self.stdout.write(
            f"{counts['overdue']} overdue referrals; {counts['flagged']} newly flagged, "
            f"{counts['notices']} notices, {counts['emails']} e-mails."
        )
