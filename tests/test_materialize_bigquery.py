"""Materialize and verify on BigQuery: the emulator for CREATE TABLE AS and the
fingerprint query, a recording fake client for what the emulator ignores.

The emulator accepts the DDL's OPTIONS but keeps neither labels nor the
expiration (get_table shows none), and it ignores maximum_bytes_billed and
reports 0 dry-run bytes; so labels, expiration, the byte cap, the cost guard
and the job ids are checked on the jobs the adapter sends to the fake.
"""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from google.api_core.exceptions import NotFound
from google.cloud.bigquery import SchemaField

import fingerprint_ref
from bq_fake import FakeClient, make_rows
from dataset_tui.config import Profile
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.fingerprint import fingerprint_sql, from_row
from dataset_tui.services import materialize as mat, verify as ver
from dataset_tui.services.context import AppContext
from dataset_tui.services.errors import Declined
from dataset_tui.store import Store
from dataset_tui.warehouse.base import CostLimitError, NotFoundError
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from emulator import AS_OF, PROJECT, Seeded

COLUMNS = [
    ("transaction_id", "STRING"),
    ("customer_id", "STRING"),
    ("product_id", "STRING"),
    ("ts", "TIMESTAMP"),
    ("amount", "NUMERIC"),
    ("quantity", "INT64"),
    ("channel", "STRING"),
]


def definition(dataset: str = "raw_data", *, typed: bool = False) -> dict[str, Any]:
    columns = [
        {"table": "transactions", "name": "customer_id", "role": "user_id"},
        {"table": "transactions", "name": "ts", "role": "timestamp"},
        {"table": "transactions", "name": "amount", "role": "revenue"},
        {"table": "transactions", "name": "channel"},
    ]
    if typed:
        types = dict(COLUMNS)
        for column in columns:
            column["type"] = types[column["name"]]
    return {
        "format": "dataset-tui/1",
        "name": "recent",
        "source": {"dataset": dataset, "primary": "transactions"},
        "columns": columns,
        "filters": {"date_range": {"type": "rolling", "months": 3}},
        "split": {"type": "time", "eval_days": 14},
    }


# -- the emulator -------------------------------------------------------------------------


def test_the_fingerprint_of_the_same_rows_is_equal_on_duckdb_and_the_emulator(bq_raw_data: Seeded) -> None:
    bq = bq_raw_data.emulator.warehouse()
    duck = DuckDBWarehouse(bq_raw_data.duckdb_path)
    try:
        sql = fingerprint_sql("SELECT * FROM `raw_data.transactions`", COLUMNS)
        on_bq = from_row(bq.query(sql.replace("`raw_data.", f"`{PROJECT}.raw_data.")).rows[0])
        on_duck = from_row(duck.query(sql).rows[0])
        rows = duck.query("SELECT * FROM `raw_data.transactions`").rows
    finally:
        bq.close()
        duck.close()
    assert on_bq == on_duck
    assert on_duck == fingerprint_ref.fingerprint(rows, [t for _, t in COLUMNS])
    assert on_duck.rows == len(bq_raw_data.rows["transactions"])


TRICKY_TYPES = {
    "s": "STRING", "i": "INT64", "f": "FLOAT64", "n": "NUMERIC", "b": "BOOL", "d": "DATE", "ts": "TIMESTAMP",
    "dtm": "DATETIME",
}
UTC = dt.UTC
TRICKY_ROWS: list[tuple[Any, ...]] = [
    ("a|b", 1, 1.5, decimal.Decimal("-12.345678901"), True, dt.date(1969, 12, 31),
     dt.datetime(2025, 1, 1, 0, 0, 0, 1, tzinfo=UTC), dt.datetime(1999, 12, 31, 23, 59, 59, 500000)),
    ("3:x", -9223372036854775807, -0.1, decimal.Decimal("0.000000001"), False, dt.date(2025, 6, 15),
     dt.datetime(1960, 1, 1, 12, tzinfo=UTC), dt.datetime(2025, 6, 15)),
    (None, None, None, None, None, None, None, None),
    ("héllo ✓", 42, 1e-12, decimal.Decimal("99999999999.999999999"), False, dt.date(2000, 2, 29),
     dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(2000, 1, 1)),
    ("", 0, 123456.000000001, decimal.Decimal("-0.5"), True, dt.date(1970, 1, 1),
     dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(1970, 1, 1)),
]


