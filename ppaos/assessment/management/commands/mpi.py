import csv
import json

from django.core.management.base import BaseCommand, CommandError

from ppaos.assessment.analysis import GROUPINGS, UNITS, analyse
from ppaos.assessment.models import Assessment


class Command(BaseCommand):
    help = (
        "Alkire-Foster H, A, M0, indicator contributions and level counts of an assessed round, "
        "overall and per area, as JSON or CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_name", required=True)
        parser.add_argument("--by", choices=list(GROUPINGS), default="district")
        parser.add_argument("--format", dest="fmt", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--unit",
            choices=UNITS,
            default="households",
            help="count households (default) or people (members at the survey)",
        )
        parser.add_argument(
            "--area", default="", help="only this DOPA area code prefix (e.g. 1008)"
        )

    def handle(self, *args, round_name: str, by: str, fmt: str, unit: str, area: str, **options):
        assessments = Assessment.objects.filter(round_name=round_name)
        if area:
            assessments = assessments.filter(
                household__community__subdistrict__code__startswith=area
            )
        results = analyse(assessments, by=by, unit=unit)
        if not results:
            raise CommandError(f"no assessments for round {round_name!r}: run `ppaos assess`")
        if fmt == "json":
            payload = {
                "round": round_name,
                "by": by,
                "unit": unit,
                "indicator_sets": [r.summary() for r in results],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self._csv(results, by)

    def _csv(self, results, by: str) -> None:
        codes = []
        for r in results:
            codes += [c for c in r.spec.codes if c not in codes]
        level_numbers = sorted({lv.level for r in results for lv in r.spec.levels})
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(
            ["indicator_set", "unit", "by", "code", "name", "households", "n", "n_poor"]
            + ["H", "A", "M0"]
            + [f"level_{n}" for n in level_numbers]
            + ["level_none"]
            + [f"contribution_{c}" for c in codes]
        )
        for r in results:
            for label, area in [("all", r.overall), *((by, a) for a in r.areas)]:
                writer.writerow(
                    [str(r.indicator_set), r.unit, label, area.code, area.name_th]
                    + [area.households, area.n, area.n_poor]
                    + [repr(area.H), repr(area.A), repr(area.M0)]
                    + [area.levels.get(n, 0) for n in level_numbers]
                    + [area.levels.get(None, 0)]
                    + [repr(area.contributions[c]) if c in r.spec.codes else "" for c in codes]
                )
