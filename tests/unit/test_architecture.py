"""The one rule: imports point inwards, domain <- ports <- application <- adapters <- outside."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "shopcore"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}

ALLOWED_INSIDE = {
    "domain": {"shopcore.domain"},
    "ports": {"shopcore.domain", "shopcore.ports"},
    "application": {"shopcore.domain", "shopcore.ports", "shopcore.application"},
}
FORBIDDEN_FOR_ADAPTERS = ("shopcore.application", "shopcore.entrypoints", "shopcore.bootstrap",
                          "shopcore.library")


def imported_modules(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names.append("<relative>")
    return names


def violations(layer: str, source: str) -> list[str]:
    """The imports in `source` that break the rule for `layer`."""
    bad = []
    for name in imported_modules(source):
        top = name.split(".")[0]
        if name == "<relative>":
            bad.append("relative import")
        elif layer in ALLOWED_INSIDE:
            inside = any(name == p or name.startswith(p + ".") for p in ALLOWED_INSIDE[layer])
            if not inside and top not in STDLIB:
                bad.append(name)
        elif layer == "adapters" and name.startswith(FORBIDDEN_FOR_ADAPTERS):
            bad.append(name)
    return bad


def modules_of(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", ["domain", "ports", "application", "adapters"])
def test_every_module_of_the_layer_imports_only_inwards(layer: str) -> None:
    modules = modules_of(layer)
    assert modules, f"no modules found in {layer}"
    broken = {str(p.relative_to(SRC)): v for p in modules
              if (v := violations(layer, p.read_text()))}
    assert broken == {}


def test_the_checker_catches_a_domain_module_that_imports_sqlalchemy() -> None:
    assert violations("domain", "import sqlalchemy\nfrom decimal import Decimal\n") == [
        "sqlalchemy"]


def test_the_checker_catches_the_application_reaching_for_an_adapter() -> None:
    source = "from shopcore.adapters.sqlalchemy.tables import users\n"
    assert violations("application", source) == ["shopcore.adapters.sqlalchemy.tables"]


def test_the_checker_catches_an_adapter_importing_a_use_case() -> None:
    assert violations("adapters", "from shopcore.application.auth import LogIn\n") == [
        "shopcore.application.auth"]


def test_only_the_composition_root_and_entrypoints_import_dependency_injector() -> None:
    users = {str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
             if any(n.startswith("dependency_injector") for n in imported_modules(p.read_text()))}
    assert users <= {"bootstrap.py", "library.py"} | {
        str(p.relative_to(SRC)) for p in (SRC / "entrypoints").rglob("*.py")}
