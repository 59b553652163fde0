import time

from django.core.management.base import BaseCommand

from ppaos.accounts.services import DEMO_PASSWORD, demo_users_create
from ppaos.areas.models import Province
from ppaos.areas.services import geography_load
from ppaos.demo.assessment import DEMO_ROUND, demo_surveys_delete, demo_surveys_load
from ppaos.demo.registry import PILOT_HOUSEHOLDS, demo_load


class Command(BaseCommand):
    help = (
        "Generate the synthetic pilot registry (districts 1008, 1009, 1043; 30 communities; "
        "658 households) and one demo user per role. Replaces earlier demo rows, never real ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)
        parser.add_argument("--households", type=int, default=PILOT_HOUSEHOLDS)
        parser.add_argument("--no-users", action="store_true", help="skip the demo accounts")
        parser.add_argument(
            "--no-surveys", action="store_true", help="skip the demo survey round (assessment)"
        )

    def handle(
        self, *args, seed: int, households: int, no_users: bool, no_surveys: bool, **options
    ):
        if not Province.objects.exists():
            geography_load()
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if total > 50_000:
                self.stdout.write(f"  {done:,} / {total:,} households")

        demo_surveys_delete()  # they point at the demo households demo_load replaces
        summary = demo_load(seed=seed, households=households, progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Demo registry (seed {seed}): {summary.communities} communities, "
            f"{summary.households:,} households, {summary.people:,} people in {elapsed:.1f} s."
        )
        if not no_surveys:
            started = time.perf_counter()
            surveys = demo_surveys_load(seed=seed)
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"Demo survey round {DEMO_ROUND}: {surveys:,} surveys in {seconds:.1f} s "
                f"(then: ppaos assess --round {DEMO_ROUND})."
            )
        if not no_users:
            demo_users_create()
            self.stdout.write(f"Demo users created; password for all: {DEMO_PASSWORD}")
