"""The national roll-up: a province exports its signed package, the national installation
imports it. The round trip runs between two databases in turn: the province's figures are
built and exported, the database is wiped (`flush`), and the national side starts empty,
trusts the key and imports the file."""

import datetime as dt
import hashlib
import json
import os
import re
import stat

import pytest
from django.core.management import call_command
from django.db import connection

from ppaos.audit.models import AuditEvent
from ppaos.dashboards import selectors as dashboard_selectors
from ppaos.dashboards import services as dashboard_services
from ppaos.dashboards.tests.conftest import add_household
from ppaos.lib.disclosure_check import recoverable
from ppaos.lib.exports import pseudonym
from ppaos.lib.suppression import WITHHELD
from ppaos.livelihoods.tests.factories import assess
from ppaos.registry.models import Household, Person
from ppaos.rollup import figures, package, selectors, services, signing
from ppaos.rollup.models import Area, Package, ProvinceKey

pytestmark = pytest.mark.django_db


def export(tmp_path, name="package.json", **kwargs):
    return services.rollup_export(out=tmp_path / name, **kwargs).path


def payload_of(path) -> dict:
    return json.loads(json.loads(path.read_text(encoding="utf-8"))["payload"])


def trust(keys, code="10"):
    return services.province_key_register(
        province_code=code, public_key_pem=keys[1].read_text(encoding="ascii")
    )


def wipe():
    """The province's database gone: the import below runs on an empty (national) one."""
    if connection.vendor == "postgresql":  # TRUNCATE refuses pending deferred FK checks
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    assert not Household.objects.exists() and not Package.objects.exists()


def label(value):
    if value is None:
        return "< 5"
    if value is WITHHELD:
        return "*"
    return value


# Keys -------------------------------------------------------------------------------------------


def test_keygen_writes_a_key_pair_readable_by_its_owner_only(tmp_path, capsys):
    call_command("rollup", "keygen", str(tmp_path / "k" / "p.key"))
    for name in ("p.key", "p.key.pub"):
        assert stat.S_IMODE(os.stat(tmp_path / "k" / name).st_mode) == 0o600
    signing.private_key_load(tmp_path / "k" / "p.key")
    signing.public_key_parse((tmp_path / "k" / "p.key.pub").read_bytes())
    with pytest.raises(signing.KeyFileError):  # never overwritten silently
        signing.keypair_write(tmp_path / "k" / "p.key")
    assert "fingerprint" in capsys.readouterr().out


# The round trip ---------------------------------------------------------------------------------


def test_round_trip_between_two_databases(refreshed, signing_key, researcher, tmp_path):
    path = export(tmp_path)
    sent = payload_of(path)
    # What the province's researcher sees on the province dashboard, district by district.
    refresh = dashboard_selectors.current_refresh()
    page = dashboard_selectors.dashboard_figures(
        user=researcher,
        refresh=refresh,
        hidden=dashboard_selectors.hidden_communities(user=researcher),
        area_code="10",
        by="district",
    )
    wipe()
    trust(signing_key)
    result = services.rollup_import(path=path)
    assert result.created and result.current
    stored = {
        (a.level, a.code): (a.parent_code, a.name_th, a.figures)
        for a in Area.objects.filter(package=result.package)
    }
    assert stored == {
        (a["level"], a["code"]): (a["parent"], a["name_th"], a["figures"]) for a in sent["areas"]
    }
    assert result.package.period == dt.date.fromisoformat(sent["period"] + "-01")
    # The national figures are those the researcher's page shows, label for label.
    for code, summary in page.children.items():
        counts = stored[("district", code)][2]["counts"]
        for metric in ("households", "people", "households_verified", "referrals_made"):
            assert counts[metric] == label(summary.values[metric]), (code, metric)
    province = stored[("province", "10")][2]["counts"]
    assert province["households"] == label(page.summary.values["households"])
    assert [r.area.code for r in selectors.province_rows()] == ["10"]


def test_the_package_holds_no_personal_data(refreshed, signing_key, tmp_path):
    path = export(tmp_path)
    text = path.read_text(encoding="utf-8")
    sent = payload_of(path)
    inner = json.dumps(sent, ensure_ascii=False)
    for person in Person.objects.all():
        for value in (person.first_name, person.last_name, person.national_id):
            assert value and value not in text and value not in inner
    for household in Household.objects.all():
        assert household.code not in inner
        assert f'"{household.house_no}"' not in inner
        assert pseudonym("household", household.pk) not in text  # as the exports write them
    # No 13-digit identifiers, no pseudonyms (hex digests of 16+ characters) in the figures.
    assert not re.search(r"(?<!\d)\d{13}(?!\d)", inner)
    assert not re.search(r"[0-9a-f]{16,}", inner)
    keys = set()

    def walk(value):
        if isinstance(value, dict):
            keys.update(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(sent)
    assert not keys & {"id", "pk", "household", "person", "name", "national_id", "pseudonym"}


def test_small_counts_leave_only_as_labels(refreshed, signing_key, tmp_path):
    sent = payload_of(export(tmp_path))
    assert sent["threshold"] == 5
    seen = []

    def walk(value, path=()):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k))
        elif isinstance(value, int) and not isinstance(value, bool):
            seen.append((path, value))

    for area in sent["areas"]:
        for name in ("counts", "levels", "months", "month_totals", "mobility"):
            walk(area["figures"][name], (area["code"], name))
    small = [(p, v) for p, v in seen if 0 < v < 5 and "communities" not in p[-1]]
    assert small == []
    assert any(v == "< 5" for a in sent["areas"] for v in a["figures"]["counts"].values())


