"""Splink on Spark (local mode, 2 cores) gives the DuckDB results: the same pairs from linking
and from deduplicating, through `link_frames`, `ppaos link --backend spark` and the target-list
linkage job. One SparkSession serves the whole run (the `spark` fixture in conftest.py); run
these alone with `pytest -m spark`."""

import csv

import pytest
from django.core.management import call_command

from ppaos.registry.id_crypto import lookup_hash
from ppaos.targeting import services
from ppaos.targeting.link_jobs import job_run_linkage, target_list_link
from ppaos.targeting.linkage import dedupe_frame, link_frames
from ppaos.targeting.models import Job, LinkStatus, TargetList, TargetRecord
from ppaos.targeting.tests.synthetic import data

pytestmark = pytest.mark.spark


def pair_set(frame) -> set[tuple[str, str]]:
    return set(zip(frame["left_id"], frame["right_id"], strict=True))


def f1(found: set, reference: set) -> float:
    both = len(found & reference)
    return 2 * both / (len(found) + len(reference)) if found or reference else 1.0


def assert_same_pairs(on_spark, on_duckdb):
    spark_pairs, duckdb_pairs = pair_set(on_spark), pair_set(on_duckdb)
    assert duckdb_pairs, "the DuckDB run found nothing to compare with"
    assert f1(spark_pairs, duckdb_pairs) >= 0.995, spark_pairs ^ duckdb_pairs
    common = on_spark.merge(on_duckdb, on=["left_id", "right_id"], suffixes=("_s", "_d"))
    assert (common["match_probability_s"] - common["match_probability_d"]).abs().max() < 1e-3


def test_linking_on_spark_gives_the_duckdb_pairs(spark):
    dataset = data.generate(200, seed=5)
    on_duckdb = link_frames(dataset.left, dataset.right, backend="duckdb")
    # trained and scored on Spark: u sampling and both EM sessions in Spark SQL
    on_spark = link_frames(dataset.left, dataset.right, backend="spark", train_backend="spark")
    assert_same_pairs(on_spark, on_duckdb)
    assert list(on_spark.columns) == ["left_id", "right_id", "match_probability"]
    assert on_spark["match_probability"].is_monotonic_decreasing
    truth = dataset.truth_pairs()
    assert len(pair_set(on_spark) & truth) >= 0.9 * len(truth)


def test_deduplicating_on_spark_gives_the_duckdb_pairs(spark):
    # trained on DuckDB (the default), scored on Spark
    dataset = data.generate_duplicates(200, seed=5)
    on_duckdb = dedupe_frame(dataset.left, backend="duckdb")
    on_spark = dedupe_frame(dataset.left, backend="spark")
    assert_same_pairs(on_spark, on_duckdb)
    assert (on_spark["left_id"] < on_spark["right_id"]).all()


def test_link_command_runs_on_spark(spark, tmp_path, capsys):
    dataset = data.generate(60, seed=7)
    left, right = tmp_path / "registry.csv", tmp_path / "targets.csv"
    dataset.left.to_csv(left, index=False)
    dataset.right.to_csv(right, index=False)
    outputs = {}
    for backend in ("duckdb", "spark"):
        out = tmp_path / f"{backend}.csv"
        call_command("link", left=str(left), right=str(right), out=str(out), backend=backend)
        with open(out, newline="", encoding="utf-8") as f:
            outputs[backend] = {(r["left_id"], r["right_id"]) for r in csv.DictReader(f)}
    assert outputs["spark"] and f1(outputs["spark"], outputs["duckdb"]) >= 0.995
    assert "(spark)" in capsys.readouterr().out


@pytest.mark.django_db
def test_linkage_job_runs_on_spark(spark, households, coordinator, settings):
    heads = {key: households[key].memberships.get().person for key in "ABC"}
    listed = TargetList.objects.create(source="tpmap", year_be=2566)
    for line, key in enumerate("AB", start=2):
        person = heads[key]
        TargetRecord.objects.create(
            target_list=listed,
            record_key=lookup_hash(person.national_id),
            line_no=line,
            national_id=person.national_id,
            prefix=person.prefix,
            first_name=person.first_name,
            last_name=person.last_name,
            sex=person.sex,
            birth_date=person.birth_date,
        )
    settings.LINK_BACKEND = "spark"  # the job takes the backend from the setting
    job = services.job_create(
        kind=Job.Kind.LINKAGE, actor=coordinator, params={"target_list": listed.pk}
    )
    job = job_run_linkage(job=job)
    assert job.status == Job.Status.DONE, job.error
    linked = dict(TargetRecord.objects.filter(target_list=listed).values_list("line_no", "person"))
    assert linked == {2: heads["A"].pk, 3: heads["B"].pk}
    assert set(
        TargetRecord.objects.filter(target_list=listed).values_list("link_status", flat=True)
    ) == {LinkStatus.AUTO}
    # the same list again on DuckDB (the records are re-linked, none was accepted) agrees
    assert target_list_link(target_list=listed, backend="duckdb") == job.result
