"""A plain-Python reference of DESIGN §4, and the fixture tables the SQL tests run on.

The reference is written from the design text, not from the generated SQL:
rows are dicts, joins are nested loops, and every rule is a few lines of
ordinary Python, so a disagreement with the SQL points at one of the two.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import farmhash
import pytest

import duckdb_exec
from dataset_tui.domain.definition import (
    Column,
    Definition,
    FixedRange,
    RandomSplit,
    RollingRange,
    TimeSplit,
    parse_definition,
)

UTC = dt.UTC
Tables = dict[str, list[dict[str, Any]]]


# -- the rules -------------------------------------------------------------


def month_sub(day: dt.date, months: int) -> dt.date:
    """BigQuery DATE_SUB(day, INTERVAL months MONTH): the day clamps to the month's end."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def fingerprint(text: str) -> int:
    """FARM_FINGERPRINT: FarmHash fingerprint64 read as a signed 64-bit integer."""
    unsigned = farmhash.fingerprint64(text)
    return unsigned - 2**64 if unsigned >= 2**63 else unsigned


def bucket(key: Any) -> int:
    # MOD truncates toward zero, so |MOD(x, 100)| == |x| % 100.
    return abs(fingerprint(str(key))) % 100


def day_of(value: Any) -> dt.date | None:
    """DATE(x) in UTC for TIMESTAMP (aware), DATETIME (naive) and DATE values."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    return value


def _lookup(tables: Tables, name: str) -> list[dict[str, Any]]:
    return tables[name.lower()]


def _value(joined: dict[str, Any], column: Column) -> Any:
    value = joined.get(column.table.lower())
    for part in column.name.split("."):
        value = None if value is None else value[part]
    return value


def _path_value(value: Any, path: str) -> Any:
    for part in path.split("."):
        value = None if value is None else value[part]
    return value


EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_MICROS = {"seconds": 1_000_000, "millis": 1_000, "micros": 1}


def _shaped_value(joined: dict[str, Any], column: Column) -> Any:
    """A column's value with the BigQuery shapes: unnested element, key/value param, epoch unit."""
    if column.unnest is not None:
        value = _path_value(joined["__element__"], column.name[len(column.unnest) + 1 :])
    elif column.param is not None:
        array = _path_value(joined.get(column.table.lower()), column.name) or []
        # The first element with the key (GA4 keys are unique per event).
        found = [kv for kv in array if kv["key"] == column.param.key]
        value = found[0]["value"][column.param.value] if found else None
    else:
        value = _value(joined, column)
    if column.unit is not None and value is not None:
        value = EPOCH + dt.timedelta(microseconds=value * EPOCH_MICROS[column.unit])
    return value


def _window(definition: Definition, today: dt.date) -> tuple[dt.date | None, dt.date]:
    rng = definition.filters.date_range
    if isinstance(rng, FixedRange):
        return rng.start, rng.end
    if isinstance(rng, RollingRange):
        return month_sub(today, rng.months), today
    return None, today


def _shard_kept(definition: Definition, table: str, row: dict[str, Any], today: dt.date | None) -> bool:
    """The documented shard rule: the wildcard table holding the timestamp reads only the shards
    dated from a day before the window's start to a day after its end (no range: up to the day after)."""
    ts = definition.role_column("timestamp")
    if today is None or ts is None or ts.table.lower() != table or not table.endswith("*"):
        return True
    start, end = _window(definition, today)
    suffix = dt.datetime.strptime(row["_TABLE_SUFFIX"], "%Y%m%d").date()
    return (start is None or suffix >= start - dt.timedelta(days=1)) and suffix <= end + dt.timedelta(days=1)


