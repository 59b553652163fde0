import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.targeting.importing import FIELDS, FileFormatError
from ppaos.targeting.services import target_list_import


class Command(BaseCommand):
    help = (
        "Import a target list (CSV or XLSX). Bad rows are reported with line numbers and "
        "reasons, good rows are saved together, and re-running the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="tpmap")
        parser.add_argument("--year", type=int, required=True, help="Buddhist-era year, e.g. 2566")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help=f"map a column; fields: {', '.join(FIELDS)}",
        )
        parser.add_argument("--report", type=Path, help="write rejected rows to this CSV")
        parser.add_argument(
            "--columns",
            type=Path,
            help="a province's column file (default: ppaos/targeting/data/tpmap-columns.json)",
        )

    def handle(
        self, *args, file: Path, source: str, year: int, map: list, report, columns, **options
    ):
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        mapping = {}
        for item in map:
            field, sep, header = item.partition("=")
            if not sep:
                raise CommandError(f"--map {item!r}: write FIELD=HEADER")
            mapping[field.strip()] = header.strip()
        try:
            result = target_list_import(
                path=file,
                name=file.name,
                source=source,
                year_be=year,
                mapping=mapping,
                columns_file=columns,
            )
        except FileFormatError as e:
            raise CommandError(f"{file}: {e}") from e
        for line, reason in result["rejected"]:
            self.stderr.write(f"{file}:{line}: rejected: {reason}")
        if report:
            with report.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(["line", "reason"])
                writer.writerows(result["rejected"])
        plan = result["columns"]
        if plan:
            self.stdout.write(
                f"Columns ({plan['mapping']}): {len(plan['recognised'])} recognised; "
                f"unknown, kept with each record: {', '.join(plan['unknown']) or 'none'}."
            )
        self.stdout.write(
            f"{source} {year}: {result['created']} new, {result['updated']} updated, "
            f"{result['unchanged']} unchanged, {len(result['rejected'])} rejected."
        )
