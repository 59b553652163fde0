from django.core.management.base import BaseCommand, CommandError

from ppaos.accounts.models import User
from ppaos.areas.models import Community
from ppaos.demo.community import demo_community_load


class Command(BaseCommand):
    help = (
        "Demo community funds: this fiscal year's fund for every demo community in its "
        "province's mode, with proposals and the community's decisions; in Bangkok's district "
        "procurement mode the leader's community takes every step (request, purchase, "
        "delivery, receipt), elsewhere expenditures with generated receipts. The leader's "
        "community keeps one proposal open to decide. Replaces earlier demo funds, never real "
        "ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)

    def handle(self, *args, seed: int, **options):
        if not Community.objects.filter(is_demo=True).exists() or not User.objects.exists():
            raise CommandError("run `ppaos demo-data` first (it creates the demo communities)")
        summary = demo_community_load(seed=seed)
        self.stdout.write(
            f"Demo community funds (seed {seed}): {summary.years} fund years, "
            f"{summary.proposals} proposals, {summary.decisions} decisions, "
            f"{summary.requests} requests to the district office, "
            f"{summary.expenditures} expenditures; {summary.corrections} corrections and "
            "life events for review."
        )
