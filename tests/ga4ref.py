"""A small GA4-like shard family for the shape tests, built in Python, and its loaders.

Rows are plain dicts shaped like BigQuery's GA4 export (`event_params` as
key/value STRUCTs, `items` as an ARRAY of STRUCTs, `ecommerce` a STRUCT,
`event_timestamp` INT64 microseconds), plus `ts_seconds`/`ts_millis` epochs
for the unit tests. Each row carries its shard's `_TABLE_SUFFIX`; a few
events sit in the neighbouring shard (the exporter's day is not UTC's), a few
have no timestamp, and one shard lies after the anchor.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from dataset_tui.domain.definition import Definition, parse_definition

UTC = dt.UTC
ANCHOR = dt.date(2025, 6, 30)
PREFIX = "events_"
WILDCARD = "events_*"
EVENT_NAMES = ["page_view", "view_item", "add_to_cart", "purchase", 'it\'s \\ "odd"']

DUCK_COLUMNS = (
    "event_date VARCHAR, event_timestamp BIGINT, ts_seconds BIGINT, ts_millis BIGINT, event_name VARCHAR, "
    "user_pseudo_id VARCHAR, "
    "event_params STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR, int_value BIGINT, "
    "float_value DOUBLE, double_value DOUBLE))[], "
    "ecommerce STRUCT(transaction_id VARCHAR, purchase_revenue DOUBLE), "
    "items STRUCT(item_id VARCHAR, price DOUBLE, quantity BIGINT)[]"
)


def _param(key: str, *, string: str | None = None, integer: int | None = None) -> dict[str, Any]:
    return {
        "key": key,
        "value": {"string_value": string, "int_value": integer, "float_value": None, "double_value": None},
    }


def ga4_rows(anchor: dt.date = ANCHOR, days: int = 9, seed: int = 5) -> list[dict[str, Any]]:
    """Events over `days` shards ending two days after `anchor` (each row with its `_TABLE_SUFFIX`)."""
    rng = random.Random(seed)
    rows = []
    first = anchor - dt.timedelta(days=days - 3)
    for d in range(days):
        shard_day = first + dt.timedelta(days=d)
        for e in range(rng.randint(14, 20)):
            name = rng.choice(EVENT_NAMES)
            # Mostly inside the shard's UTC day; some an hour before it (the exporter's day starts earlier).
            offset = rng.randint(0, 86_399_999_999) if e % 6 else -rng.randint(1, 3_600_000_000)
            moment = dt.datetime.combine(shard_day, dt.time(), UTC) + dt.timedelta(microseconds=offset)
            micros = (moment - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
            if e == 3 and d % 3 == 2:
                micros = None  # an event without a timestamp
            user = f"{rng.randint(1, 6)}.{1_700_000_000 + d}"
            items = []
            if name in ("add_to_cart", "purchase"):
                items = [
                    {
                        "item_id": f"P{rng.randint(1, 7)}",
                        "price": rng.randint(100, 9999) / 100,
                        "quantity": rng.randint(1, 3),
                    }
                    for _ in range(rng.randint(0, 3))
                ]
            params = [
                _param("ga_session_id", integer=rng.randint(1, 10**12)),
                _param("page_location", string=f"/p/{e}"),
            ]
            if e % 5 == 0:
                params = params[1:]  # no session id on this event
            rows.append(
                {
                    "_TABLE_SUFFIX": shard_day.strftime("%Y%m%d"),
                    "event_date": shard_day.strftime("%Y%m%d"),
                    "event_timestamp": micros,
                    "ts_seconds": None if micros is None else micros // 1_000_000,
                    "ts_millis": None if micros is None else micros // 1_000,
                    "event_name": name,
                    "user_pseudo_id": user,
                    "event_params": params,
                    "ecommerce": {
                        "transaction_id": f"T{d}-{e}" if name == "purchase" else None,
                        "purchase_revenue": round(sum(i["price"] * i["quantity"] for i in items), 2)
                        if name == "purchase"
                        else None,
                    },
                    "items": items,
                }
            )
    return rows


def shards(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """{shard table name: its rows without the suffix}."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(PREFIX + row["_TABLE_SUFFIX"], []).append({k: v for k, v in row.items() if k != "_TABLE_SUFFIX"})
    return out


