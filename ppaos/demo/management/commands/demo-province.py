from django.core.management.base import BaseCommand

from ppaos.demo.province import DEMO_HOUSEHOLDS, DEMO_PROVINCE, demo_province_load


class Command(BaseCommand):
    help = (
        f"Demo upcountry province ({DEMO_PROVINCE}) from the sample DLA/DOPA files: its อปท. "
        "and villages, demo households, a province coordinator and อปท. accounts, and "
        "referrals routed to the อปท. and their local health funds. Run after load-services."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)
        parser.add_argument("--households", type=int, default=DEMO_HOUSEHOLDS)

    def handle(self, *args, seed: int, households: int, **options):
        summary = demo_province_load(seed=seed, households=households)
        self.stdout.write(
            f"Demo province {DEMO_PROVINCE}: {summary.local_governments} อปท., "
            f"{summary.villages} villages, {summary.households} households, "
            f"{summary.referrals} referrals; accounts: {', '.join(summary.accounts)}. "
            f"Add {DEMO_PROVINCE} to PPAOS_PROVINCES to serve it."
        )
