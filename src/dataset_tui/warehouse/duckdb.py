"""The embedded warehouse: a DuckDB file with one schema per dataset (`raw_data`).

Why it is built this way:

- DuckDB lets one process hold a file read-write, or any number of processes
  read it. So the file is opened READ-ONLY, and a second terminal can browse
  it at the same time; write access is taken only to build the demo or import
  a file (:meth:`DuckDBWarehouse.writable`), with the read-only connection
  closed meanwhile (one process may not hold both).
- Everything the product generates is BigQuery SQL; it runs here transpiled
  by sqlglot (``transpile.to_duckdb``) with a ``farm_fingerprint`` function
  from pyfarmhash and the session time zone UTC, so results, splits included,
  are what BigQuery returns.
- Textual workers call from several threads: each thread gets its own cursor
  (a DuckDB connection is not meant to be shared between threads), and
  :meth:`cancel` interrupts whatever is running.
- Types are reported under their BigQuery names (duckdb_types.py); DuckDB's
  exceptions become the warehouse errors (duckdb_errors.py); the catalog
  (tables, schemas, column sizes) is in duckdb_catalog.py, mixed into the
  warehouse class with the error mapping.

duckdb itself is imported inside the methods: importing it costs a third of a
second that start-up must not pay.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dataset_tui.domain.shards import is_wildcard
from dataset_tui.warehouse.base import (
    BadQueryError,
    ColumnStats,
    DryRun,
    NotFoundError,
    QueryResult,
    TableStats,
    UnavailableError,
)
from dataset_tui.warehouse.duckdb_catalog import DuckDBCatalog
from dataset_tui.warehouse.duckdb_errors import DuckDBErrors, _sqlglot_message
from dataset_tui.warehouse.duckdb_types import bigquery_type, dq

TIB = 1024**4
_REGISTER_LOCK = threading.Lock()

# DuckDB's defaults take 80% of RAM and every core. This runs on shared hosts
# (many users over SSH, or 2 cores shared by several processes): statistics
# on 30M rows peaked at 5.2 GB. A hash table larger than the limit spills to
# TEMP_DIRECTORY instead of growing, so the limit bounds memory, not ability.
MEMORY_LIMIT = "1GB"
MAX_THREADS = 2


def limit_resources(con: Any) -> None:
    """Bound one DuckDB database instance's memory and threads (settings are global to it)."""
    import os
    import tempfile

    spill = Path(tempfile.gettempdir()) / f"dataset-tui-duckdb-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET threads = {max(1, min(MAX_THREADS, os.cpu_count() or 1))}")
    con.execute(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")


class DuckDBWarehouse(DuckDBCatalog, DuckDBErrors):
    """The Warehouse protocol over a DuckDB file (read-only except in :meth:`writable`)."""

    backend = "duckdb"
    billed = False
    names_fold_case = True  # DuckDB's identifiers ignore case
    on_status: Callable[[str], None] | None = None  # a local file: nothing to say while waiting
    project: str | None = None

    def __init__(self, path: Path, *, price_per_tib: float = 6.25) -> None:
        self.path = Path(path)
        self.price_per_tib = price_per_tib
        self.label = f"DuckDB {self.path.name}"
        self._lock = threading.RLock()
        # The dry run switches a database-wide optimizer setting off and on
        # around its EXPLAIN; two dry runs must not interleave those steps.
        self._plan_lock = threading.Lock()
        self._root: Any = None  # the read-only connection; cursors hang off it
        self._generation = 0  # bumped when the root closes: thread cursors go stale
        self._fingerprint_generation = -1  # the root generation farm_fingerprint is registered on
        self._local = threading.local()
        self._running: set[Any] = set()
        # (dataset, table, rows): every column; (dataset, table, rows, "some"): those a query read.
        self._column_bytes: dict[tuple[str, str, int] | tuple[str, str, int, str], dict[str, int]] = {}
        self._table_types: dict[tuple[str, str], dict[str, str | None]] = {}  # see _stored_types

    # -- connections ------------------------------------------------------

    def _open_root(self) -> Any:
        import duckdb

        if not self.path.exists():
            raise UnavailableError(
                f"there is no warehouse file at {self.path}; build the demo there with "
                "`dataset-tui warehouse demo`, or load a file with `dataset-tui warehouse import FILE --table NAME`"
            )
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise self._open_error(exc, writing=False) from None
        limit_resources(con)
        con.execute("SET TimeZone = 'UTC'")
        return con

    def _need_fingerprint(self, duck_sql: str) -> None:
        """Register farm_fingerprint before the first query that calls it.

        Not on open: DuckDB imports numpy to register a Python function (about
        0.1 s of CPU), which a command that hashes nothing (tables, stats) should
        not pay. The function belongs to the database instance, which DuckDB
        shares between connections to one file in a process: register it once
        per instance (a closed root is a new instance).
        """
        if self._fingerprint_generation == self._generation or "farm_fingerprint" not in duck_sql.lower():
            return
        from dataset_tui.warehouse.transpile import register_farm_fingerprint

        root, generation = self._root_connection()
        with _REGISTER_LOCK:
            if self._fingerprint_generation == generation:
                return
            # fetchall: a result left unfinished on the root would refuse the registration.
            (known,) = root.execute(
                "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'farm_fingerprint'"
            ).fetchall()[0]
            if not known:
                register_farm_fingerprint(root)
            self._fingerprint_generation = generation

    def _root_connection(self) -> tuple[Any, int]:
        with self._lock:
            if self._root is None:
                self._root = self._open_root()
            return self._root, self._generation

    def _cursor(self) -> Any:
        """This thread's cursor on the read-only connection (made on first use)."""
        root, generation = self._root_connection()
        local = self._local
        if getattr(local, "generation", None) != generation or getattr(local, "cursor", None) is None:
            cursor = root.cursor()
            # Settings are per connection (the UDF is per database, set on the root).
            cursor.execute("SET TimeZone = 'UTC'")
            local.cursor, local.generation = cursor, generation
        return local.cursor

    def _close_root(self) -> None:
        with self._lock:
            if self._root is not None:
                # Closing the root closes every cursor made from it.
                self._root.close()
                self._root = None
            self._generation += 1
            self._running.clear()

    @contextlib.contextmanager
    def writable(self) -> Iterator[Any]:
        """A read-write connection for the demo build or an import (creates the file if needed).

        The read-only connection is closed meanwhile and reopens on next use.
        A DuckDB error here means nothing was committed.
        """
        import duckdb

        from dataset_tui.warehouse.transpile import prepare_connection

        with self._lock:
            self._close_root()
            self._column_bytes.clear()
            self._table_types.clear()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                raise self._open_error(exc, writing=True) from None
            try:
                limit_resources(con)
                prepare_connection(con)
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()

    def close(self) -> None:
        """Close the file (the next call opens it again)."""
        self._close_root()
        self._column_bytes.clear()
        self._table_types.clear()

    def cancel(self) -> None:
        """Interrupt every running query; their callers get CancelledError."""
        with self._lock:
            running = list(self._running)
        for cursor in running:
            with contextlib.suppress(Exception):
                cursor.interrupt()

    # -- running SQL ----------------------------------------------------------

    def _run(self, duck_sql: str, params: Sequence[Any] | None = None) -> Any:
        """Execute DuckDB SQL on this thread's cursor; returns the cursor to fetch from.

        Fetching must happen inside :meth:`_fetch` so a cancel during it counts.
        """
        import duckdb

        self._need_fingerprint(duck_sql)
        cursor = self._cursor()
        with self._lock:
            self._running.add(cursor)
        try:
            cursor.execute(duck_sql, params)
            return cursor
        except duckdb.Error as exc:
            with self._lock:
                self._running.discard(cursor)
            raise self._query_error(exc) from None

    def _fetch(
        self, duck_sql: str, params: Sequence[Any] | None = None, *, many: int | None = None
    ) -> tuple[list[str], list[Any], list[tuple[Any, ...]]]:
        """Run and fetch: (column names, DuckDB types, rows)."""
        import duckdb

        cursor = self._run(duck_sql, params)
        try:
            names = [d[0] for d in cursor.description or ()]
            types = [d[1] for d in cursor.description or ()]
            rows = cursor.fetchmany(many) if many is not None else cursor.fetchall()
            return names, types, rows
        except duckdb.Error as exc:
            raise self._query_error(exc) from None
        finally:
            with self._lock:
                self._running.discard(cursor)

    def _transpile(self, sql: str) -> str:
        from sqlglot.errors import SqlglotError

        from dataset_tui.warehouse.transpile import to_duckdb

        try:
            duck_sql = to_duckdb(sql)
        except (SqlglotError, ValueError) as exc:
            raise BadQueryError(f"not valid BigQuery SQL: {_sqlglot_message(exc)}") from None
        from dataset_tui.warehouse.day_ranges import ranged_day_filters
        from dataset_tui.warehouse.unread_joins import unread_left_joins
        from dataset_tui.warehouse.wildcard import expand_wildcards, has_wildcard

        # A date window on a stored timestamp compares timestamps (no per-row DATE cast).
        duck_sql = ranged_day_filters(duck_sql, self._stored_type)
        # A LEFT JOIN that only multiplies rows (the analysis's) joins just its duplicate keys.
        duck_sql = unread_left_joins(duck_sql, self._stored_duckdb_type)
        # A wildcard table (`ds.events_*`) becomes the union of its shards.
        return expand_wildcards(duck_sql, self.tables_with_prefix) if has_wildcard(duck_sql) else duck_sql

    def _stored_types(self, dataset: str, table: str) -> dict[str, str | None]:
        """{lower column name: DuckDB type} of a stored table, read once while the file stays open.

        The rewrites ask for a few columns of a few tables per query; each
        catalog query walks every column of every table (about 60 ms here).
        """
        key = (dataset.lower(), table.lower())
        with self._lock:
            found = self._table_types.get(key)
        if found is None:
            from dataset_tui.warehouse.day_ranges import stored_types

            found = stored_types(lambda sql, params: self._fetch(sql, params)[2], dataset, table)
            with self._lock:
                self._table_types[key] = found
        return found

    def _stored_type(self, dataset: str, table: str, column: str) -> str | None:
        from dataset_tui.warehouse.duckdb_types import _bq_type_of

        kind = self._stored_types(dataset, table).get(column.lower())
        return None if kind is None else _bq_type_of(kind)

    def _stored_duckdb_type(self, dataset: str, table: str, column: str) -> str | None:
        return self._stored_types(dataset, table).get(column.lower())

    # -- statistics and samples -----------------------------------------------

    def _stats_columns(self, dataset: str, table: str, columns: list[str] | None) -> list[tuple[str, str]]:
        """[(column, BigQuery type)] to compute statistics of; every name checked against the schema."""
        from dataset_tui.domain.definition import IDENT_RE, TABLE_RE

        schema = self.schema(dataset, table)
        if not IDENT_RE.match(dataset) or not TABLE_RE.match(table.removesuffix("*")):
            raise BadQueryError(f"{dataset}.{table} is not a name BigQuery SQL can use; rename the table")
        types = schema.types()
        if columns is None:
            # Columns whose names SQL cannot spell unquoted (from files made elsewhere) are left out.
            return [(c.name, c.type) for c in schema.columns if _is_path(c.name)]
        chosen = []
        for name in columns:
            if name not in types:
                raise NotFoundError(f"column {name} does not exist in {dataset}.{table} (columns: {', '.join(types)})")
            if not _is_path(name):
                raise BadQueryError(f"column name {name!r} cannot be used in SQL here; rename the column")
            chosen.append((name, types[name]))
        return chosen

    def column_stats_sql(self, dataset: str, table: str, columns: list[str] | None = None) -> str:
        from dataset_tui.warehouse.column_stats import column_stats_sql

        return column_stats_sql(f"`{dataset}`.`{table}`", self._stats_columns(dataset, table, columns))

    def column_stats(self, dataset: str, table: str, columns: list[str] | None = None) -> TableStats:
        """Statistics of many columns (all when None): two scans per batch of columns (duckdb_stats.py)."""
        from dataset_tui.warehouse import duckdb_stats
        from dataset_tui.warehouse.column_stats import parse_column_stats

        chosen = self._stats_columns(dataset, table, columns)

        def fetch(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
            names, _, rows = self._fetch(sql)
            return names, rows

        ref = f"{dq(dataset)}.{dq(table)}"
        if is_wildcard(table):  # `events_*`: the union of its shards, as queries read it
            from dataset_tui.warehouse.wildcard import expand_wildcards

            ref = f"({expand_wildcards(f'SELECT * FROM {ref}', self.tables_with_prefix)})"
        _, _, counted = self._fetch(f"SELECT count(*) FROM {ref}")  # from metadata: no scan
        approx = int(counted[0][0]) > duckdb_stats.EXACT_DISTINCT_MAX_ROWS
        row_count = 0
        stats: list[ColumnStats] = []
        for batch in duckdb_stats.batches(chosen):
            row = duckdb_stats.compute_row(fetch, ref, batch, approx_distinct=approx, row_count=int(counted[0][0]))
            part = parse_column_stats(table, batch, row, approx_distinct=approx)
            row_count = part.row_count
            stats.extend(part.columns)
        modified = self._modified(dataset).get(table)
        return TableStats(table=table, row_count=row_count, columns=tuple(stats), table_modified=modified)

    def sample_values_sql(self, dataset: str, table: str, column: str, limit: int = 20) -> str | None:
        """The (BigQuery SQL) query sample_values runs; nothing is billed here."""
        from dataset_tui.warehouse.column_stats import quote_path

        self._stats_columns(dataset, table, [column])
        limit = max(1, int(limit))
        return (
            f"SELECT value FROM (SELECT {quote_path(column)} AS value, COUNT(*) AS n FROM `{dataset}`.`{table}` "
            f"GROUP BY value) WHERE value IS NOT NULL ORDER BY n DESC, value LIMIT {limit}"
        )

    def sample_values(self, dataset: str, table: str, column: str, limit: int = 20) -> list[Any]:
        """Distinct non-NULL values, the most frequent first (ties by value)."""
        sql = self.sample_values_sql(dataset, table, column, limit)
        assert sql is not None
        _, _, rows = self._fetch(self._transpile(sql))
        return [r[0] for r in rows]

    # -- queries ----------------------------------------------------------------

    def dry_run(self, sql: str) -> DryRun:
        """Validate the SQL (DuckDB plans it) and estimate the bytes BigQuery would bill.

        The estimate is the logical size of every table column the plan reads
        (projected or filtered on), whole tables, as BigQuery bills columns.
        """
        duck_sql = self._transpile(sql)
        # Statistics let DuckDB drop a scan whose date filter no block can meet
        # (an empty result, nothing read); BigQuery bills those columns anyway.
        # The setting is global to the database (DuckDB refuses it per session):
        # a query planned elsewhere meanwhile only loses that shortcut, never
        # rows; dry runs take turns so none plans with the shortcut back on.
        with self._plan_lock:
            self._fetch("SET disabled_optimizers = 'statistics_propagation'")
            try:
                _, _, rows = self._fetch("EXPLAIN (FORMAT JSON) " + duck_sql)
            finally:
                self._fetch("RESET disabled_optimizers")
        scanned: dict[tuple[str, str], set[str]] = {}
        for _kind, plan in rows:
            for node in _walk(json.loads(plan)):
                info = node.get("extra_info") or {}
                if node.get("name") not in ("SEQ_SCAN", "TABLE_SCAN") or "Table" not in info:
                    continue
                parts = str(info["Table"]).split(".")
                if len(parts) < 2:
                    continue
                key = (parts[-2], parts[-1])
                used = scanned.setdefault(key, set())
                projections = info.get("Projections") or []
                used.update([projections] if isinstance(projections, str) else projections)
                filters = info.get("Filters") or []
                used.update(_words(" ".join(filters) if isinstance(filters, list) else str(filters)))
        total = 0
        for (dataset, table), used in scanned.items():
            sizes = self.column_bytes(dataset, table, only=used)
            total += sum(size for name, size in sizes.items() if name and name in used)
        return DryRun(bytes_processed=total, cost_usd=total / TIB * self.price_per_tib, estimated=True)

    def query(self, sql: str, *, limit: int | None = None, max_bytes_billed: int | None = None) -> QueryResult:
        """Run BigQuery SQL; with a limit, fetch one row more to tell whether it was cut.

        max_bytes_billed is a BigQuery setting; nothing is billed here.
        """
        duck_sql = self._transpile(sql)
        if limit is not None:
            limit = max(0, int(limit))
        # DuckDB streams the result: fetching limit + 1 rows stops the work
        # there (a wrapping SELECT ... LIMIT would rename duplicate columns).
        names, types, rows = self._fetch(duck_sql, many=None if limit is None else limit + 1)
        truncated = limit is not None and len(rows) > limit
        if truncated:
            rows = rows[:limit]
        return QueryResult(
            columns=tuple(names),
            types=tuple(bigquery_type(t) for t in types),
            rows=tuple(tuple(r) for r in rows),
            truncated=truncated,
        )


def _walk(nodes: Any) -> Iterator[dict[str, Any]]:
    for node in nodes if isinstance(nodes, list) else [nodes]:
        yield node
        yield from _walk(node.get("children") or [])


def _is_path(name: str) -> bool:
    """Whether every dotted part is a legal BigQuery column name (a definition can name it)."""
    from dataset_tui.domain.table_refs import column_part_problem

    return all(column_part_problem(part) is None for part in name.split("."))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
