"""The DuckDB warehouse's catalog: datasets, tables, their details, schemas and column sizes.

Every catalog call costs a fixed number of catalog queries, whatever the
number of tables: listing 5,000 tables must not look each one up again.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataset_tui.warehouse.base import ColumnSchema, NotFoundError, TableInfo, TableSchema
from dataset_tui.warehouse.duckdb_types import _bq_type_of, _schema_rows, _size_exprs, _string_literal, dq

# Where the demo build and imports note when they last changed a table
# (DuckDB keeps no modification time; the statistics cache needs one).
META_SCHEMA = "_dataset_tui"
META_TABLE = "table_changes"


class DuckDBCatalog:
    """The catalog half of :class:`DuckDBWarehouse` (mixed in; it runs queries through `_fetch`)."""

    path: Path
    _lock: threading.RLock
    # (dataset, table, rows): every column; (dataset, table, rows, "some"): those a query read.
    _column_bytes: dict[tuple[str, str, int] | tuple[str, str, int, str], dict[str, int]]

    if TYPE_CHECKING:

        def _fetch(
            self, duck_sql: str, params: Sequence[Any] | None = None, *, many: int | None = None
        ) -> tuple[list[str], list[Any], list[tuple[Any, ...]]]: ...

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

    def table_details(self, dataset: str, names: Sequence[str] | None, *, sizes: bool = True) -> list[TableInfo]:
        """Rows, bytes, columns and modified time of `names` (all when None), in name order.

        A fixed number of catalog queries plus one scan per table not yet
        measured (bytes need string lengths); unknown names are left out.
        sizes=False: no scan, bytes None (unless cached), rows exact from metadata.
        """
        tables = self._tables(dataset)
        if names is not None:
            wanted = set(names)
            tables = [t for t in tables if t[0] in wanted]
        if not tables:
            return []
        modified = self._modified(dataset)
        types = self._column_types(dataset, [t[0] for t in tables])
        measure = self._totals if sizes else self._row_counts
        totals = measure(dataset, [(name, rows, types.get(name, [])) for name, rows, _ in tables])
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

    def _totals(
        self, dataset: str, tables: list[tuple[str, int, list[tuple[str, str]]]]
    ) -> dict[str, tuple[int, int | None]]:
        """{table: (rows, logical bytes)}, from the per-column cache or batched scans."""
        out: dict[str, tuple[int, int | None]] = {}
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

    def _row_counts(
        self, dataset: str, tables: list[tuple[str, int, list[tuple[str, str]]]]
    ) -> dict[str, tuple[int, int | None]]:
        """{table: (rows, bytes if cached else None)} with no scan of the data.

        `count(*)` of a whole table is answered from DuckDB's metadata (exact,
        deletes included, ~5 ms at 30M rows), unlike the byte count's scan.
        """
        out: dict[str, tuple[int, int | None]] = {}
        todo = []
        for name, estimated, _columns in tables:
            with self._lock:
                cached = self._column_bytes.get((dataset, name, estimated))
            if cached is not None:
                out[name] = (cached[""], sum(v for k, v in cached.items() if k))
            else:
                todo.append(name)
        for i in range(0, len(todo), self._TOTALS_BATCH):
            parts = [
                f"SELECT {_string_literal(name)} AS t, count(*) AS n FROM {dq(dataset)}.{dq(name)}"
                for name in todo[i : i + self._TOTALS_BATCH]
            ]
            _, _, rows = self._fetch(" UNION ALL ".join(parts))
            out.update({name: (int(n), None) for name, n in rows})
        return out

    def table_info(self, dataset: str, table: str, *, sizes: bool = True) -> TableInfo:
        """One table's entry of :meth:`list_tables` (reads only that table; nothing with sizes=False).

        A wildcard table (`events_*`) sums its shards, with the newest shard's columns.
        """
        if table.endswith("*"):
            shards = self.table_details(dataset, self._dated_shards(dataset, table), sizes=sizes)
            if not shards:
                raise NotFoundError(f"no table in {dataset} matches {table}")
            known = [s.bytes for s in shards]
            return TableInfo(
                name=table,
                rows=sum(s.rows or 0 for s in shards),
                bytes=sum(b for b in known if b is not None) if None not in known else None,
                columns=shards[-1].columns,
                modified=max((s.modified for s in shards if s.modified), default=None),
            )
        found = self.table_details(dataset, [table], sizes=sizes)
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
