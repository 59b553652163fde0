"""Linkage benchmark: our Splink model against the `recordlinkage` toolkit on the same data.

Generates n registry records and n target records with known truth (bench/linkage_data.py:
typos, swapped names, missing IDs, prefix changes, moved addresses ...), then

(a) ours: `ppaos.targeting.linkage` — `prepare` (Thai derived columns) + `link_frames`
    (Splink on DuckDB: blocking, u by sampling, m by EM, predict at --threshold);
(b) peer: the `recordlinkage` toolkit used the standard way on the same raw columns — blocking
    on ID, full name, birth date + name, house; Jaro–Winkler (≥ 0.85) on names, exact
    comparisons on the rest; the unsupervised ECM (Fellegi–Sunter EM) classifier. The
    documentation's deterministic alternative (at least 4 of the 7 fields agree) is scored on
    the same comparison vectors too.

Prints time, precision, recall and F1 for both and the time ratio, and writes
bench/out/linkage.json. Usage: `python bench/linkage.py [--n 100000] [--seed 2566]
[--backend duckdb|spark] [--stored-keys] [--repeat 3]`. Ours also reports the seconds of each
step (prepare, train u, EM, predict) and the comparisons each blocking rule generates (Splink's
blocking analysis). The peer, and ours with the names' keys stored (`--stored-keys`, as the
linkage job runs), are timed `--repeat` times, interleaved, and the median run is reported.

Scale curve (docs/scale.md): `python bench/linkage.py --backend duckdb,spark --sizes
100000,300000 --no-peer` runs ours once per backend and size, each in a fresh process, and
records seconds, peak memory (RSS of the process and its children, i.e. Spark's JVM) and
comparisons → bench/out/linkage-scale.json. Spark runs in local mode on all cores.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppaos.settings")

sys.path.insert(0, str(ROOT / "bench"))
import run as load_bench  # noqa: E402 (bench/run.py: the bench database's checks)

# The stored name keys live in the bench database: Django must be pointed there before it starts.
STORED_KEYS = "--stored-keys" in sys.argv
if STORED_KEYS:
    os.environ["DATABASE_URL"] = load_bench.database_url()[0]

import django  # noqa: E402  (ppaos.targeting.linkage reads the targeting models' field list)

django.setup()

from bench.linkage_data import generate  # noqa: E402
from ppaos.targeting import linkage  # noqa: E402

OUT = ROOT / "bench" / "out"
RULE_MIN_AGREEMENTS = 4
COUNT_COMPARISONS = True
SPARK_DRIVER_MEMORY = "8g"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records per side (100,000)")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--no-peer", action="store_true", help="skip the recordlinkage run")
    parser.add_argument(
        "--backend", default="duckdb", help="duckdb, spark, or both comma-separated (--sizes)"
    )
    parser.add_argument(
        "--sizes", help="records per side, comma-separated: the scale curve (one run each)"
    )
    parser.add_argument(
        "--national",
        action="store_true",
        help="estimate the comparisons of a 1.5M × 66M national run from --n synthetic records",
    )
    parser.add_argument(
        "--stored-keys",
        action="store_true",
        help="also run ours as the linkage job does, with the names' keys stored in "
        "PPAOS_BENCH_DATABASE_URL: once with the store empty, once with it filled",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="time the peer and ours with the keys stored this many times, interleaved, "
        "and report each one's median run (3)",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    backends = args.backend.split(",")
    unknown = set(backends) - set(linkage.BACKENDS)
    if unknown or (len(backends) > 1 and not args.sizes):
        parser.error("--backend: duckdb or spark (several only with --sizes)")
    args.backends = backends
    if args.out is None:
        name = "linkage-national" if args.national else "linkage-scale" if args.sizes else "linkage"
        args.out = OUT / f"{name}.json"
    return args


def scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {
        "predicted_pairs": len(predicted),
        "true_positives": tp,
        "false_positives": len(predicted) - tp,
        "false_negatives": len(truth) - tp,
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
    }


def import_engines() -> None:
    """Import Splink and DuckDB before the clock starts, as the peer imports recordlinkage
    before its own: a worker process imports them once, not per run."""
    import duckdb  # noqa: F401
    import splink  # noqa: F401
    from splink import DuckDBAPI, Linker  # noqa: F401


def run_ours(
    left: pd.DataFrame,
    right: pd.DataFrame,
    threshold: float,
    backend: str = "duckdb",
    keys: linkage.NameKeysSource | None = None,
) -> tuple[set, dict]:
    forget_names_in_memory()
    started = time.perf_counter()
    lp, rp = linkage.prepare(left, keys=keys), linkage.prepare(right, keys=keys)
    prepared = time.perf_counter()
    steps: dict[str, float] = {}
    pairs = linkage.link_frames(lp, rp, threshold=threshold, backend=backend, timings=steps)
    done = time.perf_counter()
    timing = {
        "backend": backend,
        "seconds": round(done - started, 2),
        "prepare_seconds": round(prepared - started, 2),
        "splink_seconds": round(done - prepared, 2),
        "steps": {k: round(v, 2) for k, v in steps.items() if k != "prepare"},
        "comparisons": comparisons(lp, rp) if COUNT_COMPARISONS else None,
    }
    return set(zip(pairs["left_id"], pairs["right_id"], strict=True)), timing


def forget_names_in_memory() -> None:
    """Empty the in-process caches of normalised names, soundex codes and romanisations, so
    that every run of ours starts as a fresh process would."""
    for cached in (linkage.romanized, linkage.soundex_codes, linkage._thai_normalize):
        cached.cache_clear()


def run_stored_empty(left, right, threshold: float, backend: str) -> tuple[set, dict]:
    """Ours as the linkage job runs it (`link_jobs.stored_name_keys`), with the bench
    database's NameKey table emptied first: this run works out and stores every name's keys,
    the runs after it (`run_ours(..., keys=stored_name_keys)`) read them."""
    url, params = load_bench.database_url()
    load_bench.ensure_database(params)
    load_bench.ppaos("migrate", "--no-input", url=url, timeout=1800)
    from ppaos.targeting.models import NameKey

    NameKey.objects.all().delete()
    return run_ours(left, right, threshold, backend, keys=stored_keys())


def stored_keys() -> linkage.NameKeysSource:
    from ppaos.targeting.link_jobs import stored_name_keys

    return stored_name_keys


def median_scored(runs: list[tuple], truth: set) -> tuple[tuple, dict]:
    """The run of median seconds (pairs first, timing dict last) and its timing with every
    run's seconds and its scores: a shared 2-core machine varies by a fifth from one run to
    the next, so both sides are timed `--repeat` times, interleaved."""
    run = sorted(runs, key=lambda r: r[-1]["seconds"])[len(runs) // 2]
    seconds = [r[-1]["seconds"] for r in runs]
    return run, {**run[-1], "runs_seconds": seconds, **scores(run[0], truth)}


def comparisons(left: pd.DataFrame, right: pd.DataFrame) -> dict:
    """Pairs each blocking rule adds (Splink's blocking analysis, exact counts on DuckDB)."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    db = DuckDBAPI()
    tables = [
        db.register(left, dataset_display_name="l"),
        db.register(right, dataset_display_name="r"),
    ]
    counts = count_comparisons_from_blocking_rules(
        tables,
        blocking_rules=list(linkage.BLOCKING_RULES),
        link_type="link_only",
        unique_id_column_name="id",
        record_sample_proportion=1.0,
    )
    marginal = {
        rule: int(c["marginal_comparison_count"])
        for rule, c in zip(linkage.BLOCKING_RULES, counts, strict=True)
    }
    return {"total": int(counts[-1]["cumulative_comparison_count"]), "by_rule": marginal}


def _peer_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Generic cleaning a recordlinkage user would do: trim, blanks to NaN, ID digits only.
    (recordlinkage's own `clean()` keeps ASCII only, which would delete Thai names.)"""
    df = frame.set_index("id").apply(lambda col: col.str.strip())
    df["national_id"] = df["national_id"].str.replace(r"\D", "", regex=True)
    return df.replace("", float("nan"))


def run_peer(left: pd.DataFrame, right: pd.DataFrame) -> tuple[set, set, dict]:
    import recordlinkage as rl

    started = time.perf_counter()
    a, b = _peer_frame(left), _peer_frame(right)
    indexer = rl.Index()
    indexer.block("national_id")
    indexer.block(["first_name", "last_name"])
    indexer.block(["birth_date", "last_name"])
    indexer.block(["birth_date", "first_name"])
    indexer.block(["subdistrict_code", "house_no"])
    candidates = indexer.index(a, b)
    indexed = time.perf_counter()
    compare = rl.Compare(n_jobs=1)
    compare.exact("national_id", "national_id", label="national_id")
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="fn")
    compare.string("last_name", "last_name", method="jarowinkler", threshold=0.85, label="ln")
    compare.exact("birth_date", "birth_date", label="birth_date")
    compare.exact("sex", "sex", label="sex")
    compare.exact("subdistrict_code", "subdistrict_code", label="subdistrict")
    compare.exact("house_no", "house_no", label="house_no")
    features = compare.compute(candidates, a, b)
    compared = time.perf_counter()
    classifier = rl.ECMClassifier(binarize=None)
    matches = classifier.fit_predict(features)
    done = time.perf_counter()
    # The documentation's deterministic alternative: enough agreeing fields (here 4 of 7).
    rule = features.index[features.sum(axis=1) >= RULE_MIN_AGREEMENTS]
    timing = {
        "seconds": round(done - started, 2),
        "index_seconds": round(indexed - started, 2),
        "compare_seconds": round(compared - indexed, 2),
        "classify_seconds": round(done - compared, 2),
        "candidate_pairs": len(candidates),
    }
    return {(str(x), str(y)) for x, y in matches}, {(str(x), str(y)) for x, y in rule}, timing


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


class PeakRss:
    """Peak resident memory of a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int):
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psutil

        while not self.done.wait(0.2):
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def scale(args: argparse.Namespace) -> None:
    """One fresh process per (backend, size): seconds, peak RSS, comparisons."""
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        for backend in args.backends:
            out = OUT / f"linkage-{backend}-{n}.json"
            command = [sys.executable, __file__, "--n", str(n), "--seed", str(args.seed)]
            command += ["--backend", backend, "--no-peer", "--out", str(out)]
            print(f"== {backend} {n:,} × {n:,}", flush=True)
            child = subprocess.Popen(command)
            rss = PeakRss(child.pid)
            code = child.wait()
            peak = rss.stop()
            if code != 0:
                print(f"   failed (exit {code})", flush=True)
                rows.append({"backend": backend, "n": n, "failed": code})
                continue
            run = json.loads(out.read_text())
            ours = run["ours"]
            rows.append(
                {
                    "backend": backend,
                    "n": n,
                    "seconds": ours["seconds"],
                    "prepare_seconds": ours["prepare_seconds"],
                    "splink_seconds": ours["splink_seconds"],
                    "steps": ours["steps"],
                    "peak_rss_mb": round(peak / 2**20),
                    "comparisons": ours["comparisons"]["total"],
                    "f1": ours["f1"],
                }
            )
    print()
    print(f"{'backend':8} {'n':>10} {'seconds':>9} {'peak MB':>8} {'comparisons':>12} {'F1':>7}")
    for r in rows:
        if "failed" in r:
            print(f"{r['backend']:8} {r['n']:>10,} failed")
            continue
        print(
            f"{r['backend']:8} {r['n']:>10,} {r['seconds']:>9.1f} {r['peak_rss_mb']:>8,} "
            f"{r['comparisons']:>12,} {r['f1']:>7.4f}"
        )
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


# A national run (docs/scale.md): a target list against the whole civil registry.
NATIONAL_TARGETS = 1_500_000
NATIONAL_REGISTRY = 66_000_000
NATIONAL_DISTRICTS = 928  # อำเภอ/เขต; people assumed spread evenly over them
# Registry people who share a target's (subdistrict, house number): about 3 per household,
# and the same number is used once in each of the ~10 villages (หมู่) of a subdistrict.
NATIONAL_PEOPLE_PER_HOUSE_KEY = 30
# Share of target records whose valid ID is also in the registry (each gives one pair).
NATIONAL_ID_SHARE = 0.8
# The synthetic names come from 250 surnames and 500 given names; real Thai surnames are
# (by law) a family's own, and given names are chosen one by one, so name-code collisions are
# rarer: these divide the synthetic collision rates in the "realistic names" scenario.
REAL_SURNAME_DIVERSITY = 20
REAL_GIVEN_NAME_DIVERSITY = 4


def collision(left: pd.DataFrame, right: pd.DataFrame, columns: list[str], swap=None) -> float:
    """Chance that a random left and right record share a non-null key (`swap`: right's
    columns to compare with `columns`, e.g. names swapped)."""
    lk = left[columns].dropna().astype(str).agg("|".join, axis=1).value_counts()
    rk = right[swap or columns].dropna().astype(str).agg("|".join, axis=1).value_counts()
    return float((lk * rk.reindex(lk.index, fill_value=0)).sum()) / (len(left) * len(right))


def national(args: argparse.Namespace) -> None:
    """Comparisons of a national run, per blocking rule, from key collision rates measured
    on synthetic data of --n records per side (assumptions in the constants above).

    The rates are measured between different people (`overlap=0`): non-matching pairs grow
    with targets × registry, while each target adds at most one true pair per rule."""
    data = generate(args.n, seed=args.seed, overlap=0.0)
    lp, rp = linkage.prepare(data.left), linkage.prepare(data.right)
    fn, ln = "first_name_lk82", "last_name_lk82"
    q = {
        "first": collision(lp, rp, [fn]),
        "last": collision(lp, rp, [ln]),
        "names": collision(lp, rp, [fn, ln]),
        "swapped": collision(lp, rp, [fn, ln], swap=[ln, fn]),
        "birth_date": collision(lp, rp, ["birth_date"]),
        "birth_last": collision(lp, rp, ["birth_date", ln]),
        "birth_first": collision(lp, rp, ["birth_date", fn]),
    }
    pairs = NATIONAL_TARGETS * NATIONAL_REGISTRY
    rows = []
    for scenario, sur, given in (
        ("synthetic names (upper bound)", 1, 1),
        ("realistic names", REAL_SURNAME_DIVERSITY, REAL_GIVEN_NAME_DIVERSITY),
    ):
        true = NATIONAL_TARGETS  # at most one true pair per target and rule
        rules = {
            BR[0]: NATIONAL_TARGETS * NATIONAL_ID_SHARE,
            BR[1]: true + pairs * q["names"] / (sur * given),
            BR[2]: NATIONAL_TARGETS * NATIONAL_PEOPLE_PER_HOUSE_KEY,
            BR[3]: true + pairs * q["birth_last"] / sur,
            BR[4]: true + pairs * q["birth_first"] / given,
            BR[5]: pairs * q["swapped"] / (sur * given),
            BR[6]: true + pairs * q["birth_date"] / NATIONAL_DISTRICTS,
        }
        rows.append({"scenario": scenario, "by_rule": {k: round(v) for k, v in rules.items()}})
        print(f"\n{scenario}: {sum(rules.values()):,.0f} comparisons (upper bound: rules overlap)")
        for rule, count in rules.items():
            print(f"  {count:>16,.0f}  {rule}")
    result = {
        "n_synthetic": args.n,
        "collision_rates": q,
        "targets": NATIONAL_TARGETS,
        "registry": NATIONAL_REGISTRY,
        "scenarios": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"collision rates: {q}\nwrote {args.out}")


BR = linkage.BLOCKING_RULES


def main() -> None:
    args = parse_args()
    if args.national:
        national(args)
        return
    if args.sizes:
        scale(args)
        return
    backend = args.backends[0]
    print(f"generating {args.n:,} × {args.n:,} records (seed {args.seed}) ...", flush=True)
    started = time.perf_counter()
    data = generate(args.n, seed=args.seed)
    truth = data.truth_pairs()
    generated = round(time.perf_counter() - started, 1)
    print(f"  {len(truth):,} true pairs, generated in {generated} s", flush=True)

    if backend == "spark":
        # local mode on every core, with room for 300k+ records per side
        linkage.spark_session(config={"spark.driver.memory": SPARK_DRIVER_MEMORY})
    import_engines()
    print(f"ours: ppaos.targeting.linkage (Splink + {backend}) ...", flush=True)
    ours_pairs, ours_time = run_ours(data.left, data.right, args.threshold, backend)
    ours = {**ours_time, **scores(ours_pairs, truth)}
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "n_left": len(data.left),
        "n_right": len(data.right),
        "true_pairs": len(truth),
        "seed": args.seed,
        "threshold": args.threshold,
        "generate_seconds": generated,
        "ours": ours,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "versions": {
            p: version(p)
            for p in ("splink", "duckdb", "pyspark", "pythainlp", "recordlinkage", "pandas")
        },
    }
    rows = [("ours (Splink)", ours)]
    if args.stored_keys:
        print("ours, with the names' keys stored in the bench database ...", flush=True)
        pairs, timing = run_stored_empty(data.left, data.right, args.threshold, backend)
        empty = {**timing, **scores(pairs, truth)}
        result["ours_stored_keys"] = {"store empty": empty}
        rows.append(("ours, store empty", empty))
    filled_runs, peer_runs = [], []
    keys = stored_keys() if args.stored_keys else None
    for _ in range(args.repeat):
        if keys:
            filled_runs.append(run_ours(data.left, data.right, args.threshold, backend, keys))
        if not args.no_peer:
            print("peer: recordlinkage (blocking + Jaro-Winkler + ECM) ...", flush=True)
            peer_runs.append(run_peer(data.left, data.right))
    if filled_runs:
        _, filled = median_scored(filled_runs, truth)
        result["ours_stored_keys"]["store filled"] = filled
        rows.append(("ours, store filled", filled))
    if peer_runs:
        (_, rule_pairs, peer_time), peer = median_scored(peer_runs, truth)
        rule = {
            "seconds": round(peer_time["index_seconds"] + peer_time["compare_seconds"], 2),
            **scores(rule_pairs, truth),
        }
        result["peer"] = peer
        result["peer_rule"] = {"min_agreements": RULE_MIN_AGREEMENTS, **rule}
        result["time_ratio_peer_over_ours"] = round(peer["seconds"] / ours["seconds"], 2)
        if args.stored_keys:
            result["time_ratio_peer_over_ours_keys_stored"] = round(
                peer["seconds"] / filled["seconds"], 2
            )
        rows.append(("recordlinkage ECM", peer))
        rows.append((f"rl rule ≥{RULE_MIN_AGREEMENTS} of 7", rule))

    print(f"  steps: {ours['steps']}; comparisons: {ours['comparisons']}")
    print()
    print(f"{'':18} {'seconds':>9} {'pairs':>9} {'precision':>10} {'recall':>8} {'F1':>8}")
    for name, r in rows:
        print(
            f"{name:18} {r['seconds']:>9.1f} {r['predicted_pairs']:>9,} "
            f"{r['precision']:>10.4f} {r['recall']:>8.4f} {r['f1']:>8.4f}"
        )
    if "peer" in result:
        print(f"time ratio recordlinkage (ECM) / ours: {result['time_ratio_peer_over_ours']:.2f}")
        if args.stored_keys:
            stored = result["time_ratio_peer_over_ours_keys_stored"]
            print(f"time ratio recordlinkage (ECM) / ours with the keys stored: {stored:.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
