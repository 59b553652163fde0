from django.conf import settings
from django.core.management.base import BaseCommand

from ppaos.privacy.services import retention_run


class Command(BaseCommand):
    help = (
        "Anonymise people who left every household more than PPAOS_RETENTION_DAYS ago "
        "(PDPA s.37(3)); people under a legal hold or another app's blocker are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be anonymised, change nothing"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"retention in days (default: {settings.PRIVACY_RETENTION_DAYS})",
        )

    def handle(self, *args, dry_run=False, days=None, **options):
        result = retention_run(dry_run=dry_run, days=days)
        verb = "would anonymise" if dry_run else "anonymised"
        done = len(result.candidates) - len(result.blocked) if dry_run else len(result.anonymised)
        self.stdout.write(
            f"Left before {result.cutoff.isoformat()}: {len(result.candidates)} people; "
            f"{verb} {done}; kept {len(result.blocked)} (blocked)."
        )
        for pk, reasons in result.blocked.items():
            self.stdout.write(f"  person {pk} kept: {'; '.join(reasons)}")
