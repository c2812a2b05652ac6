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
- Types are reported under their BigQuery names (see :func:`bigquery_type`):
  VARCHAR→STRING, integers→INT64, DOUBLE→FLOAT64, DECIMAL→NUMERIC (BIGNUMERIC
  past NUMERIC's 29.9 digits), TIMESTAMP WITH TIME ZONE→TIMESTAMP, a naive
  TIMESTAMP→DATETIME (it has no zone, like BigQuery's DATETIME), BLOB→BYTES,
  LIST→ARRAY<…> with mode REPEATED, STRUCT→STRUCT<…> plus one row per field
  as a dotted path, MAP→ARRAY<STRUCT<key, value>> (BigQuery has no MAP).

duckdb itself is imported inside the methods: importing it costs a third of a
second that start-up must not pay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from dataset_tui.domain.shards import is_wildcard
from dataset_tui.domain.types import base_type
from dataset_tui.warehouse.base import (
    BadQueryError,
    CancelledError,
    ColumnSchema,
    ColumnStats,
    DryRun,
    NotFoundError,
    QueryResult,
    TableInfo,
    TableSchema,
    TableStats,
    UnavailableError,
    WarehouseError,
)

# Where the demo build and imports note when they last changed a table
# (DuckDB keeps no modification time; the statistics cache needs one).
META_SCHEMA = "_dataset_tui"
META_TABLE = "table_changes"

TIB = 1024**4
_REGISTER_LOCK = threading.Lock()

_INT64_IDS = {"bigint", "integer", "smallint", "tinyint", "uinteger", "usmallint", "utinyint"}
_SIMPLE_TYPES = {
    "varchar": "STRING",
    "uuid": "STRING",
    "enum": "STRING",
    "double": "FLOAT64",
    "float": "FLOAT64",
    "boolean": "BOOL",
    "date": "DATE",
    "timestamp with time zone": "TIMESTAMP",
    "timestamp": "DATETIME",
    "timestamp_s": "DATETIME",
    "timestamp_ms": "DATETIME",
    "timestamp_ns": "DATETIME",
    "time": "TIME",
    "time with time zone": "TIME",
    "blob": "BYTES",
    "bit": "BYTES",
    "interval": "INTERVAL",
    "ubigint": "NUMERIC",  # up to 2^64-1: more than INT64 holds
    "hugeint": "BIGNUMERIC",
    "uhugeint": "BIGNUMERIC",
    "varint": "BIGNUMERIC",
    "bignum": "BIGNUMERIC",
}

# BigQuery's logical size of one non-NULL value (what a query is billed for);
# STRING and BYTES are 2 bytes plus their length, NULL is 0.
FIXED_SIZES = {
    "INT64": 8,
    "FLOAT64": 8,
    "NUMERIC": 16,
    "BIGNUMERIC": 32,
    "BOOL": 1,
    "DATE": 8,
    "DATETIME": 8,
    "TIMESTAMP": 8,
    "TIME": 8,
    "INTERVAL": 16,
}


def bigquery_type(duck_type: Any) -> str:
    """The BigQuery name of a DuckDB type (a DuckDBPyType); the mapping is in the module doc."""
    kind = duck_type.id
    if kind in _INT64_IDS:
        return "INT64"
    if str(duck_type) == "JSON":
        return "JSON"
    if kind in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[kind]
    if kind == "decimal":
        params = dict(duck_type.children)
        precision, scale = params["precision"], params["scale"]
        return "NUMERIC" if scale <= 9 and precision - scale <= 29 else "BIGNUMERIC"
    if kind in ("list", "array"):
        return f"ARRAY<{bigquery_type(duck_type.children[0][1])}>"
    if kind == "struct":
        fields = ", ".join(f"{name} {bigquery_type(t)}" for name, t in duck_type.children)
        return f"STRUCT<{fields}>"
    if kind == "map":
        children = dict(duck_type.children)
        return f"ARRAY<STRUCT<key {bigquery_type(children['key'])}, value {bigquery_type(children['value'])}>>"
    return str(duck_type).upper()


def _schema_rows(name: str, duck_type: Any, nullable: bool, description: str | None) -> list[ColumnSchema]:
    """A column and, for a STRUCT, each of its fields as a dotted path."""
    bq = bigquery_type(duck_type)
    mode = "REPEATED" if duck_type.id in ("list", "array", "map") else ("NULLABLE" if nullable else "REQUIRED")
    rows = [ColumnSchema(name=name, type=bq, mode=mode, description=description)]
    if duck_type.id == "struct":
        for field_name, field_type in duck_type.children:
            rows += _schema_rows(f"{name}.{field_name}", field_type, True, None)
    return rows


def _size_exprs(columns: list[tuple[str, str]]) -> list[str]:
    """Per column, the DuckDB aggregate giving its BigQuery logical bytes (NULL on no rows)."""
    exprs = []
    for name, kind in columns:
        base = base_type(kind)
        if base in FIXED_SIZES:
            exprs.append(f"{FIXED_SIZES[base]} * count({dq(name)})")
        elif base in ("STRING", "BYTES"):
            length = "strlen" if base == "STRING" else "octet_length"  # bytes, not characters
            exprs.append(f"sum(2 + {length}({dq(name)}))")
        else:
            # Nested values: the length of their text form is close enough for an estimate.
            exprs.append(f"sum(strlen({dq(name)}::VARCHAR))")
    return exprs


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@functools.lru_cache(maxsize=4096)
def _bq_type_of(text: str) -> str:
    """The BigQuery type of a DuckDB type spelled in SQL (wide catalogs repeat a few types)."""
    return bigquery_type(_sqltype(text))


def _sqltype(text: str) -> Any:
    """A DuckDBPyType from its SQL spelling (`duckdb.sqltype`, once `duckdb.type`)."""
    import duckdb

    parse = getattr(duckdb, "sqltype", None) or duckdb.type
    return parse(text)


def dq(name: str) -> str:
    """A DuckDB identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'


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


class DuckDBWarehouse:
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
        self._root: Any = None  # the read-only connection; cursors hang off it
        self._generation = 0  # bumped when the root closes: thread cursors go stale
        self._local = threading.local()
        self._running: set[Any] = set()
        # (dataset, table, rows): every column; (dataset, table, rows, "some"): those a query read.
        self._column_bytes: dict[tuple[str, str, int] | tuple[str, str, int, str], dict[str, int]] = {}

    # -- connections ------------------------------------------------------

    def _open_root(self) -> Any:
        import duckdb

        from dataset_tui.warehouse.transpile import prepare_connection

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
        # farm_fingerprint belongs to the database instance, which DuckDB shares
        # between connections to one file in a process: register it once.
        with _REGISTER_LOCK:
            row = con.execute(
                "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'farm_fingerprint'"
            ).fetchone()
            known = row[0] if row is not None else 0
            if known:
                con.execute("SET TimeZone = 'UTC'")
            else:
                prepare_connection(con)
        return con

    def _open_error(self, exc: Exception, *, writing: bool) -> UnavailableError:
        message = str(exc)
        if "Could not set lock" in message or "Conflicting lock" in message:
            pid = re.search(r"PID (\d+)", message)
            who = f"another process (PID {pid.group(1)})" if pid else "another process"
            if writing:
                return UnavailableError(
                    f"{self.path} is open in {who}; close the other dataset-tui sessions using it "
                    "(or wait for them to finish) and try again. Nothing was changed."
                )
            return UnavailableError(
                f"{self.path} is being written by {who}; wait for it to finish and try again. Nothing was changed."
            )
        if "not a valid DuckDB database" in message or "read enough bytes" in message or "Corrupt" in message:
            return UnavailableError(
                f"{self.path} is not a readable DuckDB database (damaged, or another kind of file). "
                "Nothing was changed: move it away, or point --warehouse at another file, "
                "or replace it with a new demo: `dataset-tui warehouse demo --force`."
            )
        if "different configuration" in message:
            return UnavailableError(
                f"{self.path} is open elsewhere in this program (read-only); close that view and try again. "
                "Nothing was changed."
            )
        if "version" in message.lower() and "database file" in message.lower():
            return UnavailableError(
                f"{self.path} was written by another DuckDB version ({message.splitlines()[0]}); "
                "rebuild it or open it with that version."
            )
        return UnavailableError(f"cannot open {self.path}: {message.splitlines()[0]}")

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

    def _query_error(self, exc: Exception) -> WarehouseError:
        """Map a DuckDB exception onto the warehouse error hierarchy."""
        import duckdb

        message = str(exc).strip()
        first = message.splitlines()[0] if message else type(exc).__name__
        if isinstance(exc, duckdb.InterruptException):
            return CancelledError("the query was cancelled")
        if isinstance(exc, duckdb.CatalogException):
            found = re.search(r"(Table|Schema|View) with name (\S+) does not exist", message)
            if found:
                what = "dataset" if found.group(1) == "Schema" else "table"
                return NotFoundError(f"{what} {found.group(2)} does not exist in {self.path.name}: {_clean(message)}")
        if isinstance(exc, duckdb.BinderException):
            found = re.search(r'(?:Referenced column|column named) "?([^"\s]+)"?', message)
            if found and ("not found" in message or "does not have a column" in message):
                return NotFoundError(f"column {found.group(1)} does not exist: {_clean(message)}")
        if isinstance(exc, (duckdb.ConnectionException, duckdb.IOException)):
            return self._open_error(exc, writing=False)
        if isinstance(exc, duckdb.OutOfMemoryException):
            return UnavailableError(f"DuckDB ran out of memory: {first}; narrow the query (fewer columns or rows)")
        return BadQueryError(f"DuckDB rejected the query: {_clean(message)}")

    def _transpile(self, sql: str) -> str:
        from sqlglot.errors import SqlglotError

        from dataset_tui.warehouse.transpile import to_duckdb

        try:
            duck_sql = to_duckdb(sql)
        except (SqlglotError, ValueError) as exc:
            raise BadQueryError(f"not valid BigQuery SQL: {_sqlglot_message(exc)}") from None
        from dataset_tui.warehouse.wildcard import expand_wildcards, has_wildcard

        # A wildcard table (`ds.events_*`) becomes the union of its shards.
        return expand_wildcards(duck_sql, self.tables_with_prefix) if has_wildcard(duck_sql) else duck_sql

    # -- catalog ------------------------------------------------------------
    #
    # Every catalog call costs a fixed number of catalog queries, whatever the
    # number of tables: listing 5,000 tables must not look each one up again.

    def _tables(self, dataset: str) -> list[tuple[str, int, int]]:
        """(name, estimated rows, column count) of the dataset's tables; NotFoundError if no such dataset."""
        _, _, rows = self._fetch(
            "SELECT table_name, estimated_size, column_count FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = ? ORDER BY table_name",
            [dataset],
        )
        if not rows:
            self._check_dataset(dataset)
        return [(r[0], int(r[1] or 0), int(r[2])) for r in rows]

    def _check_dataset(self, dataset: str) -> None:
        _, _, schemas = self._fetch(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
            "AND NOT internal AND schema_name NOT IN ('main', ?) ORDER BY 1",
            [META_SCHEMA],
        )
        names = [s[0] for s in schemas]
        if dataset not in names:
            known = f"; datasets there: {', '.join(names)}" if names else "; it has no datasets yet"
            raise NotFoundError(f"dataset {dataset} does not exist in {self.path.name}{known}")

    def list_table_names(self, dataset: str, *, project: str | None = None) -> list[str]:
        """The dataset's table names, sorted: one catalog query, nothing read from the tables (no projects here)."""
        return [name for name, _rows, _count in self._tables(dataset)]

    def tables_with_prefix(self, dataset: str, prefix: str) -> list[str]:
        """Tables whose name starts with `prefix`, sorted (the shards of a wildcard table)."""
        _, _, rows = self._fetch(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND starts_with(table_name, ?) ORDER BY 1",
            [dataset, prefix],
        )
        return [r[0] for r in rows]

    def all_tables(self) -> list[tuple[str, str]]:
        """(dataset, table) of every table in the file (our bookkeeping schema left out)."""
        _, _, rows = self._fetch(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name <> ? ORDER BY 1, 2",
            [META_SCHEMA],
        )
        return [(r[0], r[1]) for r in rows]

    def _check_table(self, dataset: str, table: str) -> None:
        _, _, found = self._fetch(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [dataset, table],
        )
        if found[0][0]:
            return
        names = self.list_table_names(dataset)
        close = [n for n in names if n.lower() == table.lower()]
        if close:
            hint = f"; did you mean {close[0]}?"
        elif names:
            shown = names[:20]
            more = f" and {len(names) - len(shown):,} more" if len(names) > len(shown) else ""
            hint = f"; tables: {', '.join(shown)}{more}"
        else:
            hint = ""
        raise NotFoundError(f"table {dataset}.{table} does not exist{hint}")

    def _modified(self, dataset: str) -> dict[str, dt.datetime]:
        """When the demo build or an import last changed each table (absent for others)."""
        _, _, exists = self._fetch(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [META_SCHEMA, META_TABLE],
        )
        if not exists[0][0]:
            return {}
        _, _, rows = self._fetch(
            f"SELECT table_name, modified FROM {dq(META_SCHEMA)}.{dq(META_TABLE)} WHERE dataset = ?", [dataset]
        )
        return dict(rows)

    def _column_types(self, dataset: str, tables: Sequence[str] | None = None) -> dict[str, list[tuple[str, str]]]:
        """{table: [(top-level column, BigQuery type)]} of the dataset (or of `tables`) in one query."""
        _, _, rows = self._fetch(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? ORDER BY table_name, column_index",
            [dataset],
        )
        wanted = set(tables) if tables is not None else None
        out: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in rows:
            if wanted is None or table in wanted:
                out.setdefault(table, []).append((column, _bq_type_of(data_type)))
        return out

    def list_tables(self, dataset: str) -> list[TableInfo]:
        return self.table_details(dataset, None)

    def table_details(self, dataset: str, names: Sequence[str] | None) -> list[TableInfo]:
        """Rows, bytes, columns and modified time of `names` (all when None), in name order.

        A fixed number of catalog queries plus one scan per table not yet
        measured (bytes need string lengths); unknown names are left out.
        """
        tables = self._tables(dataset)
        if names is not None:
            wanted = set(names)
            tables = [t for t in tables if t[0] in wanted]
        if not tables:
            return []
        modified = self._modified(dataset)
        types = self._column_types(dataset, [t[0] for t in tables])
        totals = self._totals(dataset, [(name, rows, types.get(name, [])) for name, rows, _ in tables])
        return [
            TableInfo(
                name=name,
                rows=totals[name][0],
                bytes=totals[name][1],
                columns=count,
                modified=modified.get(name),
            )
            for name, _rows, count in tables
        ]

    # Tables measured per query when listing: one statement per table costs
    # more in overhead than in scanning for the small tables a big dataset has.
    _TOTALS_BATCH = 200

    def _totals(self, dataset: str, tables: list[tuple[str, int, list[tuple[str, str]]]]) -> dict[str, tuple[int, int]]:
        """{table: (rows, logical bytes)}, from the per-column cache or batched scans."""
        out: dict[str, tuple[int, int]] = {}
        todo = []
        for name, estimated, columns in tables:
            with self._lock:
                cached = self._column_bytes.get((dataset, name, estimated))
            if cached is not None:
                out[name] = (cached[""], sum(v for k, v in cached.items() if k))
            else:
                todo.append((name, estimated, columns))
        for i in range(0, len(todo), self._TOTALS_BATCH):
            batch = todo[i : i + self._TOTALS_BATCH]
            parts = []
            for name, _estimated, columns in batch:
                # A flat list, not a chain of `+`: 2,000 columns nest past DuckDB's expression depth.
                terms = ", ".join(f"coalesce({e}, 0)" for e in _size_exprs(columns))
                size = f"list_sum([{terms}])" if terms else "0"
                source = f"{dq(dataset)}.{dq(name)}"
                parts.append(f"SELECT {_string_literal(name)} AS t, count(*) AS n, {size} AS b FROM {source}")
            _, _, rows = self._fetch(" UNION ALL ".join(parts))
            for name, n, b in rows:
                out[name] = (int(n), int(b or 0))
        return out

    def table_info(self, dataset: str, table: str) -> TableInfo:
        """One table's entry of :meth:`list_tables` (reads only that table).

        A wildcard table (`events_*`) sums its shards, with the newest shard's columns.
        """
        if table.endswith("*"):
            shards = self.table_details(dataset, self._dated_shards(dataset, table))
            if not shards:
                raise NotFoundError(f"no table in {dataset} matches {table}")
            return TableInfo(
                name=table,
                rows=sum(s.rows or 0 for s in shards),
                bytes=sum(s.bytes or 0 for s in shards),
                columns=shards[-1].columns,
                modified=max((s.modified for s in shards if s.modified), default=None),
            )
        found = self.table_details(dataset, [table])
        if not found:
            self._check_table(dataset, table)
            raise NotFoundError(f"table {dataset}.{table} does not exist")
        return found[0]

    def _dated_shards(self, dataset: str, family: str) -> list[str]:
        """The `prefixYYYYMMDD` tables of a family `prefix*`, oldest first (what the catalog shows as it)."""
        from dataset_tui.domain.shards import group_shards

        _plain, families = group_shards(self.tables_with_prefix(dataset, family[:-1]))
        found = [f for f in families if f.name == family]
        return found[0].tables() if found else []

    def _newest_shard(self, dataset: str, table: str) -> str:
        """A wildcard table's newest shard, whose schema BigQuery gives the family (others: the table)."""
        if not table.endswith("*"):
            return table
        shards = self._dated_shards(dataset, table)
        if not shards:
            raise NotFoundError(f"no table in {dataset} matches {table}")
        return shards[-1]

    def schema(self, dataset: str, table: str) -> TableSchema:
        family, table = table, self._newest_shard(dataset, table)
        self._check_table(dataset, table)
        _, types, _ = self._fetch(f"SELECT * FROM {dq(dataset)}.{dq(table)} LIMIT 0")
        _, _, info = self._fetch(
            "SELECT column_name, is_nullable, comment FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [dataset, table],
        )
        columns: list[ColumnSchema] = []
        for (name, nullable, comment), duck_type in zip(info, types, strict=True):
            columns += _schema_rows(name, duck_type, bool(nullable), comment or None)
        return TableSchema(table=family, columns=tuple(columns))

    def column_bytes(self, dataset: str, table: str, only: Collection[str] | None = None) -> dict[str, int]:
        """BigQuery's logical bytes of each top-level column ("" holds the row count).

        One scan per table (string lengths must be read), cached until the
        table's row count changes or this process writes. `only`: just those
        columns (a query's estimate needs the columns it reads, and a 30M-row
        scan of string lengths it does not read cost a third of `analyze`).
        """
        _, _, found = self._fetch(
            "SELECT estimated_size FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [dataset, table],
        )
        if not found:
            raise NotFoundError(f"table {dataset}.{table} does not exist")
        columns = self._column_types(dataset, [table]).get(table, [])
        if only is not None:
            return self._bytes_of_some(dataset, table, int(found[0][0] or 0), [c for c in columns if c[0] in only])
        return self._bytes_of(dataset, table, int(found[0][0] or 0), columns)

    def _bytes_of_some(
        self, dataset: str, table: str, estimated_rows: int, columns: list[tuple[str, str]]
    ) -> dict[str, int]:
        """The sizes of `columns` only: from the whole-table cache if there, else scanned once and kept."""
        with self._lock:
            whole = self._column_bytes.get((dataset, table, estimated_rows))
            some = self._column_bytes.setdefault((dataset, table, estimated_rows, "some"), {})
            if whole is not None:
                return {name: whole.get(name, 0) for name, _ in columns}
            missing = [c for c in columns if c[0] not in some]
        if missing:
            _, _, rows = self._fetch(f"SELECT {', '.join(_size_exprs(missing))} FROM {dq(dataset)}.{dq(table)}")
            with self._lock:
                some.update({name: int(v or 0) for (name, _kind), v in zip(missing, rows[0], strict=True)})
        with self._lock:
            return {name: some.get(name, 0) for name, _ in columns}

    def _bytes_of(
        self, dataset: str, table: str, estimated_rows: int, columns: list[tuple[str, str]]
    ) -> dict[str, int]:
        key = (dataset, table, estimated_rows)
        with self._lock:
            cached = self._column_bytes.get(key)
        if cached is not None:
            return cached
        parts = ["count(*)", *_size_exprs(columns)]
        _, _, rows = self._fetch(f"SELECT {', '.join(parts)} FROM {dq(dataset)}.{dq(table)}")
        values = rows[0]
        sizes = {"": int(values[0])}
        for (name, _kind), v in zip(columns, values[1:], strict=True):
            sizes[name] = int(v or 0)
        with self._lock:
            self._column_bytes[key] = sizes
        return sizes

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
            row = duckdb_stats.compute_row(fetch, ref, batch, approx_distinct=approx)
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
        # The setting is global to the database: planning elsewhere meanwhile
        # only loses that shortcut, never rows.
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

    def query(
        self, sql: str, *, limit: int | None = None, max_bytes_billed: int | None = None
    ) -> QueryResult:
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


def _sqlglot_message(exc: Exception) -> str:
    """sqlglot's parse errors as plain text: what, line and column (no terminal escapes)."""
    details = getattr(exc, "errors", None) or []
    parts = []
    for error in details:
        where = f" at line {error.get('line')}, column {error.get('col')}" if error.get("line") else ""
        context = (error.get("start_context") or "") + (error.get("highlight") or "")
        near = f" (near: {context.strip().splitlines()[-1]!r})" if context.strip() else ""
        parts.append(f"{error.get('description')}{where}{near}")
    text = "; ".join(parts) if parts else str(exc)
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _clean(message: str) -> str:
    """DuckDB's message without its 'Did you mean' guesses at internal tables."""
    lines = [line for line in message.splitlines() if not line.startswith("Did you mean \"pg_catalog")]
    return "\n".join(lines).strip()
