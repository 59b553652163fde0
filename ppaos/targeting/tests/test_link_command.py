"""`ppaos link`: the CSV front end of ppaos.targeting.linkage (also used by the benchmarks)."""

import csv
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from ppaos.targeting.tests.synthetic import data


@pytest.fixture(scope="module")
def dataset():
    return data.generate(200, seed=5)


def write(frame: pd.DataFrame, path: Path) -> str:
    frame.to_csv(path, index=False)
    return str(path)


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_link_writes_scored_pairs(tmp_path, dataset, capsys):
    # ids that look like numbers keep their leading zeros; a missing column is allowed
    left = dataset.left.assign(id="0" + dataset.left["id"].str[1:])
    right = dataset.right.drop(columns=["house_no"])
    out = tmp_path / "pairs" / "out.csv"
    call_command(
        "link",
        "--left",
        write(left, tmp_path / "registry.csv"),
        "--right",
        write(right, tmp_path / "targets.csv"),
        "--out",
        str(out),
        "--threshold",
        "0.9",
    )
    header, rows = read_rows(out)
    assert header == ["left_id", "right_id", "match_probability"]
    assert rows
    assert all(float(r["match_probability"]) >= 0.9 for r in rows)
    assert all(r["left_id"].startswith("0") and r["right_id"].startswith("R") for r in rows)
    truth = {("0" + a[1:], b) for a, b in dataset.truth_pairs()}
    found = {(r["left_id"], r["right_id"]) for r in rows}
    assert len(found & truth) >= 0.9 * len(found)
    assert len(found & truth) >= 0.9 * len(truth)
    assert f"{len(rows)} pairs" in capsys.readouterr().out


def test_higher_threshold_writes_fewer_rows(tmp_path, dataset):
    left = write(dataset.left, tmp_path / "l.csv")
    right = write(dataset.right, tmp_path / "r.csv")
    counts = {}
    for threshold in ("0.5", "0.999"):
        out = tmp_path / f"{threshold}.csv"
        call_command("link", left=left, right=right, out=str(out), threshold=float(threshold))
        _, rows = read_rows(out)
        assert all(float(r["match_probability"]) >= float(threshold) for r in rows)
        counts[threshold] = len(rows)
    assert counts["0.999"] <= counts["0.5"]


def test_without_right_it_deduplicates(tmp_path):
    dupes = data.generate_duplicates(200, seed=5)
    out = tmp_path / "dupes.csv"
    call_command("link", left=write(dupes.left, tmp_path / "people.csv"), out=str(out))
    header, rows = read_rows(out)
    assert header == ["left_id", "right_id", "match_probability"]
    assert all(r["left_id"] < r["right_id"] for r in rows)
    found = {(r["left_id"], r["right_id"]) for r in rows}
    assert len(found & dupes.truth_pairs()) >= 0.9 * len(dupes.truth_pairs())


def test_no_match_still_writes_the_header(tmp_path):
    left = pd.DataFrame({"id": ["1"], "first_name": ["สมชาย"], "birth_date": ["1980-01-01"]})
    right = pd.DataFrame({"id": ["a"], "first_name": ["วิไลวรรณ"], "birth_date": ["2001-05-05"]})
    out = tmp_path / "none.csv"
    call_command(
        "link",
        left=write(left, tmp_path / "l.csv"),
        right=write(right, tmp_path / "r.csv"),
        out=str(out),
    )
    assert out.read_text(encoding="utf-8").splitlines() == ["left_id,right_id,match_probability"]


def test_bad_input_is_a_command_error(tmp_path):
    no_id = write(pd.DataFrame({"first_name": ["สมชาย"]}), tmp_path / "no_id.csv")
    good = write(pd.DataFrame({"id": ["1"], "first_name": ["สมชาย"]}), tmp_path / "ok.csv")
    dup = write(pd.DataFrame({"id": ["1", "1"]}), tmp_path / "dup.csv")
    out = str(tmp_path / "out.csv")
    with pytest.raises(CommandError, match="id"):
        call_command("link", left=no_id, right=good, out=out)
    with pytest.raises(CommandError, match="unique"):
        call_command("link", left=dup, right=good, out=out)
    with pytest.raises(CommandError, match="no such file"):
        call_command("link", left=str(tmp_path / "missing.csv"), right=good, out=out)
    with pytest.raises(CommandError, match="threshold"):
        call_command("link", left=good, right=good, out=out, threshold=1.5)


def test_spark_backend_without_pyspark_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    good = write(pd.DataFrame({"id": ["1"], "first_name": ["สมชาย"]}), tmp_path / "ok.csv")
    with pytest.raises(CommandError, match="pip install pyspark"):
        call_command("link", left=good, right=good, out=str(tmp_path / "o.csv"), backend="spark")
