"""The demo `raw_data`: a deterministic, realistic-looking shop (DESIGN §6).

Tables and columns (a contract: examples, tests and first definitions use them):

- ``transactions`` (``transaction_id`` STRING, ``customer_id`` STRING,
  ``product_id`` STRING, ``ts`` TIMESTAMP, ``amount`` NUMERIC, ``quantity``
  INT64, ``channel`` STRING): `rows` purchases over the 18 months before
  `today` (up to yesterday's end), ids increasing with time. Product
  popularity is skewed (a power law: a few products sell most), customer
  activity has a long tail (some buy hundreds of times, many once or never),
  weekends sell more than weekdays, volume grows over time, and a few
  customer ids (0.3%) and amounts (0.4%) are NULL.
- ``customers`` (``customer_id``, ``signup_date`` DATE, ``country``,
  ``segment``): one row per customer id, signup on or before the first
  purchase; 1% of countries NULL.
- ``products`` (``product_id``, ``category``, ``brand``, ``price`` NUMERIC).
- ``returns`` (``return_id``, ``transaction_id``, ``customer_id``,
  ``returned_at`` TIMESTAMP, ``reason``, ``refund_amount`` NUMERIC): about 3%
  of purchases come back; it joins to transactions by transaction_id and to
  customers by customer_id, so join detection has something to find.

Everything is generated inside DuckDB from ``range()`` with ``hash()``-based
pseudo-random numbers (no Python loop over rows): the same (rows, seed, today)
gives the same tables, and a million rows build in a few seconds. The file is
built under a temporary name beside the target and renamed over it at the
end, so a crash never leaves half a demo.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

DATASET = "raw_data"
TABLES = ("transactions", "customers", "products", "returns")

Progress = Callable[[float, str], None]

# A prime above any table size we build: multiplying a rank by it modulo the
# table size is a bijection, so "popular" ids are scattered, not 1, 2, 3...
_SCATTER = 1_000_003
_MAX_ROWS = 20_000_000

_COUNTRIES = ["US", "GB", "DE", "FR", "JP", "BR", "IN", "CA", "AU", "ES", "NL", "SE"]
_COUNTRY_WEIGHTS = [30, 12, 11, 9, 8, 7, 7, 5, 4, 3, 2, 2]
_CATEGORIES = [
    "electronics", "books", "home", "garden", "toys", "sports",
    "beauty", "grocery", "fashion", "music", "pet", "office",
]
_BRANDS = [
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Tyrell",
    "Wonka", "Stark", "Wayne", "Cyberdyne", "Aperture", "Gringotts", "Monarch", "Oscorp",
    "Pied Piper", "Prestige", "Sirius", "Virtucon", "Duff", "Krusty", "Nakatomi", "Zorg",
]
_REASONS = ["damaged", "wrong_item", "not_as_described", "changed_mind", "late_delivery"]
# Monday..Sunday: weekends sell more.
_WEEKDAY_WEIGHTS = [12, 12, 13, 14, 16, 18, 15]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (clamped to the month's end)."""
    import calendar

    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(u: str, values: list[str], weights: list[int] | None = None) -> str:
    """SQL choosing one of `values` from the uniform number `u`, by weight."""
    if weights is None:
        return f"{_sql_list(values)}[1 + floor({u} * {len(values)})::INTEGER]"
    total = sum(weights)
    cases, running = [], 0
    for value, weight in zip(values[:-1], weights[:-1], strict=True):
        running += weight
        cases.append(f"WHEN {u} < {running / total!r} THEN '{value}'")
    return f"CASE {' '.join(cases)} ELSE '{values[-1]}' END"


def _weekday_offset(u: str) -> str:
    total = sum(_WEEKDAY_WEIGHTS)
    cases, running = [], 0
    for day, weight in enumerate(_WEEKDAY_WEIGHTS[:-1]):
        running += weight
        cases.append(f"WHEN {u} < {running / total!r} THEN {day}")
    return f"CASE {' '.join(cases)} ELSE 6 END"


