"""The DuckDB adapter under bad input and contention: not found, bad SQL, corrupt
or locked files (nothing changed), threads, cancellation."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dataset_tui.warehouse.base import BadQueryError, CancelledError, NotFoundError, UnavailableError
from dataset_tui.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import duckdb

    path = tmp_path_factory.mktemp("err") / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.t AS SELECT range AS i, 'v' || range AS s FROM range(2000)")
    con.close()
    return path


@pytest.fixture
def wh(small_file: Path) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(small_file)
    yield warehouse
    warehouse.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_unknown_tables_columns_and_datasets_are_named(wh: DuckDBWarehouse) -> None:
    with pytest.raises(NotFoundError, match="nope_table"):
        wh.schema("raw_data", "nope_table")
    with pytest.raises(NotFoundError, match="nope_table"):
        wh.query("SELECT * FROM raw_data.nope_table")
    with pytest.raises(NotFoundError, match="nope_column"):
        wh.query("SELECT nope_column FROM raw_data.t")
    with pytest.raises(NotFoundError, match="nope_column"):
        wh.column_stats("raw_data", "t", ["i", "nope_column"])
    with pytest.raises(NotFoundError, match="nope_column"):
        wh.sample_values("raw_data", "t", "nope_column")
    with pytest.raises(NotFoundError, match="nope_dataset"):
        wh.list_tables("nope_dataset")
    with pytest.raises(NotFoundError, match="nope_table"):
        wh.dry_run("SELECT i FROM raw_data.nope_table")


def test_sql_duckdb_rejects_gives_its_message_and_the_line(wh: DuckDBWarehouse) -> None:
    with pytest.raises(BadQueryError) as caught:
        wh.query("SELECT\n  no_such_function(i)\nFROM raw_data.t")
    message = str(caught.value)
    assert "no_such_function" in message.lower() and "LINE 1" in message
    with pytest.raises(BadQueryError, match="line 2"):  # caught while reading the BigQuery text
        wh.query("SELECT i\nFROM raw_data.t WHERE (")
    with pytest.raises(BadQueryError, match="GROUP BY"):  # a dry run plans the query: binder errors show
        wh.dry_run("SELECT i FROM raw_data.t GROUP BY s")


def test_a_corrupt_file_is_a_clear_error_and_stays_untouched(tmp_path: Path, small_file: Path) -> None:
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database at all " * 500)
    truncated = tmp_path / "truncated.duckdb"
    data = small_file.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    for path in (garbage, truncated):
        before = _digest(path)
        wh = DuckDBWarehouse(path)
        with pytest.raises(UnavailableError, match=r"not a readable DuckDB database.*warehouse demo --force"):
            wh.list_tables("raw_data")
            wh.column_stats("raw_data", "t")
        wh.close()
        assert _digest(path) == before
        assert not Path(str(path) + ".wal").exists()


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(UnavailableError, match="warehouse demo"):
        DuckDBWarehouse(tmp_path / "none.duckdb").list_tables("raw_data")
    assert not (tmp_path / "none.duckdb").exists()


def _hold_write_lock(path: Path) -> subprocess.Popen[str]:
    code = (
        "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_file_locked_by_another_writer_is_a_clear_error(tmp_path: Path, small_file: Path) -> None:
    path = tmp_path / "locked.duckdb"
    path.write_bytes(small_file.read_bytes())
    before = _digest(path)
    holder = _hold_write_lock(path)
    try:
        wh = DuckDBWarehouse(path)
        with pytest.raises(UnavailableError, match=rf"another process \(PID {holder.pid}\)"):
            wh.list_tables("raw_data")
        with pytest.raises(UnavailableError, match="Nothing was changed"), wh.writable() as con:
            con.execute("CREATE TABLE raw_data.never AS SELECT 1")
        wh.close()
    finally:
        holder.communicate("", timeout=30)
    assert _digest(path) == before
    assert [t.name for t in DuckDBWarehouse(path).list_tables("raw_data")] == ["t"]


def test_threads_each_get_their_own_cursor(wh: DuckDBWarehouse) -> None:
    results: dict[int, int] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for _ in range(5):
                rows = wh.query(f"SELECT SUM(i) AS s FROM raw_data.t WHERE MOD(i, 4) = {k}").rows
                results[k] = int(rows[0][0])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert results == {k: sum(i for i in range(2000) if i % 4 == k) for k in range(4)}


def test_cancel_stops_a_running_query_and_the_warehouse_goes_on(wh: DuckDBWarehouse) -> None:
    endless = (
        "SELECT COUNT(*) FROM raw_data.t AS a, raw_data.t AS b, raw_data.t AS c, raw_data.t AS d "
        "WHERE MOD(a.i * 7 + b.i * 11 + c.i * 13 + d.i, 1000003) = 17"
    )
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            wh.query(endless)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 30
    while worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
        wh.cancel()  # again until it lands: the query may not have started yet
    worker.join(5)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)
    assert wh.query("SELECT COUNT(*) AS n FROM raw_data.t").rows == ((2000,),)