# Refusals ---------------------------------------------------------------------------------------


def _rewrite(path, change, *, signing_key=None):
    """The package with its payload changed by `change` and its digest made to match, so only
    the signature can tell; with `signing_key` signed again by the province's own key too (a
    valid package whose content is not)."""
    envelope = json.loads(path.read_text(encoding="utf-8"))
    payload = json.loads(envelope["payload"])
    change(payload)
    data = package.canonical(payload)
    envelope["payload"] = data.decode("utf-8")
    envelope["payload_sha256"] = hashlib.sha256(data).hexdigest()
    if signing_key is not None:
        envelope["signature"] = signing.sign(signing.private_key_load(signing_key[0]), data)
    path.write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")


def _nothing_written(before: int):
    assert not Package.objects.exists() and not Area.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_tampered_package_is_refused_and_nothing_is_written(refreshed, signing_key, tmp_path):
    path = export(tmp_path)
    wipe()
    trust(signing_key)
    before = AuditEvent.objects.count()

    def change(payload):
        payload["areas"][0]["figures"]["counts"]["people"] = 10_000

    _rewrite(path, change)
    with pytest.raises(package.PackageError, match="signature"):
        services.rollup_import(path=path)
    _nothing_written(before)


def test_a_changed_payload_without_a_new_digest_is_refused(refreshed, signing_key, tmp_path):
    path = export(tmp_path)
    text = path.read_text(encoding="utf-8").replace('\\"people\\":9', '\\"people\\":19', 1)
    path.write_text(text, encoding="utf-8")
    trust(signing_key)
    with pytest.raises(package.PackageError, match="digest"):
        services.rollup_import(path=path)
    assert not Package.objects.exists()


def test_a_package_signed_with_another_key_is_refused(refreshed, signing_key, tmp_path):
    path = export(tmp_path)
    other = signing.keypair_write(tmp_path / "other.key")
    wipe()
    trust(other)
    before = AuditEvent.objects.count()
    with pytest.raises(package.PackageError, match="signature"):
        services.rollup_import(path=path)
    _nothing_written(before)


def test_a_package_from_a_province_without_a_registered_key_is_refused(
    refreshed, signing_key, tmp_path
):
    path = export(tmp_path)
    wipe()
    trust(signing_key, code="11")  # another province's key does not vouch for this one
    with pytest.raises(package.PackageError, match="No key is registered for province 10"):
        services.rollup_import(path=path)
    assert not Package.objects.exists()


def test_a_package_claiming_another_province_inside_is_refused(refreshed, signing_key, tmp_path):
    """The envelope names province 10 (whose key signed it) but the payload says 11."""
    path = export(tmp_path)
    _rewrite(path, lambda payload: payload["province"].update(code="11"), signing_key=signing_key)
    trust(signing_key)
    with pytest.raises(package.PackageError, match="malformed: province"):
        services.rollup_import(path=path)
    assert not Package.objects.exists()


def test_parsing_is_bounded(tmp_path, settings, keys, monkeypatch):
    trust(keys)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(package.PackageError, match="nested too deeply"):
        services.rollup_import(path=deep)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    monkeypatch.setattr(package, "MAX_BYTES", 1024)
    with pytest.raises(package.PackageError, match="larger than"):
        services.rollup_import(path=big)
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    with pytest.raises(package.PackageError, match="not a PPAOS roll-up package"):
        services.rollup_import(path=other)


def test_a_signed_payload_nested_too_deeply_is_refused(refreshed, signing_key, tmp_path):
    path = export(tmp_path)

    def too_deep(payload):
        payload["areas"][0]["figures"]["levels"] = {"x": {"y": {"z": {"w": {"v": {}}}}}}

    _rewrite(path, too_deep, signing_key=signing_key)
    trust(signing_key)
    with pytest.raises(package.PackageError, match="nested too deeply"):
        services.rollup_import(path=path)


# Idempotence and history --------------------------------------------------------------------


def test_importing_the_same_package_twice_changes_nothing(refreshed, signing_key, tmp_path):
    path = export(tmp_path)
    wipe()
    trust(signing_key)
    first = services.rollup_import(path=path)
    counts = (Package.objects.count(), Area.objects.count(), AuditEvent.objects.count())
    again = services.rollup_import(path=path)
    assert not again.created and again.package == first.package and again.current
    assert (Package.objects.count(), Area.objects.count(), AuditEvent.objects.count()) == counts


