"""`ppaos mpi`: the JSON and CSV figures are alkire_foster's on the same assessments."""

import csv
import io
import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from ppaos.assessment.definition import compile_definition
from ppaos.assessment.models import Assessment
from ppaos.assessment.mpi import alkire_foster
from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND

pytestmark = pytest.mark.django_db


def _expected(by_field: str, unit: str = "households"):
    assessments = Assessment.objects.filter(round_name=ROUND).select_related("indicator_set")
    keys = dict(assessments.values_list("pk", by_field))
    rows = [(a.deprivations, a.members, keys[a.pk]) for a in assessments]
    spec = compile_definition(Assessment.objects.first().indicator_set.definition)
    matrix, groups = [], []
    for deprivations, members, key in rows:
        for _ in range(members if unit == "people" else 1):
            matrix.append([1 if deprivations.get(c) == 1 else 0 for c in spec.codes])
            groups.append(key)
    frame = pd.DataFrame(matrix, columns=spec.codes)
    return alkire_foster(frame, spec.weights, spec.k, groups=groups)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("mpi", "--round", ROUND, *args, stdout=out)
    return out.getvalue()


def test_json_matches_alkire_foster(scenario):
    assessment_run(round_name=ROUND)
    payload = json.loads(_run("--by", "community", "--format", "json"))
    [result] = payload["indicator_sets"]
    expected = _expected("household__community__code")
    assert result["overall"]["H"] == expected.H
    assert result["overall"]["A"] == expected.A
    assert result["overall"]["M0"] == expected.M0
    assert result["overall"]["contributions"] == {
        str(k): v for k, v in expected.contributions.items()
    }
    by_code = {a["code"]: a for a in result["areas"]}
    assert set(by_code) == {"100801-01", "100803-01", "100905-01"}
    for code, group in expected.groups.items():
        area = by_code[code]
        assert (area["H"], area["A"], area["M0"]) == (group.H, group.A, group.M0)
        assert area["n_poor"] == group.n_poor
    # Community A holds X (level 1), Y (level 2), Z (level 4).
    assert by_code["100801-01"]["levels"] == {"1": 1, "2": 1, "3": 0, "4": 1, "none": 0}
    assert by_code["100801-01"]["households"] == 3


def test_csv_by_district_in_people(scenario):
    assessment_run(round_name=ROUND)
    text = _run("--by", "district", "--format", "csv", "--unit", "people")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = _expected("household__community__subdistrict__district_id", unit="people")
    overall = rows[0]
    assert overall["by"] == "all" and int(overall["n"]) == expected.n
    assert float(overall["M0"]) == expected.M0
    districts = {r["code"]: r for r in rows[1:]}
    assert set(districts) == {"1008", "1009"}
    for code, group in expected.groups.items():
        assert float(districts[code]["H"]) == group.H
        assert float(districts[code]["A"]) == group.A
        assert float(districts[code]["M0"]) == group.M0
        assert (
            float(districts[code]["contribution_i3_income_per_person"])
            == (group.contributions["i3_income_per_person"])
        )
    assert int(districts["1008"]["households"]) == 4  # X, Y, Z in A; W in B


def test_stored_poverty_agrees_with_recomputation(scenario):
    assessment_run(round_name=ROUND)
    expected = _expected("household_id")
    stored = dict(Assessment.objects.values_list("household_id", "is_poor"))
    assert {k: bool(g.n_poor) for k, g in expected.groups.items()} == stored


def test_unassessed_round_is_an_error(scenario):
    with pytest.raises(CommandError, match="no assessments"):
        _run()
