"""`ppaos screen IN.csv --on DATE --out OUT.csv`: screen people not in the registry."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ppaos.lib.thaidate import DateInputError, parse_date
from ppaos.referrals.screening import COLUMNS, screening_run


class Command(BaseCommand):
    help = (
        "Screen a list of people who are not in the registry (from a hospital, school or "
        "temple) against the service catalogue, without storing them. Input: UTF-8 CSV with "
        f"the columns {', '.join(COLUMNS)}. Output: case_id, service, eligible, reason, "
        "apply_from. Bad rows are reported with their line number (exit status 2); the good "
        "rows are still screened. Every run is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--on", required=True, help="the day (YYYY-MM-DD or dd/mm/yyyy BE)")
        parser.add_argument("--out", required=True, type=Path, help="the result CSV")

    def handle(self, *args, file: Path, on: str, out: Path, **options):
        translation.activate(settings.LANGUAGE_CODE)
        file, out = Path(file), Path(out)  # call_command passes them as given
        try:
            day = parse_date(on)
        except DateInputError as e:
            raise CommandError(str(e)) from e
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{file} does not exist") from None
        except UnicodeDecodeError:
            raise CommandError(_("%(file)s is not UTF-8 text.") % {"file": file}) from None
        try:
            result = screening_run(actor=None, text=text, on=day, label=file.name)
        except ValidationError as e:
            raise CommandError(f"{file}: {' '.join(e.messages)}") from e
        out.write_text(result.csv_text(), encoding="utf-8")
        for _code, error in result.rule_errors:
            self.stderr.write(_("rule error: %(error)s") % {"error": error})
        for line, error in result.errors:
            self.stderr.write(_("line %(line)s: %(error)s") % {"line": line, "error": error})
        self.stdout.write(
            _("%(cases)s cases screened, %(errors)s rows rejected; results in %(out)s")
            % {"cases": result.cases, "errors": len(result.errors), "out": out}
        )
        if result.errors:
            sys.exit(2)
