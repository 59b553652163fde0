"""`ppaos demo [--seed N]`: load the whole synthetic demo, step by step, as `make demo` does.

Each step is its own command (`demo-data`, `demo-livelihoods`, ...), which can also be run
alone; this one runs them in the order they depend on each other."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# (command, takes --seed, extra arguments)
STEPS = (
    ("load-geography", False, ()),
    ("load-indicators", False, ()),
    ("demo-data", True, ()),
    ("demo-livelihoods", True, ()),
    ("assess", False, ("--round", "2568-1")),
    ("assess", False, ("--round", "2568-2")),
    ("demo-targeting", True, ()),
    ("load-services", False, ()),
    ("demo-referrals", True, ()),
    ("demo-province", True, ()),
    ("demo-community", True, ()),
    ("demo-coordinates", True, ()),
    ("refresh-dashboards", False, ()),
)


class Command(BaseCommand):
    help = "Load the whole synthetic demo (registry, surveys, targeting, referrals, community)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2566)

    def handle(self, *args, seed: int, **options):
        for name, seeded, extra in STEPS:
            self.stdout.write(f"· {name} {' '.join(extra)}".rstrip())
            arguments = [*extra, "--seed", str(seed)] if seeded else list(extra)
            call_command(name, *arguments, stdout=self.stdout, stderr=self.stderr)
