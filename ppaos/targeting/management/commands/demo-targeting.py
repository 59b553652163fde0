import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ppaos.accounts.models import User
from ppaos.targeting import demo
from ppaos.targeting.linking import target_list_link
from ppaos.targeting.services import target_list_import


class Command(BaseCommand):
    help = (
        "Demo targeting data: write a TPMAP-style list (with typos, missing IDs and bad rows) "
        "to media/demo/, import it, link it to the registry, and open a campaign with visits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)
        parser.add_argument("--no-link", action="store_true", help="skip record linkage")

    def handle(self, *args, seed: int, no_link: bool, **options):
        coordinator = User.objects.filter(username="coordinator").first()
        if coordinator is None:
            raise CommandError("run `ppaos demo-data` first (it creates the demo users)")
        path = settings.MEDIA_ROOT / "demo" / "tpmap-2566-demo.csv"
        written = demo.target_list_csv(seed=seed, path=path)
        result = target_list_import(path=path, name=path.name, source="tpmap", year_be=2566)
        self.stdout.write(
            f"Target list {path} ({written['rows']} rows): {result['created']} new, "
            f"{result['unchanged']} unchanged, {len(result['rejected'])} rejected rows."
        )
        from ppaos.targeting.models import TargetList

        target_list = TargetList.objects.get(pk=result["target_list"])
        if not no_link:
            started = dt.datetime.now()
            counts = target_list_link(target_list=target_list)
            seconds = (dt.datetime.now() - started).total_seconds()
            self.stdout.write(f"Linkage ({seconds:.1f} s): {counts}")
        campaign = demo.campaign_with_visits(
            seed=seed, target_list=target_list, coordinator=coordinator
        )
        self.stdout.write(f"Campaign {campaign.name!r}: {campaign.visits.count()} visits.")