def test_tricky_values_fingerprint_alike_on_both_engines(bq_raw_data: Seeded, tmp_path: Path) -> None:
    """The same typed rows in a DuckDB table and an emulator table: one fingerprint, the reference's."""
    from google.cloud import bigquery

    from emulator import _json_value

    names, kinds = list(TRICKY_TYPES), list(TRICKY_TYPES.values())
    columns = list(TRICKY_TYPES.items())
    duck = DuckDBWarehouse(tmp_path / "tricky.duckdb")
    with duck.writable() as con:
        con.execute("CREATE SCHEMA fp_tricky")
        con.execute(
            "CREATE TABLE fp_tricky.t (s VARCHAR, i BIGINT, f DOUBLE, n DECIMAL(38, 9), b BOOLEAN, d DATE, "
            "ts TIMESTAMPTZ, dtm TIMESTAMP)"
        )
        con.executemany("INSERT INTO fp_tricky.t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", TRICKY_ROWS)
    client = bq_raw_data.emulator.client()
    client.create_dataset(f"{PROJECT}.fp_tricky", exists_ok=True)
    table = client.create_table(
        bigquery.Table(f"{PROJECT}.fp_tricky.t", schema=[bigquery.SchemaField(n, k) for n, k in columns]),
        exists_ok=True,
    )
    json_rows = [{n: _json_value(v) for n, v in zip(names, row, strict=True)} for row in TRICKY_ROWS]
    assert not client.insert_rows_json(table, json_rows)
    bq = bq_raw_data.emulator.warehouse()
    try:
        on_duck = from_row(duck.query(fingerprint_sql("SELECT * FROM `fp_tricky.t`", columns)).rows[0])
        assert on_duck == fingerprint_ref.fingerprint(TRICKY_ROWS, kinds)
        # Half the columns at a time: bqemulator 1.4.0's FARM_FINGERPRINT is wrong for
        # inputs over 64 bytes (its port of FarmHash mixes the first 8 bytes in twice;
        # pyfarmhash, the C++ reference BigQuery uses, disagrees), so each canonical
        # row text compared on the emulator is kept under 64 bytes.
        for part in (columns[:4], columns[4:]):
            on_bq = from_row(bq.query(fingerprint_sql(f"SELECT * FROM `{PROJECT}.fp_tricky.t`", part)).rows[0])
            on_duck = from_row(duck.query(fingerprint_sql("SELECT * FROM `fp_tricky.t`", part)).rows[0])
            assert on_bq == on_duck
    finally:
        bq.close()
        duck.close()
    # The emulator is lenient: BigQuery's own grammar must accept the query too.
    sqlglot.parse_one(fingerprint_sql("SELECT * FROM `p.d.t`", columns), read="bigquery")


@pytest.fixture
def bq_ctx(bq_raw_data: Seeded, tmp_path: Path) -> Any:
    """An AppContext on the emulator, with a private copy of transactions the test may change."""
    client = bq_raw_data.emulator.client()
    copy = f"raw_{tmp_path.name[-12:].replace('-', '_')}"
    client.create_dataset(f"{PROJECT}.{copy}")
    client.query(
        f"CREATE TABLE `{PROJECT}.{copy}.transactions` AS SELECT * FROM `{PROJECT}.raw_data.transactions`"
    ).result()
    ctx = AppContext(settings=None, profile=bq_raw_data.emulator.profile(), store=Store.open(tmp_path / "store"))  # type: ignore[arg-type]
    ctx.store.create(parse_definition(definition(copy)))
    ctx.copy_dataset = copy  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError, match=f"{copy}_ml does not exist"):
        mat.materialize(ctx, "recent", as_of=AS_OF, to=f"{copy}_ml")
    client.create_dataset(f"{PROJECT}.{copy}_ml")
    yield ctx
    ctx.close()


