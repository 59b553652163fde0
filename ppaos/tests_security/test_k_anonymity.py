"""Issue 14 (8): quasi-identifiers in pseudonymised exports. A household alone in its community
with its tenure and its size was found again in the researcher's file, and with its pseudonym
joined to its poverty score. Every combination of the quasi-identifiers a list declares must
now have at least k rows (EXPORT_K), and the export's audit row must say which k was reached."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import translation

from ppaos.assessment.selectors import assessments_countable
from ppaos.assessment.services import assessment_run
from ppaos.assessment.tests.conftest import ROUND, default_set, scenario  # noqa: F401
from ppaos.audit.models import AuditEvent
from ppaos.conftest import make_person
from ppaos.exports.models import ExportJob
from ppaos.exports.tests.helpers import read, url
from ppaos.lib import exports as lib
from ppaos.registry.services import household_create, person_add_to_household

# (community, tenure, members): most of them alone on the three.
HOUSEHOLDS = [
    ("A", "owned", 1),
    ("A", "owned", 2),
    ("A", "owned", 2),
    ("A", "rented", 3),
    ("A", "rented", 4),
    ("A", "rent_free", 5),
    ("A", "public_land", 6),
    ("A", "owned", 7),
    ("A", "owned_house_rented_land", 2),
    ("A", "rented", 1),
    ("B", "owned", 3),
    ("B", "rented", 2),
    ("B", "rented", 5),
    ("B", "other", 1),
    ("B", "owned", 4),
    ("B", "public_land", 2),
    ("C", "owned", 2),
    ("C", "rented", 3),
    ("C", "owned", 6),
    ("C", "rent_free", 1),
    ("C", "owned", 4),
]
QUASI_IDENTIFIERS = ("Community code", "Subdistrict code", "Tenure", "Members")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def many_households(communities, coordinator):
    n = 100
    for key, tenure, members in HOUSEHOLDS:
        household = household_create(
            actor=coordinator, community=communities[key], data={"tenure": tenure}
        )
        for m in range(members):
            n += 1
            person_add_to_household(
                actor=coordinator,
                household=household,
                data=make_person(n),
                relation="head" if m == 0 else "child",
                start_date=dt.date(2020, 1, 1),
            )


def _client(login, user):
    client = login(user)
    client.cookies["django_language"] = "en"
    return client


def _classes(table) -> Counter:
    positions = [table[0].index(h) for h in QUASI_IDENTIFIERS]
    return Counter(tuple(row[p] for p in positions) for row in table[1:])


def _assert_k_anonymous(table, event, k):
    classes = _classes(table)
    assert classes and min(classes.values()) >= k, classes
    summary = event.changes["k_anonymity"]
    assert summary["k"] == k
    assert summary["k_reached"] == min(classes.values())
    assert summary["rows"] == len(table) - 1 == int(event.object_id)
    assert set(summary["levels"]) == {"place", "tenure", "members"}
    assert summary["suppressed"] == len(HOUSEHOLDS) - summary["rows"]
    # Counts and levels only, never a value from the file.
    assert "100801" not in str(event.changes) and "Rents" not in str(event.changes)


@pytest.mark.django_db
def test_the_researchers_pseudonymised_households_are_k_anonymous(
    login, researcher, many_households
):
    assert lib.get_spec("households").quasi_identifiers
    table = read(_client(login, researcher).get(url("households", area="10", pseudonymised=True)))
    event = AuditEvent.objects.filter(actor=researcher, action="export").latest("id")
    _assert_k_anonymous(table, event, 5)
    # Most of the households are kept: generalised, not dropped.
    assert len(table) - 1 >= len(HOUSEHOLDS) - 1


@pytest.mark.django_db
def test_k_follows_the_setting_and_a_community_too_small_is_written_empty(
    settings, login, researcher, communities, many_households
):
    settings.EXPORT_K = 3
    client = _client(login, researcher)
    table = read(client.get(url("households", area="10", pseudonymised=True)))
    event = AuditEvent.objects.filter(actor=researcher, action="export").latest("id")
    _assert_k_anonymous(table, event, 3)
    settings.EXPORT_K = 7
    c = communities["C"].pk  # five households: fewer than k, so none of them
    table = read(client.get(f"/communities/{c}/export.csv?pseudonymised=1"))
    assert table[1:] == []
    event = AuditEvent.objects.filter(actor=researcher, action="export").latest("id")
    assert event.changes["k_anonymity"]["k_reached"] is None
    assert event.changes["k_anonymity"]["suppressed"] == 5 and event.object_id == "0"


@pytest.mark.django_db
def test_a_large_pseudonymised_export_is_k_anonymous_and_audited(
    settings, login, researcher, many_households
):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    client = _client(login, researcher)
    client.get(url("households", "xlsx", area="10", pseudonymised=True))
    job = ExportJob.objects.get()
    table = read(client.get(f"/exports/jobs/{job.pk}/download/"))
    wrote = AuditEvent.objects.get(actor=researcher, object_label__startswith="wrote export")
    _assert_k_anonymous(table, wrote, 5)
    job.refresh_from_db()
    assert job.rows_done == len(table) - 1


@pytest.mark.django_db
def test_the_identified_form_is_not_generalised(login, coordinator, many_households):
    table = read(_client(login, coordinator).get(url("households", area="10")))
    assert len(table) - 1 == len(HOUSEHOLDS)
    assert sorted(r[table[0].index("Members")] for r in table[1:]) == sorted(
        str(m) for _, _, m in HOUSEHOLDS
    )
    event = AuditEvent.objects.filter(actor=coordinator, action="export").latest("id")
    assert "k_anonymity" not in event.changes


@pytest.mark.django_db
def test_the_pseudonymised_assessments_are_k_anonymous(login, researcher, scenario):  # noqa: F811
    """The per-household assessments: their scores, summed by community and size, gave exact
    small counts that the pages suppress."""
    assessment_run(round_name=ROUND)
    counted = assessments_countable(user=researcher, round_name=ROUND, area_code="10").count()
    response = _client(login, researcher).get(
        url("assessments", area="10", round=ROUND, pseudonymised=True)
    )
    table = read(response)
    headers = ("Community code", "Subdistrict code", "Members at the survey")
    positions = [table[0].index(h) for h in headers]
    classes = Counter(tuple(row[p] for p in positions) for row in table[1:])
    event = AuditEvent.objects.filter(actor=researcher, action="export").latest("id")
    summary = event.changes["k_anonymity"]
    assert summary["k"] == 5 and set(summary["levels"]) == {"place", "members"}
    assert summary["rows"] + summary["suppressed"] == counted
    assert classes and min(classes.values()) >= 5
    assert summary["k_reached"] == min(classes.values())
