from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.areas.services import OnboardError, communities_import_csv, province_onboard

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


class Command(BaseCommand):
    help = (
        "Prepare a province (DOPA code, one of PPAOS_PROVINCES): its geography from geothai, "
        "its local administrative organisations from the DLA list (--lao), its villages from "
        "DOPA's list (--villages) and communities inside municipalities (--communities). "
        "Every row is reported with its line number; bad rows are skipped; running it again "
        "changes nothing. Exit 2 if any row was rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="DOPA province code, e.g. 75")
        parser.add_argument("--lao", type=Path, help="DLA list of อปท. (CSV, UTF-8)")
        parser.add_argument("--villages", type=Path, help="DOPA village list (CSV, UTF-8)")
        parser.add_argument("--communities", type=Path, help="communities in municipalities")
        parser.add_argument(
            "--sample",
            action="store_true",
            help=f"use the sample files of {SAMPLES.relative_to(SAMPLES.parents[3])} (tests, demo)",
        )

    def handle(self, *args, code: str, lao, villages, communities, sample: bool, **options):
        if sample:
            lao = lao or SAMPLES / f"{code}-dla-lao.csv"
            villages = villages or SAMPLES / f"{code}-dopa-villages.csv"
            communities = communities or SAMPLES / f"{code}-municipal-communities.csv"
        texts = {}
        for name, path in (("lao", lao), ("villages", villages), ("communities", communities)):
            if path is not None and not path.exists():
                raise CommandError(f"{path} does not exist")
            texts[name] = path.read_text(encoding="utf-8-sig") if path else ""
        try:
            report = province_onboard(
                code=code, lao_text=texts["lao"], village_text=texts["villages"]
            )
        except OnboardError as exc:
            raise CommandError(str(exc)) from exc
        files = {"lao": lao, "villages": villages}
        for row in report.rows:
            line = f"{files[row.file]}:{row.line}: {row.outcome}: {row.detail}"
            (self.stderr if row.outcome == "rejected" else self.stdout).write(line)
        for file, label in (("lao", "อปท."), ("villages", "Villages")):
            self.stdout.write(
                f"{label}: {report.count(file, 'created')} created, "
                f"{report.count(file, 'updated')} updated, "
                f"{report.count(file, 'unchanged')} unchanged, "
                f"{report.count(file, 'rejected')} rejected."
            )
        rejected = len(report.rejected)
        if texts["communities"]:
            imported = communities_import_csv(texts["communities"])
            for line, reason in imported.rejected:
                self.stderr.write(f"{communities}:{line}: rejected: {reason}")
            self.stdout.write(
                f"Communities: {imported.created} created, {imported.updated} updated, "
                f"{imported.unchanged} unchanged, {len(imported.rejected)} rejected."
            )
            rejected += len(imported.rejected)
        if rejected:
            raise SystemExit(2)
