from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.accounts.models import User
from ppaos.targeting import submissions
from ppaos.targeting.models import Campaign


class Command(BaseCommand):
    help = (
        "Import an ODK Central or KoboToolbox export (CSV or JSON) into a campaign as visits, "
        "on behalf of a manager (--user), with a per-submission report. Re-running is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the importing manager")
        parser.add_argument("--source", choices=["odk", "kobo"], help="default: detected")

    def handle(self, *args, campaign_id: int, file: Path, user: str, source, **options):
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"campaign {campaign_id} does not exist")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        try:
            report = submissions.submissions_import(
                campaign=campaign, path=file, name=file.name, actor=actor, source=source
            )
        except submissions.SubmissionFileError as e:
            raise CommandError(f"{file}: {e}") from e
        for row in report.rows:
            line = f"{file}:{row.line}: {row.status}"
            details = " ".join(p for p in (row.household_code, row.submission_id) if p)
            message = f"{line} {details}" + (f": {row.reason}" if row.reason else "")
            (self.stderr if row.status == submissions.REJECTED else self.stdout).write(message)
        counts = report.counts()
        self.stdout.write(
            f"Submissions ({report.source}): {counts['created']} created, "
            f"{counts['already']} already imported, {counts['conflict']} conflicts, "
            f"{counts['rejected']} rejected."
        )
        if counts["rejected"]:
            raise SystemExit(2)
