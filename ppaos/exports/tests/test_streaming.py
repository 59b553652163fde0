"""The streaming export paths (issue 17, 5) write what the plain ones wrote: pseudonyms, light
rows instead of model instances, the two-pass k-anonymous table, CSV written by chunks."""

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ppaos.exports import services
from ppaos.exports.models import ExportJob
from ppaos.lib import exports as lib
from ppaos.lib import kanon
from ppaos.registry.exports import household_light_rows, household_rows
from ppaos.registry.models import Membership, Person, Tenure

HOUSEHOLDS = "households"


def test_pseudonym_is_djangos_salted_hmac(settings):
    for key in ("", "a-pseudonym-key"):
        settings.PSEUDONYM_KEY = key
        for namespace, value in (("household", 1), ("person", "x:1"), ("household", 10**9)):
            assert lib.pseudonym(namespace, value) == lib.pseudonym_reference(namespace, value)
    settings.PSEUDONYM_KEY = "another-key"
    assert lib.pseudonym("household", 1) == lib.pseudonym_reference("household", 1)
    assert lib.pseudonym("household", 1) != lib.pseudonym_reference("person", 1)


def test_csv_written_by_chunks_is_the_csv_of_every_line(monkeypatch):
    lines = [["h", "ข้อมูล"], *([n, f'a,"b"\n{n}'] for n in range(10))]
    monkeypatch.setattr(lib, "CHUNK", 3)
    out = io.BytesIO()
    lib.write_csv(lines, out)
    expected = io.StringIO()
    csv.writer(expected).writerows(lines)
    assert out.getvalue() == "\ufeff".encode() + expected.getvalue().encode()


def _households_bigger(households, coordinator):
    """More rows per community than k, with heads, phones, tenure and addresses."""
    from ppaos.conftest import make_person
    from ppaos.registry.services import household_create, person_add_to_household

    for n in range(12):
        for key, community in (("A", households["A"].community), ("B", households["B"].community)):
            household = household_create(
                actor=coordinator,
                community=community,
                data={
                    "house_no": f"{n}/{key}",
                    "soi": "ร่วมใจ" if n % 2 else "",
                    "moo": str(n % 3) if n % 3 else "",
                    "tenure": [Tenure.OWNED, Tenure.RENTED, ""][n % 3],
                },
            )
            if n % 4:  # some households have no head
                person = person_add_to_household(
                    actor=coordinator,
                    household=household,
                    data=make_person(100 + n * 2 + (key == "B"), prefix=["nai", "nang", ""][n % 3]),
                    relation="head",
                    start_date=dt.date(2020, 1, 1),
                )
                Person.objects.filter(pk=person.pk).update(phone=f"08{n:08d}" if n % 2 else "")


def _csv(spec, user, params, pseudonymised) -> tuple[bytes, dict | None]:
    rows = spec.rows(user=user, params=params, pseudonymised=pseudonymised)
    lines, anonymity = services.export_lines(spec=spec, rows=rows, pseudonymised=pseudonymised)
    out = io.BytesIO()
    lib.write_csv(lines, out)
    return out.getvalue(), anonymity.summary() if anonymity else None


@pytest.mark.django_db
@pytest.mark.parametrize("pseudonymised", [False, True])
def test_light_household_rows_write_the_same_file_as_the_model_rows(
    settings, households, coordinator, pseudonymised
):
    settings.EXPORT_K = 3
    _households_bigger(households, coordinator)
    spec = lib.get_spec(HOUSEHOLDS)
    assert spec.light_rows is not None
    plain = dataclasses.replace(spec, light_rows=None)
    for params in ({"area": "10"}, {"community": str(households["A"].community_id)}):
        fast, fast_k = _csv(spec, coordinator, params, pseudonymised)
        slow, slow_k = _csv(plain, coordinator, params, pseudonymised)
        assert fast == slow and fast_k == slow_k
        assert fast.count(b"\n") > 10
    text = _csv(spec, coordinator, {"area": "10"}, False)[0].decode()
    assert "ซ.ร่วมใจ" in text and "0800000001" in text  # address and decrypted phone


@pytest.mark.django_db
def test_light_rows_give_each_household_the_heads_the_prefetch_gives(households, coordinator):
    """One line per head (a household with two heads: two lines, none: one), read in chunks
    of any size: each household gets the heads, in order, that the model rows' prefetch gives."""
    _households_bigger(households, coordinator)
    two_heads = households["A"]
    second = Person.objects.create(first_name="สมหญิง", last_name="สองหัว", prefix="nang")
    Membership.objects.create(
        household=two_heads, person=second, relation="head", start_date=dt.date(2021, 1, 1)
    )
    rows = household_rows(user=coordinator, params={"area": "10"}, pseudonymised=False)
    prefetched = [
        (h.code, [m.person.full_name for m in h.heads], h.get_tenure_display()) for h in rows
    ]

    def read(chunk):
        return [
            (r.code, [h.person.full_name for h in r.heads], r.get_tenure_display())
            for r in household_light_rows(rows, chunk=chunk)
        ]

    assert read(2) == read(3) == read(10_000) == prefetched
    assert dict((code, heads) for code, heads, _ in prefetched)[two_heads.code][1] == (
        second.full_name
    )
    assert sum(1 for _, heads, _ in prefetched if not heads) > 3


