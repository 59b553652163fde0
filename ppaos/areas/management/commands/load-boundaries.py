from django.core.management.base import BaseCommand, CommandError

from ppaos.areas.boundaries import BoundaryFileError, boundaries_load


class Command(BaseCommand):
    help = (
        "Load province (ADM1) or district (ADM2) outlines from an OCHA/HDX COD-AB GeoJSON file "
        "(idempotent); features that match no DOPA code are reported. Exit 2 if any was."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="th_adm1_*.geojson or th_adm2_*.geojson")
        parser.add_argument("--source", default="", help="source label (default: file name)")

    def handle(self, *args, **options):
        try:
            report = boundaries_load(options["file"], source=options["source"])
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Boundaries ({report.level}): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.unmatched)} not matched."
        )
        for number, reason in report.unmatched:
            self.stderr.write(f"feature {number}: {reason}")
        if report.unmatched:
            raise SystemExit(2)