def test_a_newer_package_replaces_the_current_figures_and_history_is_kept(
    refreshed, signing_key, coordinator, communities, tmp_path
):
    january = export(tmp_path, "january.json", period="2026-01")
    for n in range(10, 16):  # six more households in community A: a bigger count next month
        add_household(coordinator, communities["A"], n)
    dashboard_services.refresh_run()
    february = export(tmp_path, "february.json", period="2026-02")
    sent = {a["code"]: a for a in payload_of(february)["areas"]}
    wipe()
    trust(signing_key)
    assert services.rollup_import(path=february).current
    older = services.rollup_import(path=january)
    assert older.created and not older.current  # an older period arriving late is history
    current = selectors.current_package(province_code="10")
    assert current.period == dt.date(2026, 2, 1)
    community_a = Area.objects.get(package=current, level="community", code="100801-01")
    assert community_a.figures == sent["100801-01"]["figures"]
    assert Package.objects.count() == 2
    [row] = selectors.province_rows()
    assert [period for period, _values in row.trend] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]


def test_a_later_package_of_the_same_period_replaces_that_snapshot(
    refreshed, signing_key, tmp_path
):
    first = export(tmp_path, "first.json", period="2026-01")
    second = export(tmp_path, "second.json", period="2026-01")
    wipe()
    trust(signing_key)
    services.rollup_import(path=first)
    result = services.rollup_import(path=second)
    assert result.current and Package.objects.count() == 2
    assert selectors.snapshots(province_code="10") == [result.package]


def test_each_export_and_import_writes_one_audit_row(refreshed, signing_key, tmp_path):
    before = AuditEvent.objects.filter(object_type="rollup").count()
    path = export(tmp_path)
    rows = AuditEvent.objects.filter(object_type="rollup")
    assert rows.count() == before + 1
    assert rows.first().action == "export" and rows.first().object_id == "10"
    wipe()
    trust(signing_key)
    services.rollup_import(path=path)
    assert list(
        AuditEvent.objects.filter(object_type="rollup").values_list("action", "object_id")
    ) == [("create", "10")]


def test_the_commands_export_trust_and_import(refreshed, signing_key, tmp_path, capsys):
    out = tmp_path / "cli.json"
    call_command("rollup", "export", "--out", str(out), "--period", "2026-01")
    assert "areas, period 2026-01" in capsys.readouterr().out
    wipe()
    call_command("rollup", "trust", "10", str(signing_key[1]))
    call_command("rollup", "import", str(out))
    assert "now current" in capsys.readouterr().out
    call_command("rollup", "import", str(out))
    assert "nothing changed" in capsys.readouterr().out
    assert ProvinceKey.objects.get().province_code == "10"


def test_export_without_a_key_or_figures_says_why(city, settings, tmp_path):
    settings.ROLLUP_SIGNING_KEY_FILE = ""
    with pytest.raises(services.RollupError, match="PPAOS_ROLLUP_SIGNING_KEY_FILE"):
        export(tmp_path)
    settings.ROLLUP_SIGNING_KEY_FILE = str(signing.keypair_write(tmp_path / "k.key")[0])
    with pytest.raises(services.RollupError, match="refresh-dashboards"):
        export(tmp_path)


# Mobility -------------------------------------------------------------------------------------


@pytest.fixture
def two_rounds(refreshed, communities, coordinator):
    """Rounds 2569-1 and 2569-2 for A1–A4, eight more households of A and B1: levels that
    went up, stayed and fell back (community B's one household a small count)."""
    households = list(Household.objects.filter(community=communities["A"]))
    households += [add_household(coordinator, communities["A"], n) for n in range(20, 28)]
    households += list(Household.objects.filter(community=communities["B"]))
    plan = [(1, 2), (2, 2), (1, 1), (3, 2), (1, 3), (2, 3), (1, 2), (2, 1), (1, 2), (2, 2)]
    for household, (before, after) in zip(households, plan * 2, strict=False):
        assess(household, "2569-1", before)
        assess(household, "2569-2", after)
    dashboard_services.refresh_run()


def test_mobility_is_protected_over_the_whole_hierarchy(two_rounds, signing_key, tmp_path):
    sent = payload_of(export(tmp_path))
    assert sent["mobility_rounds"] == {"from": "2569-1", "to": "2569-2"}
    areas = {a["code"]: a["figures"]["mobility"] for a in sent["areas"]}
    assert areas["10"] == areas["1008"]  # all of it in khet 1008
    assert areas["100801-01"]["graduated"] == 6
    assert areas["100803-01"]["households"] == "< 5"  # B's one household
    from ppaos.areas.models import Province

    province = Province.objects.get(code="10")
    refs, chains = figures.province_areas(province)
    moves = figures.mobility_figures(
        province=province,
        refs=refs,
        chains=chains,
        viewer=figures.ProvinceResearcher("10"),
        limit=5,
    )
    assert recoverable(moves.published) == []
    shown = {(ref.code, m): moves.areas[ref.key][m] for ref in refs for m in figures.MOBILITY}
    assert any(v is None for v in shown.values())  # a small move count was hidden
    for (code, m), value in shown.items():
        assert areas[code][m] == label(value)