@pytest.mark.django_db
def test_pseudonymised_light_rows_read_no_heads(households, coordinator):
    """The pseudonymised form drops the name and phone columns, so its light rows neither join
    the memberships nor decrypt a phone; the identified form reads both."""
    _households_bigger(households, coordinator)
    rows = household_rows(user=coordinator, params={"area": "10"}, pseudonymised=True)
    with CaptureQueriesContext(connection) as pseudonymised:
        light = list(household_light_rows(rows, pseudonymised=True))
    with CaptureQueriesContext(connection) as identified:
        full = list(household_light_rows(rows, pseudonymised=False))
    assert [r.code for r in light] == [r.code for r in full]
    assert all(r.heads == [] for r in light) and any(r.heads for r in full)
    for reads_heads in ('JOIN "registry_membership"', '"registry_person"'):
        assert reads_heads not in " ".join(q["sql"] for q in pseudonymised)
        assert reads_heads in " ".join(q["sql"] for q in identified)


class _Row:
    def __init__(self, n):
        self.n = n


def test_the_two_pass_k_anonymous_table_is_the_generalised_table(settings):
    settings.EXPORT_K = 4
    place = kanon.place("Community", "Subdistrict")
    members = kanon.member_count("Members")
    spec = lib.ExportSpec(
        name="test-kanon",
        title="t",
        columns=(
            lib.Column("Id", lambda r: r.n, lib.IDENTIFIER, namespace="t"),
            lib.Column("Community", lambda r: f"C{r.n % 37}"),
            lib.Column("Subdistrict", lambda r: f"1008{r.n % 3:02d}"),
            lib.Column("Members", lambda r: r.n % 11),
            lib.Column("Name", lambda r: "secret", lib.NAME),
        ),
        rows=lambda **kw: [],
        describe=lambda p: "t",
        filename=lambda p: "t",
        quasi_identifiers=(place, members),
    )
    rows = [_Row(n) for n in range(300)]
    lines, result = kanon.export_table(spec, rows)
    lines = list(lines)
    cells = [spec.cells(r, True) for r in rows]
    expected = kanon.generalise(cells, (place, members), k=4, positions=[(1, 2), (3,)])
    assert lines[0] == spec.header(True)
    assert lines[1:] == [[lib.safe(v) for v in r] for r in expected.rows]
    assert result.summary() == expected.summary() and result.rows == []
    assert result.written == len(expected.rows) and "secret" not in repr(lines)
    assert sum(result.levels.values()) > 0  # the table had to be generalised


@pytest.mark.django_db
def test_a_large_pseudonymised_job_audits_the_rows_written(settings, households, coordinator):
    from ppaos.audit.models import AuditEvent

    settings.EXPORT_K = 3
    _households_bigger(households, coordinator)
    spec = lib.get_spec(HOUSEHOLDS)
    prepared = services.export_prepare(
        user=coordinator, spec=spec, params={"area": "10"}, fmt="csv", pseudonymised=True
    )
    job = services.export_job_run(
        job=services.export_job_create(actor=coordinator, prepared=prepared)
    )
    assert job.status == ExportJob.Status.DONE
    written = AuditEvent.objects.filter(object_label__startswith=f"wrote export {job.pk}").get()
    summary = written.changes["k_anonymity"]
    assert int(written.object_id) == summary["rows"] == job.rows_done > 0
    assert summary["rows"] + summary["suppressed"] == prepared.count


def _read_xlsx(data: bytes) -> tuple[str, list]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_xlsx_writer_writes_what_openpyxls_write_only_mode_wrote():
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    from ppaos.lib import xlsx

    lines = [
        ["Household code", "ชื่อ", "n"],
        ["'=1+1", " leading space", 3],
        ["a<b>&\"c'", None, 2.5],
        ["", True, Decimal("1.50")],
        [dt.date(1967, 3, 15), dt.datetime(2024, 1, 2, 3, 4, 5), dt.time(1, 2, 3)],
        ["x" * 40000, "ต่อ", -7],
    ]
    book = openpyxl.Workbook(write_only=True)  # what lib.write_xlsx did before
    sheet = book.create_sheet("My  sheet 1")
    for line in lines:
        sheet.append(line)
    before = io.BytesIO()
    book.save(before)
    now = io.BytesIO()
    lib.write_xlsx(lines, now, "My: sheet[1]")
    assert _read_xlsx(now.getvalue()) == _read_xlsx(before.getvalue())
    with pytest.raises(IllegalCharacterError):
        xlsx.write([["bell \x07"]], io.BytesIO(), "t")
    with pytest.raises(ValueError, match="Cannot convert"):
        xlsx.write([[object()]], io.BytesIO(), "t")
