from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ppaos.referrals.services import DEFAULT_CATALOGUE, catalogue_load


class Command(BaseCommand):
    help = (
        "Load the service catalogue (agencies, services, eligibility rules and amounts with "
        "effective dates) from a JSON file; the shipped Thai welfare programmes by default. "
        "Idempotent: existing services and rule versions are kept unless --update."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_CATALOGUE)
        parser.add_argument(
            "--update",
            action="store_true",
            help="overwrite existing services' names, documents and response times",
        )

    def handle(self, *args, file: Path, update: bool, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        try:
            result = catalogue_load(path=file, update=update)
        except (ValidationError, KeyError, ValueError) as e:
            raise CommandError(f"{file}: {e}") from e
        self.stdout.write(
            f"{file.name}: {result.organisations} new organisations, "
            f"{result.services_created} new services, {result.services_updated} updated, "
            f"{result.rules_created} new rule versions, {result.rules_kept} kept."
        )
        for line in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {line}"))