def test_materialize_on_the_emulator_then_verify(bq_ctx: Any, bq_raw_data: Seeded) -> None:
    result = mat.materialize(bq_ctx, "recent", as_of=AS_OF, to=f"{bq_ctx.copy_dataset}_ml")
    record = result.record
    assert record.backend == "bigquery" and [s.split for s in record.splits] == ["train", "eval"]
    wh = bq_ctx.warehouse()
    kinds = [t for _, t in record.columns]
    for split in record.splits:
        assert split.table == f"{PROJECT}.{bq_ctx.copy_dataset}_ml.default__recent__v1__{split.split}"
        assert split.job_id
        rows = wh.query(f"SELECT * FROM `{split.table}`").rows
        assert split.fingerprint == fingerprint_ref.fingerprint(rows, kinds)
    # The same definition materialized on DuckDB over the same rows: equal fingerprints.
    duck_def = parse_definition(definition("raw_data"))
    duck = DuckDBWarehouse(bq_raw_data.duckdb_path)
    try:
        from dataset_tui.domain.sqlgen import generate_sql

        for split in record.splits:
            sql = generate_sql(duck_def, split.split, as_of=AS_OF)  # type: ignore[arg-type]
            assert from_row(duck.query(fingerprint_sql(sql, record.columns)).rows[0]) == split.fingerprint
    finally:
        duck.close()

    assert ver.verify(bq_ctx, "recent").status == "unchanged"

    client = bq_raw_data.emulator.client()
    late = {"transaction_id": "late-1", "customer_id": "C-late", "product_id": "P0001",
            "ts": dt.datetime.combine(AS_OF, dt.time(9), tzinfo=dt.UTC).isoformat(),
            "amount": "3.50", "quantity": 1, "channel": "web"}
    assert not client.insert_rows_json(f"{PROJECT}.{bq_ctx.copy_dataset}.transactions", [late])
    drifted = ver.verify(bq_ctx, "recent")
    by_split = {c.split: c for c in drifted.checks}
    assert drifted.status == "drifted"
    assert by_split["eval"].rows_added == 1 and by_split["eval"].rows_removed == 0  # AS_OF is in eval
    assert not by_split["train"].raw_drifted

    client.delete_table(record.splits[0].table)
    states = {c.split: c.table_state for c in ver.verify(bq_ctx, "recent").checks}
    assert states == {"train": "missing", "eval": "intact"}


# -- the recording fake: labels, expiration, the byte cap, the cost guard --------------------


class TablesFake(FakeClient):
    """The fake with tables that appear when a CREATE TABLE job runs, and a delete."""

    def get_table(self, ref: str, **kwargs: Any) -> Any:
        self._record("get_table", ref, **kwargs)
        name = ref.split(".")[-1]
        if name not in self.tables:
            raise NotFound(f"Not found: Table {ref}")
        return self.tables[name]

    def query(self, sql: str, job_config: Any = None, **kwargs: Any) -> Any:
        job = super().query(sql, job_config=job_config, **kwargs)
        if sql.startswith("CREATE TABLE") and not job_config.dry_run:
            self.tables[sql.split("`")[1].split(".")[-1]] = object()
        return job

    def get_dataset(self, ref: str, **kwargs: Any) -> Any:
        self._record("get_dataset", ref, **kwargs)
        return object()

    def delete_table(self, ref: str, **kwargs: Any) -> None:
        self._record("delete_table", ref, **kwargs)
        self.tables.pop(ref.split(".")[-1], None)


GIB = 1024**3


def fake_ctx(tmp_path: Path, *, dry_gib: float = 1.0) -> tuple[AppContext, TablesFake]:
    profile = Profile(
        name="prod", backend="bigquery", project="acme-prod",
        confirm_bytes=10 * GIB, max_bytes_billed=100 * GIB, price_per_tib=6.25,
    )
    client = TablesFake()
    client.dry_run_bytes = int(dry_gib * GIB)
    client.result_rows = make_rows(
        [SchemaField("row_count", "INTEGER"), SchemaField("xor_hash", "INTEGER"), SchemaField("sum_hash", "INTEGER")],
        [(120, 77, 5)],
    )
    ctx = AppContext(settings=None, profile=profile, store=Store.open(tmp_path / "store"))  # type: ignore[arg-type]
    ctx.set_warehouse(BigQueryWarehouse(profile, client=client))
    ctx.store.create(parse_definition(definition(typed=True)))
    return ctx, client


