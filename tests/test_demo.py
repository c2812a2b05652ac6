"""The demo raw_data: the contract tables and columns, deterministic, realistic
shape (skew, long tail, weekly seasonality, a few NULLs), built atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from conftest import DEMO_ROWS, DEMO_TODAY
from dataset_tui.warehouse.demo import build_demo, months_before
from dataset_tui.warehouse.demo_ga4 import shard_names
from dataset_tui.warehouse.duckdb import DuckDBWarehouse

CONTRACT = {
    "transactions": {
        "transaction_id": "STRING",
        "customer_id": "STRING",
        "product_id": "STRING",
        "ts": "TIMESTAMP",
        "amount": "NUMERIC",
        "quantity": "INT64",
        "channel": "STRING",
    },
    "customers": {"customer_id": "STRING", "signup_date": "DATE", "country": "STRING", "segment": "STRING"},
    "products": {"product_id": "STRING", "category": "STRING", "brand": "STRING", "price": "NUMERIC"},
    "returns": {
        "return_id": "STRING",
        "transaction_id": "STRING",
        "customer_id": "STRING",
        "returned_at": "TIMESTAMP",
        "reason": "STRING",
        "refund_amount": "NUMERIC",
    },
}


@pytest.fixture(scope="module")
def wh(demo_file: Path) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(demo_file)
    yield warehouse
    warehouse.close()


def _content(path: Path) -> str:
    """A digest of every table's rows in a fixed order."""
    wh = DuckDBWarehouse(path)
    digest = hashlib.sha256()
    for table in CONTRACT:
        rows = wh.query(f"SELECT * FROM raw_data.{table} ORDER BY {next(iter(CONTRACT[table]))}").rows
        digest.update(repr(rows).encode())
    wh.close()
    return digest.hexdigest()


def test_exactly_the_contract_tables_and_columns(wh: DuckDBWarehouse) -> None:
    names = sorted(t.name for t in wh.list_tables("raw_data"))
    shards = shard_names(DEMO_TODAY)
    assert names == sorted([*CONTRACT, *shards])  # the shop, and the GA4-like family
    for table, columns in CONTRACT.items():
        assert wh.schema("raw_data", table).types() == columns, table


def test_transactions_cover_the_last_18_months_up_to_yesterday(wh: DuckDBWarehouse) -> None:
    rows, lo, hi, ids = wh.query(
        "SELECT COUNT(*), MIN(ts), MAX(ts), COUNT(DISTINCT transaction_id) FROM raw_data.transactions"
    ).rows[0]
    assert rows == ids == DEMO_ROWS
    start = months_before(DEMO_TODAY, 18)
    assert lo.date() >= start and (lo.date() - start).days <= 3
    assert hi.date() == DEMO_TODAY - dt.timedelta(days=1)
    # Ids grow with time.
    ordered = wh.query("SELECT transaction_id FROM raw_data.transactions ORDER BY ts, transaction_id").rows
    assert [r[0] for r in ordered] == sorted(r[0] for r in ordered)


