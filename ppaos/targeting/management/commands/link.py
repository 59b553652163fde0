"""`ppaos link`: link two CSV files of people (or find duplicates in one) and write the pairs."""

import time
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from ppaos.targeting.linkage import (
    BACKENDS,
    COLUMNS,
    OUTPUT_COLUMNS,
    LinkageBackendUnavailable,
    dedupe_frame,
    link_frames,
)


def read_people(path: str) -> pd.DataFrame:
    """A CSV with an `id` column and any of the other linkage columns, all read as text."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CommandError(f"{path}: not a readable UTF-8 CSV file ({exc})") from exc
    frame.columns = [c.strip() for c in frame.columns]
    if "id" not in frame.columns:
        raise CommandError(f"{path}: needs an `id` column; columns may be {', '.join(COLUMNS)}")
    ids = frame["id"].str.strip()
    if (ids == "").any():
        raise CommandError(f"{path}: every row needs an id")
    if ids.duplicated().any():
        raise CommandError(
            f"{path}: ids must be unique (for example {ids[ids.duplicated()].iloc[0]})"
        )
    known = [c for c in COLUMNS if c in frame.columns]
    return frame[known]


class Command(BaseCommand):
    help = (
        "Link people in --left to people in --right (or, without --right, find duplicates in "
        "--left) with the Splink model of ppaos.targeting.linkage, and write the pairs at or "
        "above --threshold to --out as left_id,right_id,match_probability. Input columns: "
        + ",".join(COLUMNS)
        + " (any may be empty except id)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--left", required=True, help="CSV of people, e.g. the registry")
        parser.add_argument(
            "--right", help="CSV of people to link to --left; omit to deduplicate --left"
        )
        parser.add_argument("--out", required=True, help="CSV to write the pairs to")
        parser.add_argument(
            "--threshold",
            type=float,
            default=0.9,
            help="lowest match probability written (default 0.9)",
        )
        parser.add_argument("--backend", choices=BACKENDS, default="duckdb")

    def handle(self, *args, left, right, out, threshold, backend, **options):
        if not 0 <= threshold <= 1:
            raise CommandError("--threshold must be between 0 and 1")
        started = time.perf_counter()
        left_frame = read_people(left)
        right_frame = read_people(right) if right else None
        try:
            if right_frame is None:
                pairs = dedupe_frame(left_frame, threshold=threshold, backend=backend)
            else:
                pairs = link_frames(left_frame, right_frame, threshold=threshold, backend=backend)
        except LinkageBackendUnavailable as exc:
            raise CommandError(str(exc)) from exc
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        pairs.to_csv(out, index=False, columns=list(OUTPUT_COLUMNS))
        elapsed = time.perf_counter() - started
        sizes = f"{len(left_frame):,}" + (
            f" × {len(right_frame):,}" if right_frame is not None else ""
        )
        self.stdout.write(
            f"{len(pairs):,} pairs with match probability ≥ {threshold} among {sizes} records "
            f"written to {out} in {elapsed:.1f} s ({backend})."
        )