def test_ctas_jobs_carry_labels_expiration_and_the_byte_cap(tmp_path: Path) -> None:
    ctx, client = fake_ctx(tmp_path)
    try:
        result = mat.materialize(ctx, "recent", as_of=AS_OF, expire_days=7, confirm=lambda dry: True)
    finally:
        ctx.close()
    ctas = [c for c in client.of("query") if c.args[0].startswith("CREATE TABLE")]
    assert [c.args[0].split("`")[1] for c in ctas] == [
        "acme-prod.ml_datasets.default__recent__v1__train",
        "acme-prod.ml_datasets.default__recent__v1__eval",
    ]
    for call in ctas:
        ddl = call.args[0]
        options = sqlglot.parse_one(ddl, read="bigquery").find(sqlglot.exp.Properties)  # BigQuery's grammar
        assert options is not None
        assert '("dataset", "recent")' in ddl and '("version", "1")' in ddl and '("model", "default")' in ddl
        stamp = result.record.expires_at.strftime("%Y-%m-%d %H:%M:%S+00")  # type: ignore[union-attr]
        assert f'expiration_timestamp = TIMESTAMP "{stamp}"' in ddl
        assert call.config.maximum_bytes_billed == 100 * GIB
        assert call.config.labels == {"tool": "dataset-tui"}
    record = result.record
    assert record.expires_at is not None
    assert abs(record.expires_at - record.created_at - dt.timedelta(days=7)) < dt.timedelta(seconds=2)
    assert [s.job_id for s in record.splits] == [j.job_id for j in client.jobs if j.sql.startswith("CREATE")]
    assert [s.fingerprint.rows for s in record.splits] == [120, 120]
    # One dry run per split before any job, and then the guard's dry run of each fingerprint query.
    methods = [c.method for c in client.calls if c.method in ("dry_run", "query")]
    assert methods[:2] == ["dry_run", "dry_run"]


def test_the_cost_guard_refuses_or_asks_before_any_table_is_made(tmp_path: Path) -> None:
    ctx, client = fake_ctx(tmp_path, dry_gib=60)  # 2 splits × 60 GiB > max_bytes_billed
    try:
        with pytest.raises(CostLimitError, match="max_bytes_billed"):
            mat.materialize(ctx, "recent", as_of=AS_OF)
        assert client.count("query") == 0
    finally:
        ctx.close()
    ctx, client = fake_ctx(tmp_path / "b", dry_gib=8)  # 16 GiB: above confirm_bytes
    asked: list[Any] = []
    try:
        with pytest.raises(Declined):
            mat.materialize(ctx, "recent", as_of=AS_OF, confirm=lambda dry: asked.append(dry) or False)
        assert client.count("query") == 0
        assert len(asked) == 1 and asked[0].bytes_processed == 16 * GIB  # asked once, for the total
        from dataset_tui.store.materializations import materializations

        assert materializations(ctx.store, "default", "recent") == []
    finally:
        ctx.close()


def test_a_failed_second_table_drops_the_first(tmp_path: Path) -> None:
    from google.api_core.exceptions import BadRequest

    ctx, client = fake_ctx(tmp_path)
    real = client.query

    def query(sql: str, job_config: Any = None, **kwargs: Any) -> Any:
        if sql.startswith("CREATE TABLE `acme-prod.ml_datasets.default__recent__v1__eval`"):
            raise BadRequest("Resources exceeded")
        return real(sql, job_config=job_config, **kwargs)

    client.query = query  # type: ignore[method-assign]
    try:
        with pytest.raises(Exception, match="Resources exceeded"):
            mat.materialize(ctx, "recent", as_of=AS_OF)
        assert [c.args[0] for c in client.of("delete_table")] == ["acme-prod.ml_datasets.default__recent__v1__train"]
        assert client.tables == {}
    finally:
        ctx.close()



def test_cancel_stops_the_running_ctas_job_and_records_nothing(tmp_path: Path) -> None:
    import threading
    import time

    from dataset_tui.store.materializations import materializations
    from dataset_tui.warehouse.base import CancelledError

    ctx, client = fake_ctx(tmp_path)
    client.hold_jobs = True  # jobs run until cancelled (dry runs still answer at once)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            mat.materialize(ctx, "recent", as_of=AS_OF)
        except BaseException as exc:  # any outcome, even a cancel: the test reads it
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while not any(j.sql.startswith("CREATE TABLE") for j in client.jobs) and time.monotonic() < deadline:
            time.sleep(0.01)
        ctas = next(j for j in client.jobs if j.sql.startswith("CREATE TABLE"))
        ctx.warehouse().cancel()
        worker.join(timeout=10)
        assert not worker.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], CancelledError)
        deadline = time.monotonic() + 5
        while not ctas.cancelled and time.monotonic() < deadline:  # the cancel request goes out in a thread
            time.sleep(0.01)
        assert ctas.cancelled
        assert materializations(ctx.store, "default", "recent") == []
        eval_ctas = "CREATE TABLE `acme-prod.ml_datasets.default__recent__v1__eval`"
        assert not [j for j in client.jobs if j.sql.startswith(eval_ctas)]
    finally:
        ctx.close()