def load_duckdb(con: Any, rows: list[dict[str, Any]], folder: Path, schema: str = "raw_data") -> None:
    """One DuckDB table per shard, read from newline-delimited JSON with the GA4 types."""
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    columns = "{" + ", ".join(f"'{c.split(' ', 1)[0]}': '{c.split(' ', 1)[1]}'" for c in _top_level(DUCK_COLUMNS)) + "}"
    for table, shard_rows in shards(rows).items():
        path = folder / f"{table}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in shard_rows))
        con.execute(
            f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM read_json(?, columns = {columns}, '
            "format = 'newline_delimited')",
            [str(path)],
        )


def _top_level(columns: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in columns:
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current.strip())
    return parts


def definition(
    *,
    columns: list[dict[str, Any]] | None = None,
    where: list[dict[str, Any]] | None = None,
    date_range: dict[str, Any] | None = None,
    split: dict[str, Any] | None = None,
    min_tx: int | None = None,
    top: int | None = None,
    dataset: str = "raw_data",
) -> Definition:
    """A definition over `events_*`: user, time (micros), and the given columns."""
    base = [
        {"table": WILDCARD, "name": "user_pseudo_id", "role": "user_id", "type": "STRING"},
        {"table": WILDCARD, "name": "event_timestamp", "unit": "micros", "role": "timestamp", "type": "INT64"},
    ]
    filters: dict[str, Any] = {}
    if where:
        filters["where"] = where
    if date_range:
        filters["date_range"] = date_range
    if min_tx:
        filters["min_transactions"] = min_tx
    if top:
        filters["top_products_percent"] = top
    data: dict[str, Any] = {
        "format": "dataset-tui/1",
        "name": "ga4",
        "source": {"dataset": dataset, "primary": WILDCARD},
        "columns": base + (columns or []),
        "filters": filters,
    }
    if split:
        data["split"] = split
    return parse_definition(data)


ITEM_COLUMNS = [
    {"table": WILDCARD, "name": "items.item_id", "unnest": "items", "role": "product_id", "type": "STRING"},
    {"table": WILDCARD, "name": "items.price", "unnest": "items", "role": "revenue", "type": "FLOAT64"},
    {"table": WILDCARD, "name": "items.quantity", "unnest": "items", "type": "INT64"},
]
SESSION = {"table": WILDCARD, "name": "event_params", "param": {"key": "ga_session_id", "value": "int_value"}}
PAGE = {"table": WILDCARD, "name": "event_params", "param": {"key": "page_location", "value": "string_value"}}
NESTED = {"table": WILDCARD, "name": "ecommerce.purchase_revenue", "type": "FLOAT64"}

# Each new construct, with the filters that make it matter.
FIXED = {"type": "fixed", "start": "2025-06-26", "end": "2025-06-29"}
ROLLING = {"type": "rolling", "months": 1}
PURCHASES = [{"table": WILDCARD, "column": "event_name", "in": ["purchase"]}]

CASES = {
    "nested path": {"columns": [NESTED], "where": PURCHASES},
    "unnest items": {"columns": ITEM_COLUMNS},
    "key/value params": {"columns": [SESSION, PAGE]},
    "event filter": {
        "columns": ITEM_COLUMNS,
        "where": [{"table": WILDCARD, "column": "event_name", "in": ["purchase", "add_to_cart"]}],
    },
    "hostile filter literal": {"where": [{"table": WILDCARD, "column": "event_name", "in": ['it\'s \\ "odd"']}]},
    "epoch seconds and millis": {
        "columns": [
            {"table": WILDCARD, "name": "ts_seconds", "unit": "seconds", "type": "INT64"},
            {"table": WILDCARD, "name": "ts_millis", "unit": "millis", "type": "INT64"},
        ]
    },
    "number filter": {"where": [{"table": WILDCARD, "column": "ecommerce.purchase_revenue", "in": [0, 1.5]}]},
    "purchases from GA4": {
        "columns": [*ITEM_COLUMNS, SESSION, NESTED],
        "where": PURCHASES,
        "min_tx": 2,
        "top": 80,
    },
}


def bigquery_schema() -> list[Any]:
    """The GA4 shard schema for the BigQuery client (RECORD, REPEATED)."""
    from google.cloud.bigquery import SchemaField as F

    value = [
        F("string_value", "STRING"),
        F("int_value", "INT64"),
        F("float_value", "FLOAT64"),
        F("double_value", "FLOAT64"),
    ]
    return [
        F("event_date", "STRING"), F("event_timestamp", "INT64"), F("ts_seconds", "INT64"), F("ts_millis", "INT64"),
        F("event_name", "STRING"), F("user_pseudo_id", "STRING"),
        F("event_params", "RECORD", mode="REPEATED", fields=[F("key", "STRING"), F("value", "RECORD", fields=value)]),
        F("ecommerce", "RECORD", fields=[F("transaction_id", "STRING"), F("purchase_revenue", "FLOAT64")]),
        F("items", "RECORD", mode="REPEATED",
          fields=[F("item_id", "STRING"), F("price", "FLOAT64"), F("quantity", "INT64")]),
    ]  # fmt: skip


def normalized(value: Any) -> Any:
    """Engine values in one form: aware datetimes as naive UTC, Decimals as floats."""
    import decimal

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def bag(rows: Any) -> list[tuple[Any, ...]]:
    """Rows as a sorted list of normalized tuples (order is not part of the contract)."""
    return sorted((tuple(normalized(v) for v in r) for r in rows), key=repr)