def base_rows(definition: Definition, tables: Tables, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Step 1: the primary table joined as defined; one dict of output values per row.

    With the BigQuery shapes: shards outside the window's suffix bounds are not
    read (needs `today`), row filters keep rows whose value is listed, and an
    unnested array gives one row per element (none for an empty array).
    """
    joined_rows = _joined_rows(definition, tables)
    for table in [t.lower() for t in definition.source.tables if t.endswith("*")]:
        joined_rows = [
            j for j in joined_rows if j.get(table) is None or _shard_kept(definition, table, j[table], today)
        ]
    for f in definition.filters.where or []:
        joined_rows = [j for j in joined_rows if _path_value(j.get(f.table.lower()), f.column) in f.values]
    unnest = next((c for c in definition.columns if c.unnest), None)
    if unnest is not None and unnest.unnest is not None:
        joined_rows = [
            {**j, "__element__": element}
            for j in joined_rows
            for element in (_path_value(j.get(unnest.table.lower()), unnest.unnest) or [])
        ]
    return [{c.output_name: _shaped_value(j, c) for c in definition.columns} for j in joined_rows]


def _joined_rows(definition: Definition, tables: Tables) -> list[dict[str, Any]]:
    joined_rows = [{definition.source.primary.lower(): row} for row in _lookup(tables, definition.source.primary)]
    for join in definition.source.joins:
        pairs = [(on.left_table.lower(), on.left_column, on.right_column) for on in join.on]
        # Index the joined table by its key values; NULL never equals anything.
        index: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for right in _lookup(tables, join.table):
            key = tuple(right[r] for _, _, r in pairs)
            if None not in key:
                index.setdefault(key, []).append(right)
        next_rows = []
        for joined in joined_rows:
            key = tuple(None if joined.get(t) is None else joined[t][c] for t, c, _ in pairs)
            matches = [] if None in key else index.get(key, [])
            if matches:
                next_rows += [{**joined, join.table.lower(): m} for m in matches]
            elif join.type == "left":
                next_rows.append({**joined, join.table.lower(): None})
        joined_rows = next_rows
    return joined_rows


def _out(definition: Definition, role: str) -> str:
    column = definition.role_column(role)
    assert column is not None
    return column.output_name


def date_filtered(definition: Definition, rows: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Step 2: DATE(timestamp) within the fixed or rolling range (inclusive).

    With no range and a timestamp role, rows dated after today (the as-of
    day) are dropped and rows without a timestamp kept: nothing from after
    the anchor is ever in an output.
    """
    rng = definition.filters.date_range
    if rng is None:
        if definition.role_column("timestamp") is None:
            return rows
        ts = _out(definition, "timestamp")
        return [r for r in rows if (d := day_of(r[ts])) is None or d <= today]
    if isinstance(rng, FixedRange):
        start, end = rng.start, rng.end
    else:
        assert isinstance(rng, RollingRange)
        start, end = month_sub(today, rng.months), today
    ts = _out(definition, "timestamp")
    return [r for r in rows if (d := day_of(r[ts])) is not None and start <= d <= end]


def product_revenue(definition: Definition, rows: list[dict[str, Any]]) -> dict[Any, Any]:
    """Revenue per non-NULL product, NULL revenue counted as 0."""
    product, revenue = _out(definition, "product_id"), _out(definition, "revenue")
    totals: dict[Any, Any] = {}
    for r in rows:
        if r[product] is None:
            continue
        totals[r[product]] = totals.get(r[product], 0) + (r[revenue] if r[revenue] is not None else 0)
    return totals


def top_products(definition: Definition, rows: list[dict[str, Any]]) -> set[Any] | None:
    """Step 3: products kept by the top-N% rule (None: no such filter)."""
    percent = definition.filters.top_products_percent
    if percent is None:
        return None
    revenue = product_revenue(definition, rows)
    total = sum(revenue.values())
    if total <= 0:
        return set(revenue)
    kept, before = set(), 0
    for product in sorted(revenue, key=lambda p: (-revenue[p], p)):
        if 100 * before < percent * total:
            kept.add(product)
        before += revenue[product]
    return kept


def user_counts(definition: Definition, rows: list[dict[str, Any]]) -> Counter[Any]:
    user = _out(definition, "user_id")
    return Counter(r[user] for r in rows if r[user] is not None)


def active_users(definition: Definition, rows: list[dict[str, Any]]) -> set[Any] | None:
    """Step 4: users with at least min_transactions date-filtered rows (None: no filter)."""
    minimum = definition.filters.min_transactions
    if minimum is None:
        return None
    return {u for u, n in user_counts(definition, rows).items() if n >= minimum}


def full_rows(definition: Definition, tables: Tables, today: dt.date) -> list[dict[str, Any]]:
    """Steps 1-4: the rows of the full query."""
    rows = date_filtered(definition, base_rows(definition, tables, today), today)
    products = top_products(definition, rows)
    users = active_users(definition, rows)
    if products is not None:
        product = _out(definition, "product_id")
        rows = [r for r in rows if r[product] is not None and r[product] in products]
    if users is not None:
        user = _out(definition, "user_id")
        rows = [r for r in rows if r[user] is not None and r[user] in users]
    return rows


def split_of(definition: Definition, row: dict[str, Any], today: dt.date) -> str | None:
    """Step 5: 'train', 'eval' or None (NULL key or timestamp) for one full row."""
    split = definition.split
    if isinstance(split, RandomSplit):
        key = definition.split_key()
        assert key is not None
        value = row[key.output_name]
        if value is None:
            return None
        return "train" if bucket(value) < split.train_percent else "eval"
    assert isinstance(split, TimeSplit)
    rng = definition.filters.date_range
    anchor = rng.end if isinstance(rng, FixedRange) else today
    cutoff = anchor - dt.timedelta(days=split.eval_days)
    day = day_of(row[_out(definition, "timestamp")])
    if day is None or day > anchor:
        return None
    return "train" if day < cutoff else "eval"


def expected_rows(definition: Definition, tables: Tables, today: dt.date, split: str = "full") -> list[tuple[Any, ...]]:
    """Step 6: the output tuples of one split, in column order."""
    rows = full_rows(definition, tables, today)
    if split != "full":
        rows = [r for r in rows if split_of(definition, r, today) == split]
    names = definition.output_names
    return [tuple(r[n] for n in names) for r in rows]


def expected_analysis(definition: Definition, tables: Tables, today: dt.date) -> dict[str, Any]:
    """What analysis_sql must return: the total row's fields and rows per day."""
    in_range = date_filtered(definition, base_rows(definition, tables, today), today)
    rows = full_rows(definition, tables, today)

    def distinct(role: str) -> int | None:
        column = definition.role_column(role)
        if column is None:
            return None
        return len({r[column.output_name] for r in rows if r[column.output_name] is not None})

    ts = definition.role_column("timestamp")
    days = [day_of(r[ts.output_name]) for r in rows] if ts else []
    known_days = [d for d in days if d is not None]
    result: dict[str, Any] = {
        "rows": len(rows),
        "users": distinct("user_id"),
        "products": distinct("product_id"),
        "date_min": min(known_days) if known_days else None,
        "date_max": max(known_days) if known_days else None,
        "train_rows": None,
        "eval_rows": None,
        "null_key_rows": None,
        "total_revenue": None,
        "days": dict(Counter(known_days)),
    }
    if definition.split is not None:
        sides = Counter(split_of(definition, r, today) for r in rows)
        result.update(train_rows=sides["train"], eval_rows=sides["eval"], null_key_rows=sides[None])
    revenue = definition.role_column("revenue")
    if revenue is not None:
        product = definition.role_column("product_id")
        counted = [r for r in in_range if product is None or r[product.output_name] is not None]
        result["total_revenue"] = float(
            sum((r[revenue.output_name] for r in counted if r[revenue.output_name] is not None), Decimal(0))
        )
    return result


# -- the fixture ------------------------------------------------------------

FIXED_DAY = dt.date(2026, 3, 31)  # a month's last day: DATE_SUB by months must clamp
FIXED_RANGE = (FIXED_DAY - dt.timedelta(days=200), FIXED_DAY - dt.timedelta(days=20))

# The parts the semantics matrices combine (on DuckDB and on the emulator alike).
ROLLING_PART = {"type": "rolling", "months": 6}
FIXED_PART = {"type": "fixed", "start": FIXED_RANGE[0].isoformat(), "end": FIXED_RANGE[1].isoformat()}
RANDOM_PART = {"type": "random", "train_percent": 70}
TIME_PART = {"type": "time", "eval_days": 30}


def matrix(joins: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """(date range, top products %, min transactions, split, joins) for every combination."""
    return list(
        itertools.product(
            [None, ROLLING_PART, FIXED_PART],  # date range
            [None, 70],  # top products percent
            [None, 3],  # minimum transactions
            [None, RANDOM_PART, TIME_PART],  # split
            joins,
        )
    )


DDL = {
    "transactions": "transaction_id VARCHAR, customer_id VARCHAR, product_id VARCHAR, ts TIMESTAMPTZ, "
    "amount DECIMAL(12, 2), quantity BIGINT, channel VARCHAR, store_id BIGINT, "
    "device STRUCT(category VARCHAR, os VARCHAR), gift BOOLEAN",
    "products": "product_id VARCHAR, category VARCHAR, brand_id VARCHAR, price DECIMAL(10, 2), weight DOUBLE",
    "brands": "brand_id VARCHAR, brand_name VARCHAR",
    "customers": "customer_id VARCHAR, signup_date DATE, signup_at TIMESTAMP, country VARCHAR",
    "ties": "customer_id VARCHAR, product_id VARCHAR, ts TIMESTAMPTZ, amount DECIMAL(12, 2)",
    "refunds": "customer_id VARCHAR, product_id VARCHAR, ts TIMESTAMPTZ, amount DECIMAL(12, 2)",
    # Not in fixture_tables: a joined table with duplicate keys, for the tests that add it.
    "product_tags": "product_id VARCHAR, tag VARCHAR",
}


def _at(day: dt.date, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def boundary_days(today: dt.date = FIXED_DAY) -> list[dt.date]:
    """Days on either side of every boundary the tests use (ranges and time cutoffs)."""
    days = [today, today + dt.timedelta(days=1)]
    for months in (1, 3, 6, 12):
        start = month_sub(today, months)
        days += [start - dt.timedelta(days=1), start]
    start, end = FIXED_RANGE
    days += [start - dt.timedelta(days=1), start, end, end + dt.timedelta(days=1)]
    for anchor in (today, end):
        for eval_days in (7, 30):
            cutoff = anchor - dt.timedelta(days=eval_days)
            days += [cutoff - dt.timedelta(days=1), cutoff]
    return days


def fixture_tables(today: dt.date = FIXED_DAY, seed: int = 7) -> Tables:
    """Small deterministic raw_data: skew, NULLs, boundary timestamps, missing join matches."""
    rnd = random.Random(seed)
    customers = [f"c{i:02d}" for i in range(40)]
    products = [f"p{i:02d}" for i in range(25)]
    tx: list[dict[str, Any]] = []

    def add(customer: str | None, product: str | None, ts: dt.datetime | None, amount: Decimal | None) -> None:
        n = len(tx)
        tx.append(
            {
                "transaction_id": f"t{n:04d}",
                "customer_id": customer,
                "product_id": product,
                "ts": ts,
                "amount": amount,
                "quantity": rnd.randint(1, 5),
                "channel": rnd.choice(["web", "app", "store"]),
                "store_id": None if rnd.random() < 0.05 else rnd.randint(1, 30),
                "device": None
                if rnd.random() < 0.1
                else {"category": rnd.choice(["mobile", "desktop", None]), "os": rnd.choice(["ios", "android"])},
                "gift": rnd.choice([True, False, None]),
            }
        )

    def amount() -> Decimal | None:
        roll = rnd.random()
        if roll < 0.08:
            return None
        if roll < 0.11:
            return -Decimal(rnd.randint(100, 3000)) / 100  # refunds
        return Decimal(rnd.randint(50, 20000)) / 100

    def pick(names: list[str], null_share: float) -> str | None:
        if rnd.random() < null_share:
            return None
        # Skewed popularity: low indexes much more often.
        return names[min(int(rnd.paretovariate(1.2)) - 1, len(names) - 1)]

    for _ in range(360):
        offset = rnd.randint(-420, 3)
        ts = (
            None
            if rnd.random() < 0.03
            else _at(today + dt.timedelta(days=offset), rnd.randint(0, 23), rnd.randint(0, 59))
        )
        add(pick(customers, 0.06), pick(products, 0.05), ts, amount())
    for day in boundary_days(today):
        for hour, minute, second in ((0, 0, 0), (23, 59, 59)):
            add(rnd.choice(customers[:12]), rnd.choice(products[:10]), _at(day, hour, minute, second), amount())
    # Users with exactly 1 to 5 recent rows: min_transactions boundaries.
    for count, user in enumerate(("c90", "c91", "c92", "c93", "c94"), start=1):
        for k in range(count):
            add(user, rnd.choice(products[:5]), _at(today - dt.timedelta(days=k + 1)), Decimal("10.00"))

    return {
        "transactions": tx,
        # p20-p24 have no row here: a left join gives NULLs, an inner join drops them.
        "products": [
            {
                "product_id": p,
                "category": rnd.choice(["books", "games", "garden", None]),
                "brand_id": f"b{i % 5}",
                "price": Decimal(rnd.randint(100, 9000)) / 100,
                "weight": rnd.choice([None, rnd.random() * 10]),
            }
            for i, p in enumerate(products[:20])
        ],
        # b4 is missing: the second join of a chain misses too.
        "brands": [{"brand_id": f"b{i}", "brand_name": f"Brand {i}"} for i in range(4)],
        # c35-c39 and c90-c94 have no customer row.
        "customers": [
            {
                "customer_id": c,
                "signup_date": today - dt.timedelta(days=rnd.randint(0, 700)),
                "signup_at": dt.datetime.combine(
                    today - dt.timedelta(days=rnd.randint(0, 700)), dt.time(rnd.randint(0, 23))
                )
                if rnd.random() > 0.05
                else None,
                "country": rnd.choice(["DE", "FR", "US"]),
            }
            for c in customers[:35]
        ],
        "ties": _ties(today),
        "refunds": [
            {"customer_id": "c01", "product_id": "p01", "ts": _at(today), "amount": Decimal("-5.00")},
            {"customer_id": "c02", "product_id": "p02", "ts": _at(today), "amount": None},
            {"customer_id": "c03", "product_id": "p03", "ts": _at(today), "amount": Decimal("0.00")},
            {"customer_id": "c04", "product_id": None, "ts": _at(today), "amount": Decimal("50.00")},
        ],
    }


def _ties(today: dt.date) -> list[dict[str, Any]]:
    """Product revenues A=40, B=20, C=20, D=10, E=10, F=0 (total 100): ties at every boundary.

    Before each product: A 0, B 40, C 60, D 80, E 90, F 100. So N=40 keeps only
    A (40 is not below 40), N=50 keeps B but not C although both earned 20
    (ties go by id), N=99 keeps E but not F. The row without a product earns
    50 that is not part of the total.
    """
    rows = [
        ("u1", "A", "25.00"), ("u2", "A", "15.00"), ("u1", "B", "20.00"), ("u3", "C", "20.00"),
        ("u2", "D", "10.00"), ("u3", "D", None), ("u4", "E", "10.00"), ("u4", "F", None),
        ("u5", None, "50.00"),
    ]  # fmt: skip
    return [
        {
            "customer_id": u,
            "product_id": p,
            "ts": _at(today - dt.timedelta(days=i)),
            "amount": None if a is None else Decimal(a),
        }
        for i, (u, p, a) in enumerate(rows)
    ]


def load(con: Any, tables: Tables, schema: str = "raw_data") -> None:
    """Create the fixture tables in DuckDB and insert the rows."""
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    for name, rows in tables.items():
        columns = [c.strip().split(" ", 1)[0] for c in _split_columns(DDL[name])]
        con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{name}" ({DDL[name]})')
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f'INSERT INTO "{schema}"."{name}" VALUES ({placeholders})',
            [[row[c] for c in columns] for row in rows],
        )


def _split_columns(ddl: str) -> list[str]:
    # Split on commas outside parentheses (DECIMAL(12, 2), STRUCT(...)).
    parts, depth, current = [], 0, ""
    for ch in ddl:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current)
    return parts


# -- definitions over the fixture, and pytest fixtures (import them into a test module) --


@pytest.fixture(scope="module")
def tables() -> Tables:
    return fixture_tables(FIXED_DAY)


@pytest.fixture(scope="module")
def con(tables: Tables) -> Iterator[Any]:
    connection = duckdb_exec.connect()
    load(connection, tables)
    yield connection
    connection.close()


def make(
    *,
    date_range: dict[str, Any] | None = None,
    top: int | None = None,
    min_tx: int | None = None,
    split: dict[str, Any] | None = None,
    joins: int = 0,
    primary: str = "transactions",
    extra_columns: list[dict[str, Any]] | None = None,
    extra_joins: list[dict[str, Any]] | None = None,
) -> Definition:
    """A definition over the fixture; joins 1 = products (left), 2 = products (inner) then brands (left)."""
    columns: list[dict[str, Any]] = [
        {"table": primary, "name": "customer_id", "role": "user_id", "type": "STRING"},
        {"table": primary, "name": "product_id", "role": "product_id", "type": "STRING"},
        {"table": primary, "name": "ts", "role": "timestamp", "type": "TIMESTAMP"},
        {"table": primary, "name": "amount", "role": "revenue", "type": "NUMERIC"},
    ]
    if primary == "transactions":
        columns += [
            {"table": primary, "name": "transaction_id", "type": "STRING"},
            {"table": primary, "name": "device.category", "alias": "device_category", "type": "STRING"},
        ]
    join_list: list[dict[str, Any]] = []
    if joins >= 1:
        join_list.append(
            {
                "table": "products",
                "type": "left" if joins == 1 else "inner",
                "on": [{"left": f"{primary}.product_id", "right": "products.product_id"}],
            }
        )
        columns.append({"table": "products", "name": "category", "alias": "product_category", "type": "STRING"})
    if joins >= 2:
        join_list.append(
            {"table": "brands", "type": "left", "on": [{"left": "products.brand_id", "right": "brands.brand_id"}]}
        )
        columns.append({"table": "brands", "name": "brand_name", "type": "STRING"})
    columns += extra_columns or []
    join_list += extra_joins or []
    filters: dict[str, Any] = {}
    if date_range is not None:
        filters["date_range"] = date_range
    if top is not None:
        filters["top_products_percent"] = top
    if min_tx is not None:
        filters["min_transactions"] = min_tx
    data: dict[str, Any] = {
        "format": "dataset-tui/1",
        "name": "fixture_set",
        "description": "semantics fixture",
        "source": {"dataset": "raw_data", "primary": primary, "joins": join_list},
        "columns": columns,
        "filters": filters,
    }
    if split is not None:
        data["split"] = split
    return parse_definition(data)
