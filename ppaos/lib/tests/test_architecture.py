"""The architecture the README states, kept true by parsing the code.

1. Dependencies point one way, lowest first: an app imports only its own layer or those below
   it, at module level or inside a function (tests and migrations aside).
2. Role names are tested in one place, the capability table (`accounts/scope.py`); everything
   else asks for a capability.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "ppaos"

LAYERS = (
    ("lib",),
    ("areas",),
    ("accounts",),
    ("audit", "exports"),
    ("registry",),
    ("privacy",),
    ("targeting", "assessment"),
    ("referrals", "livelihoods", "community"),
    ("dashboards", "api", "rollup"),
    ("demo", "ops"),
)
RANK = {app: level for level, apps in enumerate(LAYERS) for app in apps}
ROLE_NAMES = {
    "ADMIN",
    "COORDINATOR",
    "DISTRICT_OFFICER",
    "VOLUNTEER",
    "COMMUNITY_LEADER",
    "RESEARCHER",
    "AGENCY_OFFICER",
}
# Where a role may be named: the capability table, the model that defines the roles, and the
# demo accounts (data, not a check); the demo app's generators too.
ROLES_ALLOWED = {"accounts/scope.py", "accounts/models.py", "accounts/services.py"}


def production_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or parts[0].startswith("tests_"):
            continue
        if len(parts) > 1 and parts[0] in RANK:
            yield parts[0], path


def imported_apps(tree: ast.AST):
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ppaos" and len(parts) > 1 and parts[1] in RANK:
                yield node.lineno, parts[1]


def upward_imports() -> list[str]:
    found = []
    for app, path in production_files():
        for line, target in imported_apps(ast.parse(path.read_text(encoding="utf-8"))):
            if RANK[target] > RANK[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} {app} -> {target}")
    return found


def role_name_uses() -> list[str]:
    found = []
    for app, path in production_files():
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in ROLES_ALLOWED or app == "demo":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ROLE_NAMES
                and isinstance(node.value, ast.Name)
                and node.value.id == "Role"
            ):
                found.append(f"ppaos/{relative}:{node.lineno} Role.{node.attr}")
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()} | {"lib"}
    assert apps - set(RANK) == set(), "add the new app to LAYERS (and the README)"


def test_no_app_imports_a_layer_above_it():
    assert upward_imports() == []


def test_role_names_only_in_the_capability_table():
    assert role_name_uses() == []


def test_role_names_in_templates_are_not_tested():
    uses = [
        f"{path.relative_to(ROOT)}"
        for path in (PACKAGE / "templates").rglob("*.html")
        if "role ==" in path.read_text(encoding="utf-8")
    ]
    assert uses == []


def test_the_checks_catch_what_they_look_for(tmp_path):
    """The parsers find an upward import and a role name when there is one."""
    code = "from ppaos.dashboards import x\nimport ppaos.lib\nif Role.VOLUNTEER: pass\n"
    tree = ast.parse(code)
    assert list(imported_apps(tree)) == [(1, "dashboards"), (2, "lib")]
    names = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    assert "VOLUNTEER" in names
