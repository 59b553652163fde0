import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ppaos.assessment.services import DEFAULT_SET, indicator_set_load


class Command(BaseCommand):
    help = "Load an indicator-set version (JSON) and make it active; default: the shipped set."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_SET)
        parser.add_argument("--inactive", action="store_true", help="load without activating")

    def handle(self, *args, file: Path, inactive: bool, **options):
        try:
            definition = json.loads(file.read_text(encoding="utf-8"))
            loaded = indicator_set_load(definition=definition, activate=not inactive)
        except ValidationError as e:
            raise CommandError(f"{file}: refused, nothing loaded: {'; '.join(e.messages)}") from e
        except (OSError, json.JSONDecodeError) as e:
            raise CommandError(f"{file}: {e}") from e
        self.stdout.write(f"Indicator set {loaded} loaded{'' if inactive else ' and active'}.")
