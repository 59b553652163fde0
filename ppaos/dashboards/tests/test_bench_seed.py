"""bench/dashboards.py seeds its progress with raw SQL against the tables as they are: a test
keeps it in step with the models (a dropped column once stopped `make bench` there)."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from ppaos.assessment.models import Assessment, PovertyStatus
from ppaos.referrals.models import Referral
from ppaos.targeting.models import Visit

BENCH = Path(__file__).resolve().parents[3] / "bench" / "dashboards.py"


def _bench_dashboards():
    spec = importlib.util.spec_from_file_location("bench_dashboards", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench's SQL is PostgreSQL's")
def test_the_dashboard_benchmark_seeds_rows_the_models_read(households):
    seeded = _bench_dashboards().seed_progress()
    assert seeded["assessments"] == len(households) == Assessment.objects.count()
    for assessment in Assessment.objects.all():
        assert assessment.deprived_mask == assessment.unset_mask == 0
        assert assessment.status == (
            PovertyStatus.POOR if assessment.is_poor else PovertyStatus.NOT_POOR
        )
    assert seeded["visits"] == Visit.objects.count()
    assert seeded["referrals"] == Referral.objects.count()
