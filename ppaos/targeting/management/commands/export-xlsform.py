from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.assessment.selectors import indicator_set_active
from ppaos.targeting import xlsform
from ppaos.targeting.models import Campaign


class Command(BaseCommand):
    help = (
        "Write a campaign's visit survey as an XLSForm (.xlsx) for ODK Central / KoboToolbox, "
        "with every assigned community and its households preloaded. Checked with pyxform."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
        parser.add_argument("--language", choices=sorted(xlsform.LANGUAGES), default="th")

    def handle(self, *args, campaign_id: int, out: Path, language: str, **options):
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"campaign {campaign_id} does not exist")
        scope = xlsform.campaign_scope(campaign=campaign)
        try:
            data = xlsform.build_xlsform(
                campaign=campaign,
                indicator_set=indicator_set_active(),
                language=language,
                communities=scope.communities,
                households=scope.households,
            )
            out.write_bytes(data)
        except (xlsform.XLSFormError, OSError) as e:
            raise CommandError(f"{out}: {e}") from e
        self.stdout.write(
            f"Wrote {out}: form {xlsform.form_id(campaign)}, {scope.communities.count()} "
            f"communities, {scope.households.count()} households."
        )
