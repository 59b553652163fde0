from django.core.management.base import BaseCommand, CommandError

from ppaos.accounts.models import User
from ppaos.demo.referrals import demo_referrals_load


class Command(BaseCommand):
    help = (
        "Demo referral data for khet 1008: loads the service catalogue, records who already "
        "receives what, and creates referrals from `district1008` to the `agency` user's "
        "organisation in every state (one overdue) with household development plans, and a "
        "demo agency officer for every catalogue provider nobody answers for. "
        "Replaces earlier demo referrals, never real ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)

    def handle(self, *args, seed: int, **options):
        if not User.objects.filter(username__in=["district1008", "agency"]).count() == 2:
            raise CommandError("run `ppaos demo-data` first (it creates the demo users)")
        summary = demo_referrals_load(seed=seed)
        self.stdout.write(
            f"Demo referrals (seed {seed}): {summary.benefits} existing benefits, "
            f"{summary.referrals} referrals ({summary.overdue} overdue), "
            f"{summary.plans} development plans."
        )
