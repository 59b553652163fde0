from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.areas.services import communities_import_csv


class Command(BaseCommand):
    help = (
        "Create or update communities from a CSV file with columns code,name_th,name_en,"
        "subdistrict_code,community_type[,latitude,longitude]. Bad rows are listed and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        report = communities_import_csv(file.read_text(encoding="utf-8-sig"))
        for line, reason in report.rejected:
            self.stderr.write(f"{file}:{line}: rejected: {reason}")
        self.stdout.write(
            f"Communities: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.rejected)} rejected."
        )
        if report.rejected:
            raise SystemExit(2)
