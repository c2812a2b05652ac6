"""`warehouse import`: CSV and Parquet round-trip with the right types; bad files
and refusals leave the warehouse exactly as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from dataset_tui.warehouse.base import UnavailableError
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from dataset_tui.warehouse.importer import ImportFailed, clean_names, import_table

UTC = dt.UTC

CSV = (
    "order_id,customer,Order Date,amount,qty,paid,note\n"
    '1001,c01,2024-03-01 10:15:00,12.50,1,true,"first, with comma"\n'
    "1002,c02,2024-03-02 11:00:00,7.25,3,false,\n"
    '1003,c01,2024-03-05 23:59:59,,2,true,"quote ""inside"""\n'
)


def _snapshot(wh: DuckDBWarehouse) -> dict[str, tuple[object, ...]]:
    """Every table's rows: what 'unchanged' is checked against."""
    out = {}
    for info in wh.list_tables("raw_data"):
        out[info.name] = wh.query(f"SELECT * FROM raw_data.`{info.name}` ORDER BY 1").rows
    return out


@pytest.fixture
def wh(tmp_path: Path) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(tmp_path / "wh.duckdb")
    yield warehouse
    warehouse.close()


def test_csv_round_trip_with_inferred_types(tmp_path: Path, wh: DuckDBWarehouse) -> None:
    file = tmp_path / "orders.csv"
    file.write_text(CSV)
    info = import_table(wh, file, "orders")
    assert (info.name, info.rows, info.columns) == ("orders", 3, 7)
    assert info.modified is not None
    assert wh.schema("raw_data", "orders").types() == {
        "order_id": "INT64",
        "customer": "STRING",
        "Order_Date": "TIMESTAMP",  # a time without zone in a CSV is UTC, as BigQuery loads it
        "amount": "FLOAT64",
        "qty": "INT64",
        "paid": "BOOL",
        "note": "STRING",
    }
    rows = wh.query("SELECT * FROM raw_data.orders ORDER BY order_id").rows
    assert rows == (
        (1001, "c01", dt.datetime(2024, 3, 1, 10, 15, tzinfo=UTC), 12.5, 1, True, "first, with comma"),
        (1002, "c02", dt.datetime(2024, 3, 2, 11, 0, tzinfo=UTC), 7.25, 3, False, None),
        (1003, "c01", dt.datetime(2024, 3, 5, 23, 59, 59, tzinfo=UTC), None, 2, True, 'quote "inside"'),
    )


def test_parquet_round_trip_keeps_its_types(tmp_path: Path, wh: DuckDBWarehouse) -> None:
    import duckdb

    file = tmp_path / "events.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"""COPY (SELECT range AS id, 'u' || (range % 3) AS user_id,
                   TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_hours(range) AS at,
                   TIMESTAMP '2024-01-01 00:00:00' + to_hours(range) AS local_at,
                   DATE '2024-01-01' + range::INTEGER AS day,
                   (range * 1.25)::DECIMAL(10, 2) AS price, range / 4 AS ratio,
                   {{'os': 'ios', 'v': range}} AS device, [range, range + 1] AS tags
                 FROM range(10)) TO '{file}' (FORMAT parquet)"""
    )
    con.close()
    info = import_table(wh, file, "events")
    assert (info.rows, info.columns) == (10, 9)
    assert wh.schema("raw_data", "events").types() == {
        "id": "INT64",
        "user_id": "STRING",
        "at": "TIMESTAMP",
        "local_at": "DATETIME",  # not adjusted to UTC in the file: BigQuery loads it as DATETIME
        "day": "DATE",
        "price": "NUMERIC",
        "ratio": "FLOAT64",
        "device": "STRUCT<os STRING, v INT64>",
        "device.os": "STRING",
        "device.v": "INT64",
        "tags": "ARRAY<INT64>",
    }
    row = wh.query("SELECT * FROM raw_data.events WHERE id = 4").rows[0]
    assert row == (
        4,
        "u1",
        dt.datetime(2024, 1, 1, 4, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 4),
        dt.date(2024, 1, 5),
        Decimal("5.00"),
        1.0,
        {"os": "ios", "v": 4},
        [4, 5],
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11\n", "line 3 has 5 fields but the header has 3"),
        # DuckDB's sniffer alone would take the last line for the header and drop the rest.
        ("a,b\n1,2\n3,4,5\n", "line 3 has 3 fields but the header has 2"),
        ('a,b\n1,"open quote\n2,3\n', "never closed"),
        ("a,b\n1,2\n" + "\xff\xfe".encode("latin-1").decode("latin-1") + ",3\n", "not UTF-8"),
    ],
)
def test_a_malformed_csv_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, wh: DuckDBWarehouse, content: str, says: str
) -> None:
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    import_table(wh, good, "orders")
    before = _snapshot(wh)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content.encode("latin-1"))
    for table, replace in (("fresh", False), ("orders", True)):
        with pytest.raises(ImportFailed) as caught:
            import_table(wh, bad, table, replace=replace)
        assert says in str(caught.value) and "not changed" in str(caught.value)
        assert _snapshot(wh) == before


def test_replacing_needs_to_be_asked_for(tmp_path: Path, wh: DuckDBWarehouse) -> None:
    file = tmp_path / "orders.csv"
    file.write_text(CSV)
    first = import_table(wh, file, "orders")
    before = _snapshot(wh)
    with pytest.raises(ImportFailed, match="already exists; pass --replace"):
        import_table(wh, file, "ORDERS")
    assert _snapshot(wh) == before
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("order_id,customer\n1,x\n")
    info = import_table(wh, smaller, "orders", replace=True)
    assert (info.rows, info.columns) == (1, 2)
    assert info.modified is not None and first.modified is not None and info.modified >= first.modified


def test_names_and_files_that_cannot_be_imported(tmp_path: Path, wh: DuckDBWarehouse) -> None:
    file = tmp_path / "orders.csv"
    file.write_text(CSV)
    for name in ("1orders", "or ders", "x;DROP TABLE y", ""):
        with pytest.raises(ImportFailed, match="not allowed"):
            import_table(wh, file, name)
    with pytest.raises(ImportFailed, match="no file"):
        import_table(wh, tmp_path / "missing.csv", "t")
    (tmp_path / "data.xlsx").write_bytes(b"PK")
    with pytest.raises(ImportFailed, match="only CSV"):
        import_table(wh, tmp_path / "data.xlsx", "t")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ImportFailed, match="empty"):
        import_table(wh, tmp_path / "empty.csv", "t")
    assert not wh.path.exists()  # nothing was even created


def test_column_names_become_identifiers() -> None:
    assert clean_names(["Order Date", "2nd", "a-b", "id", "ID", "", "ok_1"]) == [
        "Order_Date",
        "_2nd",
        "a_b",
        "id",
        "ID_2",
        "column6",
        "ok_1",
    ]


def test_importing_into_a_file_another_process_reads_is_refused_unchanged(tmp_path: Path, wh: DuckDBWarehouse) -> None:
    import subprocess
    import sys

    file = tmp_path / "orders.csv"
    file.write_text(CSV)
    import_table(wh, file, "orders")
    wh.close()
    digest = hashlib.sha256(wh.path.read_bytes()).hexdigest()
    code = (
        "import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print('open', flush=True); sys.stdin.read()"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", code, str(wh.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        with pytest.raises(UnavailableError, match="close the other dataset-tui sessions"):
            import_table(wh, file, "again")
    finally:
        reader.communicate("", timeout=30)
    assert hashlib.sha256(wh.path.read_bytes()).hexdigest() == digest