def build_demo(
    path: Path,
    *,
    rows: int = 1_000_000,
    seed: int = 42,
    progress: Progress | None = None,
    today: dt.date | None = None,
    ga4: bool = True,
) -> None:
    """Build the demo warehouse file at `path` (replacing it atomically when done); `ga4`: with the events_* family."""
    import duckdb

    from dataset_tui.domain import clock
    from dataset_tui.warehouse.demo_ga4 import generate_ga4
    from dataset_tui.warehouse.transpile import prepare_connection

    if not 1 <= rows <= _MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {_MAX_ROWS:,}, not {rows}")
    today = today or clock.today()
    report = progress or (lambda fraction, message: None)
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()  # rebuild the file the link names; the link stays a link
    if path.exists() and not path.is_file():
        raise ValueError(f"{path} is not a regular file; point --warehouse at a DuckDB file")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.building")
    _remove(temp)
    # Held from before the build until after the rename: no other process may
    # have the old file open (it would lose what it wrote) or open it meanwhile.
    with exclusive_hold(path):
        report(0.0, "creating the demo warehouse")
        con = duckdb.connect(str(temp))
        try:
            prepare_connection(con)
            _generate(con, rows=rows, seed=seed, today=today, report=report)
            if ga4:  # the GA4-like shard family (events_YYYYMMDD), 3,000 events a day at 1M rows
                events = max(10, min(3000, rows // 300))
                generate_ga4(con, dataset=DATASET, seed=seed, today=today, events_per_day=events)
            report(0.95, "writing the file")
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            _remove(temp)
            raise
        con.close()
        # A write-ahead log left by a crashed writer belongs to the old file; it
        # must not be replayed onto the new one. (A live writer's log cannot be
        # here: the hold above proves no other process has the file open.)
        _remove(path.with_name(path.name + ".wal"))
        try:
            os.replace(temp, path)
        except BaseException:
            _remove(temp)
            raise
    report(1.0, "demo ready")


class FileInUse(OSError):
    """Another process has the warehouse file open."""


@contextlib.contextmanager
def exclusive_hold(path: Path) -> Iterator[None]:
    """Hold a write lock on `path` (the lock DuckDB itself takes), refusing if another process has it.

    DuckDB locks its file with fcntl: a read-write connection takes a write
    lock, a read-only one a read lock. Taking a write lock without waiting
    therefore fails exactly when another process has the file open. POSIX
    locks belong to the process, so the caller must have closed its own
    connections to the file first (closing our descriptor drops them all).
    """
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): DuckDB's own lock refuses a second writer there
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        yield  # nothing to protect yet
        return
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                raise FileInUse(
                    errno.EBUSY,
                    "it is open in another process; close it there (other dataset-tui sessions, "
                    "DuckDB shells) and try again. Nothing was changed",
                ) from None
            raise
        yield
    finally:
        os.close(fd)


def clean_leftovers(path: Path) -> list[Path]:
    """Remove temp files a killed build or import left beside `path` (only if their process is gone)."""
    removed: list[Path] = []
    for suffix in ("building", "importing"):
        for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.{suffix}"):
            pid_text = leftover.name[len(path.name) + 2 : -len(suffix) - 1]
            if not pid_text.isdigit() or _alive(int(pid_text)):
                continue
            _remove(leftover)
            removed.append(leftover)
    return removed


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours, from an earlier failed attempt in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return True
    return True


def _remove(file: Path) -> None:
    for victim in (file, file.with_name(file.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            victim.unlink()


def _generate(con: Any, *, rows: int, seed: int, today: dt.date, report: Progress) -> None:
    from dataset_tui.domain import clock

    start = months_before(today, 18)
    days = (today - start).days
    monday = start - dt.timedelta(days=start.weekday())
    lead = (start - monday).days  # days from that Monday to the first demo day
    weeks = (lead + days + 6) // 7
    customers = max(100, min(rows // 8, _SCATTER - 1))
    products = max(50, min(rows // 500, _SCATTER - 1))
    seed = int(seed)
    # Zero-padded ids wide enough for the table (lpad would cut longer ones).
    cw, pw, tw = len(str(customers)), len(str(products)), len(str(rows))

    # u(i, salt): a uniform number in [0, 1) fixed by (row, salt, seed).
    con.execute(f"CREATE TEMP MACRO u(i, salt) AS hash(i, salt, {seed}::BIGINT)::DOUBLE / 18446744073709551616.0")
    con.execute(f"CREATE SCHEMA {DATASET}")

    report(0.05, "products")
    con.execute(
        f"""
        CREATE TABLE {DATASET}.products AS
        SELECT
            'P' || lpad((k + 1)::VARCHAR, {pw}, '0') AS product_id,
            {_pick("u(k, 'category')", _CATEGORIES)} AS category,
            {_pick("u(k, 'brand')", _BRANDS)} AS brand,
            round(3 * exp(u(k, 'price') * ln(150)), 2)::DECIMAL(10, 2) AS price
        FROM range({products}) AS r(k)
        ORDER BY k
        """
    )

    report(0.15, "transactions")
    # Ranks drawn from power laws, then scattered over the ids: rank 0 is the
    # most popular product / most active customer.
    con.execute(
        f"""
        CREATE TEMP TABLE draws AS
        SELECT
            i,
            (floor({customers} * pow(u(i, 'customer'), 2.2))::BIGINT * {_SCATTER}) % {customers} AS customer_no,
            (floor({products} * pow(u(i, 'product'), 2.5))::BIGINT * {_SCATTER}) % {products} AS product_no,
            floor({weeks} * pow(u(i, 'week'), 0.8))::BIGINT * 7 + {_weekday_offset("u(i, 'weekday')")} AS day_no,
            CASE WHEN u(i, 'hour') < 0.8
                 THEN 8 * 3600 + floor(u(i, 'second') * 14 * 3600)
                 ELSE floor(u(i, 'second') * 86400) END::BIGINT AS second_no,
            CASE WHEN u(i, 'quantity') < 0.70 THEN 1 WHEN u(i, 'quantity') < 0.88 THEN 2
                 WHEN u(i, 'quantity') < 0.96 THEN 3 WHEN u(i, 'quantity') < 0.99 THEN 4
                 ELSE 5 + floor(u(i, 'bulk') * 6)::BIGINT END AS quantity,
            0.85 + 0.3 * u(i, 'discount') AS price_factor,
            u(i, 'no customer') < 0.003 AS customer_missing,
            u(i, 'no amount') < 0.004 AS amount_missing,
            {_pick("u(i, 'channel')", ["web", "app", "store"], [45, 40, 15])} AS channel
        FROM range({rows}) AS r(i)
        """
    )
    # Days outside [start, today) move by a week: same weekday, still in range.
    con.execute(
        f"""
        CREATE TEMP TABLE placed AS
        SELECT d.*,
            (DATE '{monday.isoformat()}'
             + (CASE WHEN day_no < {lead} THEN day_no + 7
                     WHEN day_no >= {lead + days} THEN day_no - 7 * ceil((day_no - {lead + days} + 1) / 7)::BIGINT
                     ELSE day_no END)::INTEGER)::TIMESTAMP
             + to_seconds(second_no) AS local_ts
        FROM draws AS d
        """
    )
    report(0.45, "transactions")
    con.execute(
        f"""
        CREATE TABLE {DATASET}.transactions AS
        SELECT
            'T' || lpad(row_number() OVER (ORDER BY local_ts, i)::VARCHAR, {tw}, '0') AS transaction_id,
            CASE WHEN customer_missing THEN NULL
                 ELSE 'C' || lpad((customer_no + 1)::VARCHAR, {cw}, '0') END AS customer_id,
            p.product_id,
            -- The session is UTC, so the naive time is read as UTC.
            local_ts::TIMESTAMPTZ AS ts,
            CASE WHEN amount_missing THEN NULL
                 ELSE round(p.price * quantity * price_factor, 2)::DECIMAL(12, 2) END AS amount,
            quantity::BIGINT AS quantity,
            channel
        FROM placed
        JOIN {DATASET}.products AS p ON p.product_id = 'P' || lpad((product_no + 1)::VARCHAR, {pw}, '0')
        ORDER BY local_ts, i
        """
    )
    con.execute("DROP TABLE draws")
    con.execute("DROP TABLE placed")

    report(0.65, "customers")
    con.execute(
        f"""
        CREATE TABLE {DATASET}.customers AS
        WITH first_purchase AS (
            SELECT customer_id, min(ts)::DATE AS first_day
            FROM {DATASET}.transactions WHERE customer_id IS NOT NULL GROUP BY customer_id
        ), people AS (
            SELECT k, 'C' || lpad((k + 1)::VARCHAR, {cw}, '0') AS customer_id FROM range({customers}) AS r(k)
        )
        SELECT
            people.customer_id,
            least(
                coalesce(f.first_day, DATE '{today.isoformat()}' - 1),
                DATE '{start.isoformat()}' - 400 + floor(u(k, 'signup') * {days + 400})::INTEGER
            ) AS signup_date,
            CASE WHEN u(k, 'no country') < 0.01 THEN NULL
                 ELSE {_pick("u(k, 'country')", _COUNTRIES, _COUNTRY_WEIGHTS)} END AS country,
            {_pick("u(k, 'segment')", ["consumer", "small_business", "enterprise"], [70, 22, 8])} AS segment
        FROM people LEFT JOIN first_purchase AS f USING (customer_id)
        ORDER BY people.customer_id
        """
    )

    report(0.8, "returns")
    last_moment = dt.datetime.combine(today, dt.time()) - dt.timedelta(seconds=1)
    con.execute(
        f"""
        CREATE TABLE {DATASET}.returns AS
        WITH returned AS (
            SELECT t.*, hash(t.transaction_id, {seed}::BIGINT) AS h
            FROM {DATASET}.transactions AS t
            WHERE hash(t.transaction_id, 'returned', {seed}::BIGINT)::DOUBLE / 18446744073709551616.0 < 0.03
        )
        SELECT
            'R' || lpad(row_number() OVER (ORDER BY transaction_id)::VARCHAR, {tw}, '0') AS return_id,
            transaction_id,
            customer_id,
            least(ts + to_days(1 + (h % 30)::INTEGER) + to_seconds((h % 86400)::BIGINT),
                  TIMESTAMPTZ '{last_moment.isoformat()}+00:00') AS returned_at,
            {_pick("((h // 7) % 1000) / 1000.0", _REASONS, [30, 20, 20, 20, 10])} AS reason,
            CASE WHEN amount IS NULL THEN NULL
                 WHEN h % 4 = 0 THEN round(amount / 2, 2)::DECIMAL(12, 2)
                 ELSE amount END AS refund_amount
        FROM returned
        ORDER BY transaction_id
        """
    )
    record_changes(con, DATASET, list(TABLES), clock.now())


def record_changes(con: Any, dataset: str, tables: list[str], when: dt.datetime) -> None:
    """Note in the file when these tables last changed (DuckDB keeps no such time)."""
    from dataset_tui.warehouse.duckdb_catalog import META_SCHEMA, META_TABLE
    from dataset_tui.warehouse.duckdb_types import dq

    con.execute(f"CREATE SCHEMA IF NOT EXISTS {dq(META_SCHEMA)}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {dq(META_SCHEMA)}.{dq(META_TABLE)} "
        "(dataset VARCHAR, table_name VARCHAR, modified TIMESTAMPTZ, PRIMARY KEY (dataset, table_name))"
    )
    for table in tables:
        con.execute(
            f"INSERT OR REPLACE INTO {dq(META_SCHEMA)}.{dq(META_TABLE)} VALUES (?, ?, ?)", [dataset, table, when]
        )
