"""PPAOS uses only the public API of the packages it depends on, so a new release of one of
them cannot break it silently (as `MultiFernet._fernets` once did). Django's `_meta` is public
by its documentation; private names of PPAOS's own modules are its own business."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# Underscored but documented: Django's model `_meta`, `os._exit` (a forked child's exit).
ALLOWED_ATTRIBUTES = {"_meta", "_exit"}


def _own_names(tree: ast.Module) -> set[str]:
    """Names bound to PPAOS's own modules or objects by imports (`from ppaos.x import y`)."""
    names = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ppaos"):
            names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name for a in node.names if a.name.startswith("ppaos")}
    return names


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in ALLOWED_ATTRIBUTES


def private_uses(path: Path) -> list[str]:
    """`file:line name` for each read of another package's private attribute or import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _own_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("ppaos"):
            parts = [*(node.module or "").split("."), *(a.name for a in node.names)]
            found += [f"{path}:{node.lineno} {p}" for p in parts if _private(p)]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in own:
                continue
            if node.attr.startswith("_ppaos"):  # PPAOS's own cache on an object it was given
                continue
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.append(f"{where}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_private_attribute_of_another_package_is_used():
    files = [*ROOT.joinpath("ppaos").rglob("*.py"), *ROOT.joinpath("bench").rglob("*.py")]
    files += ROOT.joinpath("scripts").glob("*.py")
    found = [use for path in files if "migrations" not in path.parts for use in private_uses(path)]
    assert found == []


def test_the_check_finds_a_private_attribute(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from cryptography.fernet import MultiFernet\n"
        "from ppaos.registry import id_crypto\n"
        "from django.db.models.sql import _private\n"
        "MultiFernet([])._fernets[0]._encrypt_from_parts\n"
        "id_crypto._derived, Household._meta, self._cache\n"
    )
    assert [use.split(" ", 1)[1] for use in private_uses(sample)] == [
        "_private",
        "MultiFernet([])._fernets[0]._encrypt_from_parts",
        "MultiFernet([])._fernets",
    ]
