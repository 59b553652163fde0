from django.core.management.base import BaseCommand

from ppaos.demo.dashboards import demo_coordinates


class Command(BaseCommand):
    help = (
        "Give demo households (is_demo only) plausible coordinates: around a point inside "
        "their district's outline, per community. Real households are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)

    def handle(self, *args, seed: int, **options):
        report = demo_coordinates(seed=seed)
        self.stdout.write(
            f"Demo coordinates (seed {seed}): {report.households:,} households in "
            f"{report.communities:,} communities."
        )
        if report.without_outline:
            self.stdout.write(
                f"No district outline for {len(report.without_outline)} district(s) "
                f"({', '.join(sorted(report.without_outline))}): their households keep no "
                f"coordinates (run ppaos load-boundaries first)."
            )