def test_shape_skew_long_tail_seasonality_and_a_few_nulls(wh: DuckDBWarehouse) -> None:
    txs = wh.query("SELECT customer_id, product_id, ts, amount FROM raw_data.transactions").rows
    null_customers = sum(1 for c, *_ in txs if c is None) / len(txs)
    null_amounts = sum(1 for *_, a in txs if a is None) / len(txs)
    assert 0.001 < null_customers < 0.01 and 0.001 < null_amounts < 0.01
    per_product = sorted(Counter(p for _, p, _, _ in txs).values(), reverse=True)
    top_tenth = sum(per_product[: max(1, len(per_product) // 10)]) / len(txs)
    assert top_tenth > 0.3  # a tenth of the products sell ~40% (uniform would be 10%)
    per_customer = Counter(c for c, *_ in txs if c is not None)
    counts = sorted(per_customer.values())
    assert counts[-1] > 20 * counts[len(counts) // 2]  # heavy buyers far above the median
    assert sum(1 for n in counts if n <= 2) > 0.1 * len(counts)  # and many buy once or twice
    weekdays = Counter(ts.weekday() for _, _, ts, _ in txs)
    assert weekdays[5] > 1.3 * weekdays[0]  # Saturdays beat Mondays
    kept = wh.query(
        "SELECT COUNT(*) FROM raw_data.transactions t JOIN raw_data.products p USING (product_id)"
    ).rows[0][0]
    assert kept == DEMO_ROWS  # every product id exists


def test_joins_between_the_tables_find_their_rows(wh: DuckDBWarehouse) -> None:
    unknown_customers = wh.query(
        "SELECT COUNT(*) FROM raw_data.transactions t LEFT JOIN raw_data.customers c USING (customer_id) "
        "WHERE t.customer_id IS NOT NULL AND c.customer_id IS NULL"
    ).rows[0][0]
    assert unknown_customers == 0
    returns, matched, late = wh.query(
        "SELECT COUNT(*), COUNT(t.transaction_id), COUNTIF(r.returned_at < t.ts) "
        "FROM raw_data.returns r LEFT JOIN raw_data.transactions t USING (transaction_id)"
    ).rows[0]
    assert 0.01 * DEMO_ROWS < returns < 0.06 * DEMO_ROWS and matched == returns and late == 0
    signup_after_purchase = wh.query(
        "SELECT COUNT(*) FROM raw_data.customers c JOIN raw_data.transactions t USING (customer_id) "
        "WHERE c.signup_date > DATE(t.ts)"
    ).rows[0][0]
    assert signup_after_purchase == 0


def test_same_seed_and_day_give_the_same_data_another_seed_does_not(tmp_path: Path, demo_file: Path) -> None:
    again = tmp_path / "again.duckdb"
    build_demo(again, rows=DEMO_ROWS, seed=42, today=DEMO_TODAY)
    other = tmp_path / "other.duckdb"
    build_demo(other, rows=DEMO_ROWS, seed=43, today=DEMO_TODAY)
    assert _content(again) == _content(demo_file)
    assert _content(other) != _content(demo_file)


def test_progress_is_reported_and_a_failed_build_leaves_the_old_file(tmp_path: Path, demo_file: Path) -> None:
    target = tmp_path / "wh.duckdb"
    target.write_bytes(demo_file.read_bytes())
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    seen: list[tuple[float, str]] = []

    def interrupt_midway(fraction: float, message: str) -> None:
        seen.append((fraction, message))
        if message == "customers":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(target, rows=2000, seed=1, today=DEMO_TODAY, progress=interrupt_midway)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wh.duckdb"]  # no half-built file left
    steps: list[tuple[float, str]] = []
    build_demo(target, rows=2000, seed=1, today=DEMO_TODAY, progress=lambda f, m: steps.append((f, m)))
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert DuckDBWarehouse(target).query("SELECT COUNT(*) FROM raw_data.transactions").rows == ((2000,),)


def test_rows_out_of_range_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows must be between"):
        build_demo(tmp_path / "x.duckdb", rows=0)
    assert not (tmp_path / "x.duckdb").exists()


def test_the_ga4_family_has_the_export_shape_and_one_day_a_shard(wh: DuckDBWarehouse) -> None:
    types = wh.schema("raw_data", "events_*").types()
    assert types["event_timestamp"] == "INT64" and types["user_pseudo_id"] == "STRING"
    assert types["items"].startswith("ARRAY<STRUCT<item_id STRING")
    assert types["event_params"].startswith("ARRAY<STRUCT<key STRING, value STRUCT<string_value STRING")
    assert types["ecommerce.purchase_revenue"] == "FLOAT64"
    rows = wh.query(
        "SELECT _TABLE_SUFFIX, MIN(DATE(TIMESTAMP_MICROS(event_timestamp))), "
        "MAX(DATE(TIMESTAMP_MICROS(event_timestamp))), COUNTIF(event_name = 'purchase' AND ARRAY_LENGTH(items) = 0) "
        "FROM `raw_data.events_*` GROUP BY 1 ORDER BY 1"
    ).rows
    assert [r[0] for r in rows] == [n.removeprefix("events_") for n in shard_names(DEMO_TODAY)]
    for suffix, low, high, empty_purchases in rows:
        day = dt.datetime.strptime(suffix, "%Y%m%d").date()
        assert low == high == day and empty_purchases == 0
