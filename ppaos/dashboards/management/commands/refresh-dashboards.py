from django.core.management.base import BaseCommand, CommandError

from ppaos.dashboards.models import Refresh
from ppaos.dashboards.services import refresh_run


class Command(BaseCommand):
    help = (
        "Recompute the dashboard figures (per community, month and survey round) in the "
        "database; pages keep showing the previous set until this one is done."
    )

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  step {done} / {total}")

        refresh = refresh_run(progress=progress if options["verbosity"] > 1 else None)
        if refresh.status != Refresh.Status.DONE:
            raise CommandError(f"refresh failed: {refresh.error}")
        self.stdout.write(
            f"Dashboard figures refreshed: {refresh.rows:,} rows in {refresh.seconds:.1f} s."
        )
