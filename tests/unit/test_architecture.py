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
                          "shopcore.library", "shopcore.use_cases")


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
    assert users <= {"bootstrap.py", "use_cases.py", "library.py"} | {
        str(p.relative_to(SRC)) for p in (SRC / "entrypoints").rglob("*.py")}


# What the entrypoints gave up: use cases by string, adapters and SQL reached directly.
ENTRYPOINTS = SRC / "entrypoints"
CLI = ENTRYPOINTS / "cli"
# The CLI context turns database errors into messages and masks URLs; `db` runs migrations.
MAY_IMPORT_SQLALCHEMY = {"entrypoints/cli/context.py", "entrypoints/cli/db.py"}
CLI_ROOTS = {"main.py", "__init__.py", "__main__.py"}


def string_lookups(source: str) -> list[str]:
    """Use cases found by name: a `use_case("...")` helper or `getattr` on the container."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "use_case":
            found.append("use_case()")
        elif (isinstance(node.func, ast.Name) and node.func.id == "getattr" and node.args
              and any(word in ast.unparse(node.args[0])
                      for word in ("use_cases", "container", "shop"))):
            found.append(ast.unparse(node))
    return found


def adapter_reach(source: str) -> list[str]:
    """Attribute chains through the container's adapters (`container.adapters.uow`, ...)."""
    return sorted({ast.unparse(node) for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.Attribute) and node.attr == "adapters"})


def sql_imports(source: str) -> list[str]:
    return [n for n in imported_modules(source)
            if n.split(".")[0] == "sqlalchemy" or n.startswith("shopcore.adapters.sqlalchemy")]


def cli_imports(source: str) -> list[str]:
    return [n for n in imported_modules(source)
            if n.startswith("shopcore.entrypoints.cli") or n == "<relative>"]


def entrypoint_modules() -> dict[str, str]:
    return {str(p.relative_to(SRC)): p.read_text() for p in sorted(ENTRYPOINTS.rglob("*.py"))}


def test_no_entrypoint_reaches_a_use_case_by_its_name() -> None:
    sources = {**entrypoint_modules(), "library.py": (SRC / "library.py").read_text()}
    assert {name: found for name, source in sources.items()
            if (found := string_lookups(source))} == {}


def test_the_library_app_has_no_getattr_fallback() -> None:
    tree = ast.parse((SRC / "library.py").read_text())
    [app] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "App"]
    methods = {n.name for n in app.body if isinstance(n, ast.FunctionDef)}
    assert methods.isdisjoint({"__getattr__", "__getattribute__"})


def test_no_entrypoint_reaches_into_the_adapters_container() -> None:
    assert {name: found for name, source in entrypoint_modules().items()
            if (found := adapter_reach(source))} == {}


def test_only_the_cli_context_and_db_commands_import_sqlalchemy() -> None:
    importers = {name for name, source in entrypoint_modules().items() if sql_imports(source)}
    assert importers <= MAY_IMPORT_SQLALCHEMY


def test_cli_command_modules_import_only_the_cli_context() -> None:
    commands = {p.name: cli_imports(p.read_text()) for p in sorted(CLI.glob("*.py"))
                if p.name not in CLI_ROOTS}
    assert commands.pop("context.py") == []
    assert {name: found for name, found in commands.items()
            if set(found) - {"shopcore.entrypoints.cli.context"}} == {}
    outside = {name for name, source in entrypoint_modules().items()
               if not name.startswith("entrypoints/cli/") and cli_imports(source)}
    assert outside == set()


def test_the_checkers_catch_what_the_entrypoints_gave_up() -> None:
    assert string_lookups('use_case("place_order")(user_id=1)\n') == ["use_case()"]
    assert string_lookups("getattr(self.container.use_cases, name)()\n") == [
        "getattr(self.container.use_cases, name)"]
    assert adapter_reach("with container.adapters.uow() as uow:\n    pass\n") == [
        "container.adapters"]
    assert sql_imports("from sqlalchemy import text\n") == ["sqlalchemy"]
    assert cli_imports("from shopcore.entrypoints.cli.db import db\n") == [
        "shopcore.entrypoints.cli.db"]
