from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.privacy.backup import BackupError, backup, table_fingerprint


class Command(BaseCommand):
    help = (
        "Back up the whole database to OUT: pg_dump custom format (PostgreSQL) or the SQLite "
        "backup API. The file holds personal data: it is made readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--database", default="default")

    def handle(self, *args, out: Path, database: str, **options):
        try:
            backup(out, alias=database)
        except BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(count for count, _digest in table_fingerprint(alias=database).values())
        size = out.stat().st_size
        self.stdout.write(f"Backup written to {out} ({size:,} bytes; {rows:,} checked rows).")
