"""The rules of DESIGN §2 that keep the code easy to change, checked."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dataset_tui"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def test_nothing_outside_tui_imports_textual() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in modules("")
        if "tui" not in p.relative_to(PACKAGE).parts
        and any(m == "textual" or m.startswith("textual.") for m in imports_of(p))
    ]
    assert offenders == []


def test_domain_imports_nothing_of_ours_but_itself() -> None:
    offenders = {}
    for p in modules("domain"):
        ours = {m for m in imports_of(p) if m.startswith("dataset_tui") and not m.startswith("dataset_tui.domain")}
        if ours:
            offenders[p.name] = ours
    assert offenders == {}


def test_store_and_warehouse_depend_only_on_domain() -> None:
    for folder in ("store", "warehouse"):
        for p in modules(folder):
            ours = {m for m in imports_of(p) if m.startswith("dataset_tui.")}
            allowed = (f"dataset_tui.{folder}", "dataset_tui.domain", "dataset_tui.config")
            assert all(m.startswith(allowed) for m in ours), (p.name, ours)


def test_faces_do_not_reach_past_services() -> None:
    """The CLI and the TUI talk to the store and warehouses only through services."""
    for folder in ("cli", "tui"):
        for p in modules(folder):
            bad = {m for m in imports_of(p) if m.startswith(("dataset_tui.store", "dataset_tui.warehouse."))}
            # Result types and error classes may be named; behaviour may not be called.
            bad -= {"dataset_tui.warehouse.base", "dataset_tui.store.errors", "dataset_tui.store"}
            assert not bad, (p.relative_to(PACKAGE), bad)


def test_start_up_imports_no_heavy_library() -> None:
    """Opening the CLI (and so the TUI's entry point) must not import DuckDB, BigQuery or sqlglot."""
    code = (
        "import sys, json; import dataset_tui.cli as c; c.build_parser();"
        "import dataset_tui.tui.app, dataset_tui.tui.screens.datasets;"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('duckdb', 'sqlglot', 'google', 'sqlparse', 'farmhash', 'pyarrow', 'numpy'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


# Modules that were already over the limit when it was set, each waiting for
# its split (issue 11). Delete an entry once its module is split; a module
# that is not listed here fails the test as soon as it grows past the limit.
MODULE_LINES_LIMIT = 450
NOT_YET_SPLIT: set[str] = set()


def test_modules_stay_small() -> None:
    """A module with one job fits on a few screens (DESIGN §2: under ~400 lines, with some slack)."""
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text().splitlines()) for p in modules("")}
    too_big = {name: n for name, n in sizes.items() if n > MODULE_LINES_LIMIT and name not in NOT_YET_SPLIT}
    assert too_big == {}


# -- the CLI reaches the store and warehouses only through services ----------

# Attributes that hand out the store or a warehouse (AppContext.store,
# AppContext.warehouse(), set_warehouse); the context's plain facts
# (warehouse_file, warehouse_project(), warehouse_exists()) are fine.
REACHING_ATTRIBUTES = {"store", "_store", "warehouse", "_warehouse", "set_warehouse"}
REACHING_MODULES = ("dataset_tui.store", "dataset_tui.warehouse")
# (module relative to cli/, what it reaches) -> why it may; keep it empty if you can.
CLI_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("json_shapes.py", "from dataset_tui.store import"): "names the store's record types (DatasetHead, Version, "
    "VersionDiff) it turns into JSON, under TYPE_CHECKING only: nothing is called",
    ("json_shapes.py", "from dataset_tui.warehouse.base import"): "names TableInfo, the warehouse's result type it "
    "turns into JSON, under TYPE_CHECKING only: nothing is called",
}


def reaches_past_services(source: str) -> list[str]:
    """What in this source reaches the store or a warehouse other than through services/."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in REACHING_ATTRIBUTES and not _is_option(node):
            found.append(f".{node.attr} (line {node.lineno})")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith(REACHING_MODULES)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith(REACHING_MODULES):
                found.append(f"from {node.module} import")
            elif node.module == "dataset_tui":
                found += [f"from dataset_tui import {a.name}" for a in node.names if a.name in ("store", "warehouse")]
    return found


def _is_option(node: ast.Attribute) -> bool:
    """`args.warehouse` / `inv.args.warehouse`: the --warehouse option's value (a path), not the warehouse."""
    value = node.value
    return (isinstance(value, ast.Name) and value.id == "args") or (
        isinstance(value, ast.Attribute) and value.attr == "args"
    )


def test_the_check_sees_each_way_of_reaching_the_store() -> None:
    sample = (
        "from dataset_tui.store import Store\nimport dataset_tui.warehouse.duckdb\nfrom dataset_tui import store\n"
        "def f(ctx, inv):\n    ctx.store.list('m')\n    inv.context().warehouse().run('x')\n"
        "    ctx.set_warehouse(None)\n"
        "    return ctx.warehouse_file, ctx.warehouse_project(), ctx.warehouse_exists(), inv.args.warehouse\n"
    )
    assert sorted(reaches_past_services(sample)) == sorted([
        "from dataset_tui.store import",
        "import dataset_tui.warehouse.duckdb",
        "from dataset_tui import store",
        ".store (line 5)",
        ".warehouse (line 6)",
        ".set_warehouse (line 7)",
    ])


def test_cli_reaches_store_and_warehouse_only_through_services() -> None:
    offenders = {}
    for p in modules("cli"):
        name = str(p.relative_to(PACKAGE / "cli"))
        found = [f for f in reaches_past_services(p.read_text()) if (name, f.split(" (")[0]) not in CLI_EXCEPTIONS]
        if found:
            offenders[name] = found
    assert offenders == {}, "call a use case in services/ instead"


# -- services return typed results; only cli/ makes JSON ------------------------------------

# (module relative to services/, function) -> why it still returns a JSON-like dict.
DICT_RESULTS_ALLOWED: dict[tuple[str, str], str] = {
    ("table_stats.py", "stats_record"): "the record the store keeps in its stats cache (storage, not CLI JSON); "
    "table_stats reads it back and merges columns into it",
}


def dict_results(source: str) -> list[str]:
    """Public functions and methods whose return annotation holds `dict[str, Any]` (a JSON shape)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            returns = ast.unparse(node.returns) if node.returns is not None else ""
            # spaces dropped: a quoted annotation keeps whatever spacing it was written with
            if "dict[str,Any]" in returns.replace(" ", ""):
                found.append(node.name)
    return found


def test_the_dict_result_check_sees_json_shapes() -> None:
    sample = (
        "def shown() -> dict[str, Any]: ...\n"
        "def rows() -> list[dict[str, Any]]: ...\n"
        "def _private() -> dict[str, Any]: ...\n"
        "def typed() -> dict[str, TableInfo]: ...\n"
        "class C:\n    def method(self) -> 'dict[str,Any] | None': ...\n"
    )
    assert dict_results(sample) == ["shown", "rows", "method"]


def test_services_return_typed_results_not_json_dicts() -> None:
    offenders = {}
    for p in modules("services"):
        name = str(p.relative_to(PACKAGE / "services"))
        found = [f for f in dict_results(p.read_text()) if (name, f) not in DICT_RESULTS_ALLOWED]
        if found:
            offenders[name] = found
    assert offenders == {}, "return a frozen dataclass; make the JSON in cli/ (cli/json_shapes.py)"
    stale = [
        (module, function)
        for module, function in DICT_RESULTS_ALLOWED
        if function not in dict_results((PACKAGE / "services" / module).read_text())
    ]
    assert stale == [], "drop allowances that are no longer needed"
