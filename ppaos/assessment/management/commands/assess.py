from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ppaos.assessment.services import assessment_run


class Command(BaseCommand):
    help = (
        "Assess every household surveyed in a round (DuckDB): deprivations, Alkire-Foster "
        "poverty, capital scores and level. Existing assessments of the round never change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_name", required=True, help='e.g. "2568-2"')

    def handle(self, *args, round_name: str, **options):
        try:
            report = assessment_run(round_name=round_name)
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        levels = ", ".join(
            f"{'no score' if level is None else f'level {level}'}: {n:,}"
            for level, n in sorted(report.levels.items(), key=lambda x: (x[0] is None, x[0]))
        )
        seconds = report.seconds
        self.stdout.write(
            f"Round {report.round_name}: {report.created:,} assessed, "
            f"{report.unchanged:,} unchanged (already assessed)."
        )
        if report.created:
            self.stdout.write(
                f"  poor (Alkire-Foster): {report.poor:,}; incomplete data: "
                f"{report.incomplete:,}; {levels}; "
                f"indicator sets: {', '.join(report.indicator_sets)}"
            )
            self.stdout.write(
                f"  {seconds['extract']:.1f} s reading, {seconds['compute']:.1f} s computing, "
                f"{seconds['write']:.1f} s writing."
            )
        if report.newer_survey:
            self.stdout.write(
                f"  {report.newer_survey:,} assessed households have a later survey in this round; "
                "assessments never change, so assess a new round to use it."
            )
