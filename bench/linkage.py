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
bench/out/linkage.json. Usage: `python bench/linkage.py [--n 100000] [--seed 2566]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from bench.linkage_data import generate  # noqa: E402
from ppaos.targeting import linkage  # noqa: E402

OUT = ROOT / "bench" / "out"
RULE_MIN_AGREEMENTS = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records per side (100,000)")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--no-peer", action="store_true", help="skip the recordlinkage run")
    parser.add_argument("--out", type=Path, default=OUT / "linkage.json")
    return parser.parse_args()


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


def run_ours(left: pd.DataFrame, right: pd.DataFrame, threshold: float) -> tuple[set, dict]:
    started = time.perf_counter()
    lp, rp = linkage.prepare(left), linkage.prepare(right)
    prepared = time.perf_counter()
    pairs = linkage.link_frames(lp, rp, threshold=threshold)
    done = time.perf_counter()
    timing = {
        "seconds": round(done - started, 2),
        "prepare_seconds": round(prepared - started, 2),
        "splink_seconds": round(done - prepared, 2),
    }
    return set(zip(pairs["left_id"], pairs["right_id"], strict=True)), timing


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


def main() -> None:
    args = parse_args()
    print(f"generating {args.n:,} × {args.n:,} records (seed {args.seed}) ...", flush=True)
    started = time.perf_counter()
    data = generate(args.n, seed=args.seed)
    truth = data.truth_pairs()
    generated = round(time.perf_counter() - started, 1)
    print(f"  {len(truth):,} true pairs, generated in {generated} s", flush=True)

    print("ours: ppaos.targeting.linkage (Splink + DuckDB) ...", flush=True)
    ours_pairs, ours_time = run_ours(data.left, data.right, args.threshold)
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
            p: version(p) for p in ("splink", "duckdb", "pythainlp", "recordlinkage", "pandas")
        },
    }
    rows = [("ours (Splink)", ours)]
    if not args.no_peer:
        print("peer: recordlinkage (blocking + Jaro-Winkler + ECM) ...", flush=True)
        peer_pairs, rule_pairs, peer_time = run_peer(data.left, data.right)
        peer = {**peer_time, **scores(peer_pairs, truth)}
        rule = {
            "seconds": round(peer_time["index_seconds"] + peer_time["compare_seconds"], 2),
            **scores(rule_pairs, truth),
        }
        result["peer"] = peer
        result["peer_rule"] = {"min_agreements": RULE_MIN_AGREEMENTS, **rule}
        result["time_ratio_peer_over_ours"] = round(peer["seconds"] / ours["seconds"], 2)
        rows.append(("recordlinkage ECM", peer))
        rows.append((f"rl rule ≥{RULE_MIN_AGREEMENTS} of 7", rule))

    print()
    print(f"{'':18} {'seconds':>9} {'pairs':>9} {'precision':>10} {'recall':>8} {'F1':>8}")
    for name, r in rows:
        print(
            f"{name:18} {r['seconds']:>9.1f} {r['predicted_pairs']:>9,} "
            f"{r['precision']:>10.4f} {r['recall']:>8.4f} {r['f1']:>8.4f}"
        )
    if "peer" in result:
        print(f"time ratio recordlinkage (ECM) / ours: {result['time_ratio_peer_over_ours']:.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
