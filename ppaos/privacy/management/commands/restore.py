from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.privacy.backup import BackupError, restore, table_fingerprint


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by `ppaos backup`. Stop the web "
        "server and the task worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, metavar="IN")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args, source: Path, database: str, interactive: bool, **options):
        if interactive:
            answer = input(f"This overwrites the {database!r} database with {source}. Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore(source, alias=database)
        except BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(count for count, _digest in table_fingerprint(alias=database).values())
        self.stdout.write(f"Restored {source} ({rows:,} checked rows).")
