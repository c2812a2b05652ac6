"""Issue 13.2, 13.3, 13.11 and issue 14's "own data": warehouse writes are all-or-nothing,
never discard another process's data, and a new file gets only the user's table."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dataset_tui.cli import main

SRC = Path(__file__).resolve().parent.parent / "src"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(capsys: pytest.CaptureFixture[str], env: Path, warehouse: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(env / "store"), "--warehouse", str(warehouse), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def tables_of(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(
            f"{s}.{t}"
            for s, t in con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal").fetchall()
            if not s.startswith("_")
        )
    finally:
        con.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "files"
    folder.mkdir()
    con = duckdb.connect()
    con.execute(f"COPY (SELECT uuid() AS id, range AS n FROM range(50)) TO '{folder / 'uuid.parquet'}' (FORMAT parquet)")
    con.close()
    (folder / "products.csv").write_text("product_id,price\nP1,3.5\nP2,4\n")
    (folder / "broken.csv").write_text("a,b\n1,2\n3,4,5\n")
    return {p.stem: p for p in folder.iterdir()}


def test_a_uuid_parquet_imports_and_the_warehouse_keeps_working(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_copy: Path, files: dict[str, Path]
) -> None:
    code, _, err = cli(capsys, isolated_env, demo_copy, "warehouse", "import", str(files["uuid"]), "--table", "ids")
    assert code == 0, err
    code, out, err = cli(capsys, isolated_env, demo_copy, "tables", "--json")
    assert code == 0, err
    rows = {t["name"]: t for t in json.loads(out)}
    assert rows["ids"]["rows"] == 50
    schema = json.loads(cli(capsys, isolated_env, demo_copy, "schema", "ids", "--json")[1])
    assert [c["type"] for c in schema["columns"]] == ["STRING", "INT64"]  # BigQuery has no UUID type
    code, _, err = cli(capsys, isolated_env, demo_copy, "warehouse", "import", str(files["products"]), "--table", "p2")
    assert code == 0, err


def test_a_failed_import_leaves_the_warehouse_byte_identical(
    capsys: pytest.CaptureFixture[str],
    isolated_env: Path,
    demo_copy: Path,
    files: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = digest(demo_copy)
    code, _, err = cli(capsys, isolated_env, demo_copy, "warehouse", "import", str(files["broken"]), "--table", "b")
    assert code == 1 and "line 3" in err
    assert digest(demo_copy) == before

    # The failure the audit hit: the table is created, then the warehouse cannot use it.
    from dataset_tui.warehouse import duckdb as duck
    from dataset_tui.warehouse.base import WarehouseError

    real = duck.DuckDBWarehouse.column_bytes

    def refuses_new_tables(self: duck.DuckDBWarehouse, dataset: str, table: str, **kw: object) -> dict[str, int]:
        if table == "late":
            raise WarehouseError("No function matches 'strlen(UUID)'")
        return real(self, dataset, table, **kw)

    monkeypatch.setattr(duck.DuckDBWarehouse, "column_bytes", refuses_new_tables)
    code, _, err = cli(capsys, isolated_env, demo_copy, "warehouse", "import", str(files["products"]), "--table", "late")
    assert code == 1 and "not changed" in err
    assert digest(demo_copy) == before
    monkeypatch.setattr(duck.DuckDBWarehouse, "column_bytes", real)
    assert cli(capsys, isolated_env, demo_copy, "tables")[0] == 0
    assert "raw_data.late" not in tables_of(demo_copy)
    assert [p.name for p in demo_copy.parent.iterdir() if p.name.endswith(".importing")] == []


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_import_into_a_new_or_empty_file_creates_only_that_table(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, tmp_path: Path, files: dict[str, Path], kind: str
) -> None:
    target = tmp_path / "mine.duckdb"
    if kind == "empty":
        target.write_bytes(b"")
    code, _, err = cli(capsys, isolated_env, target, "warehouse", "import", str(files["products"]), "--table", "products")
    assert code == 0, err
    assert "demo" not in err
    assert tables_of(target) == ["raw_data.products"]
    rows = json.loads(cli(capsys, isolated_env, target, "tables", "--json")[1])
    assert [(r["name"], r["rows"]) for r in rows] == [("products", 2)]


def _holder(path: Path, *, read_only: bool, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the warehouse, having committed a table of its own."""
    code = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(path)!r}, read_only={read_only})\n"
        + ("" if read_only else "con.execute('CREATE TABLE raw_data.theirs AS SELECT 42 AS answer')\n")
        + "print('ready', flush=True)\n"
        f"time.sleep({seconds})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "reader"])
def test_demo_force_refuses_a_file_another_process_holds(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_copy: Path, read_only: bool
) -> None:
    proc = _holder(demo_copy, read_only=read_only, seconds=60)
    try:
        code, _, err = cli(capsys, isolated_env, demo_copy, "warehouse", "demo", "--force", "--rows", "500")
        assert code == 1 and "open in another process" in err, err
        assert not (demo_copy.with_name(demo_copy.name + ".wal")).exists() or not read_only
    finally:
        proc.kill()
        proc.wait()
    if not read_only:
        assert "raw_data.theirs" in tables_of(demo_copy)  # its committed data survived
    code, _, err = cli(capsys, isolated_env, demo_copy, "warehouse", "demo", "--force", "--rows", "500")
    assert code == 0, err
    assert "raw_data.theirs" not in tables_of(demo_copy)


def test_a_killed_demo_build_leaves_nothing_behind_for_long(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, tmp_path: Path
) -> None:
    target = tmp_path / "w.duckdb"
    code = (
        "import sys; from dataset_tui.cli import main; "
        f"sys.exit(main(['--db', {str(isolated_env / 'store')!r}, '--warehouse', {str(target)!r}, "
        "'warehouse', 'demo', '--rows', '3000000']))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".w.duckdb.*.building")):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    leftovers = list(tmp_path.glob(".w.duckdb.*.building*"))
    assert leftovers, "the build was not caught in the act"
    assert not target.exists()
    code_, _, err = cli(capsys, isolated_env, target, "warehouse", "demo", "--rows", "500")
    assert code_ == 0, err
    assert list(tmp_path.glob(".w.duckdb.*")) == []
