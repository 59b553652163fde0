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
    assert documented - read - {"PPAOS_REQUIRE_BROWSER"} == set(), "README lists unused settings"


def test_every_command_in_the_readme_exists():
    from django.core.management import get_commands

    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`ppaos ([a-z][a-z_-]+)", readme))
    assert {"load-geography", "demo-data", "load-communities"} <= named
    assert named <= set(get_commands())
