"""The README's settings table must list every variable the code reads (Datasette-style)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
READ_CALL = re.compile(r"""(?:env_\w+|os\.getenv|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read() -> set[str]:
    names = set()
    for path in [*ROOT.joinpath("ppaos").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")]:
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        names |= set(READ_CALL.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_setting_is_documented():
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.M))
    read = variables_read()
    assert "DATABASE_URL" in read and "PPAOS_DEMO_MODE" in read
    assert read - documented == set(), "add these to README.md → Settings"
    assert documented - read - {"PPAOS_REQUIRE_BROWSER", "PPAOS_REQUIRE_SPARK"} == set(), (
        "README lists unused settings"
    )


def test_every_command_in_the_readme_exists():
    from django.core.management import get_commands

    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`ppaos ([a-z][a-z_-]+)", readme))
    assert {"load-geography", "demo-data", "load-communities"} <= named
    assert named <= set(get_commands())


def _readme() -> str:
    return ROOT.joinpath("README.md").read_text(encoding="utf-8")


def test_the_architecture_block_names_every_app_and_the_layers_in_order():
    from ppaos.lib.tests.test_architecture import LAYERS

    readme = _readme()
    block = readme[readme.index("ppaos/                 one Django project") :]
    block = block[: block.index("```")]
    listed = set(re.findall(r"^  ([a-z_]+)/", block, flags=re.M))
    apps = {p.name for p in ROOT.joinpath("ppaos").iterdir() if (p / "apps.py").exists()}
    assert apps | {"lib"} == listed
    order = " → ".join(", ".join(layer) for layer in LAYERS)
    stated = re.search(r"^    (lib → .*?)\n\n", readme, flags=re.M | re.S)
    assert stated and " ".join(stated.group(1).split()) == order


def test_the_capability_table_is_the_code_s():
    from ppaos.accounts.models import Role
    from ppaos.accounts.scope import ROLE_CAPABILITIES

    readme = _readme()
    header = re.search(r"^\| capability \| (.+) \|$", readme, flags=re.M)
    assert header, "README: the capability table"
    columns = [c.strip() for c in header.group(1).split("|")]
    rows = dict(
        (name, [c.strip() for c in cells.split("|")])
        for name, cells in re.findall(r"^\| `([a-z_]+)` \| (.+) \|$", readme, flags=re.M)
        if name in {c for caps in ROLE_CAPABILITIES.values() for c in caps}
    )
    assert set(rows) == {c for caps in ROLE_CAPABILITIES.values() for c in caps}
    for column, title in enumerate(columns):
        roles = [Role(r.strip()) for r in title.split(",")]
        for role in roles:
            documented = {name for name, cells in rows.items() if cells[column] != "–"}
            assert documented == set(ROLE_CAPABILITIES[role]), role
