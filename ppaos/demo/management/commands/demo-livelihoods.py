from django.core.management.base import BaseCommand

from ppaos.demo.assessment import DEMO_ROUND
from ppaos.demo.livelihoods import BASELINE_ROUND, demo_livelihoods_load


class Command(BaseCommand):
    help = (
        "Demo livelihood programme (a community enterprise with stages, partners, about 60 "
        f"enrolled members and their income) and the earlier survey round {BASELINE_ROUND} "
        "of every demo household. Run after demo-data; replaces earlier demo programme rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)
        parser.add_argument("--members", type=int, default=60)

    def handle(self, *args, seed: int, members: int, **options):
        result = demo_livelihoods_load(seed=seed, members=members)
        self.stdout.write(
            f"Demo programme {result.programme.code}: {result.enrolled} members enrolled from "
            f"{result.households} households, income recorded for {BASELINE_ROUND} and "
            f"{DEMO_ROUND}."
        )
        self.stdout.write(
            f"Survey round {BASELINE_ROUND}: {result.baseline_surveys:,} surveys "
            f"({result.moved_up} households set to move up by {DEMO_ROUND}, "
            f"{result.fell_back} to fall back). Then: ppaos assess --round {BASELINE_ROUND} "
            f"and ppaos assess --round {DEMO_ROUND}."
        )
