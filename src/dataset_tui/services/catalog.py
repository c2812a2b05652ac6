"""The dataset's tables as a person thinks of them: names first, details on demand, shard families as one.

A real `raw_data` dataset holds thousands of tables, 1,100 of them a GA4
export's `events_YYYYMMDD` shards. Listing costs one names-only call
(`Warehouse.list_table_names`) and a linear pass that folds each shard family
into one entry `events_*` with its shard count and date span. Rows, size and
columns come from `entry_details` for the entries a face shows, one batched
`table_details` call whatever their number; the adapters keep unchanged
tables' details cached. The CLI's `tables` asks details for every entry, the
wizard for the rows on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.base import TableInfo


@dataclass(frozen=True)
class ShardSpan:
    """A date-sharded family's extent: how many daily tables, the first and the last day."""

    count: int
    first: dt.date
    last: dt.date


@dataclass(frozen=True)
class CatalogEntry:
    """One row of the table list: a table, or a shard family `prefix*` standing for its shards."""

    name: str
    shards: ShardSpan | None = None
    # The family's tables, oldest first (empty for a plain table).
    members: tuple[str, ...] = ()

    @property
    def is_family(self) -> bool:
        return self.shards is not None

    @property
    def newest(self) -> str:
        """The table whose columns stand for the entry (BigQuery reads a wildcard's newest shard's)."""
        return self.members[-1] if self.members else self.name


@dataclass(frozen=True)
class Catalog:
    dataset: str
    entries: tuple[CatalogEntry, ...]

    def entry(self, name: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.name == name), None)


def _dataset(ctx: AppContext, dataset: str | None) -> str:
    return dataset or ctx.profile.dataset


def catalog_of(names: Sequence[str], dataset: str) -> Catalog:
    """Entries in name order from table names: shard families folded (linear in the names)."""
    from dataset_tui.domain.shards import group_shards

    plain, families = group_shards(names)
    entries = [CatalogEntry(name) for name in plain]
    entries += [
        CatalogEntry(f.name, ShardSpan(f.count, f.first, f.last), tuple(f.tables())) for f in families
    ]
    entries.sort(key=lambda e: e.name)
    return Catalog(dataset, tuple(entries))


def table_catalog(ctx: AppContext, *, dataset: str | None = None) -> Catalog:
    """The dataset's entries from one names-only listing: what a screen shows at once."""
    dataset = _dataset(ctx, dataset)
    return catalog_of(ctx.warehouse().list_table_names(dataset), dataset)


def _sums_shards(ctx: AppContext) -> bool:
    """Whether a family's rows and size are summed over all its shards.

    On a local file the shards' details are catalog reads (cheap); on
    BigQuery they would be one get_table per shard (1,100 for three years of
    GA4), so a family there takes its newest shard's columns and type, and
    its rows and size from one metadata query for all the families asked
    (`_family_sizes`).
    """
    return ctx.profile.backend == "duckdb"


def entry_details(ctx: AppContext, catalog: Catalog, names: Sequence[str]) -> dict[str, TableInfo]:
    """{entry name: TableInfo} for the entries named, from ONE `table_details` call.

    A family's info carries its name (`events_*`), the newest shard's
    columns, type and partitioning, and, where cheap (see `_sums_shards`),
    rows and bytes summed over the shards (else None).
    """
    wanted = [e for name in dict.fromkeys(names) if (e := catalog.entry(name)) is not None]
    if not wanted:
        return {}
    sums = _sums_shards(ctx)
    tables: list[str] = []
    for e in wanted:
        tables += list(e.members) if e.is_family and sums else [e.newest]
    infos = {i.name: i for i in ctx.warehouse().table_details(catalog.dataset, tables)}
    summed = {} if sums else _family_sizes(ctx, catalog.dataset, [e for e in wanted if e.is_family])
    out: dict[str, TableInfo] = {}
    for e in wanted:
        newest = infos.get(e.newest)
        if newest is None:
            continue  # gone since the listing
        if not e.is_family:
            out[e.name] = newest
            continue
        shards = [infos[m] for m in e.members if m in infos] if sums else []
        rows, size = summed.get(e.name[:-1], (None, None))
        out[e.name] = replace(
            newest,
            name=e.name,
            rows=sum(s.rows or 0 for s in shards) if sums else rows,
            bytes=sum(s.bytes or 0 for s in shards) if sums else size,
            modified=max((s.modified for s in shards if s.modified), default=newest.modified),
        )
    return out


def _family_sizes(ctx: AppContext, dataset: str, families: Sequence[CatalogEntry]) -> dict[str, tuple[int, int]]:
    """{prefix: (rows, bytes)} of the families from the warehouse's one metadata query, where it has
    one (BigQuery's `__TABLES__`); {} when it has none or the query fails (the face shows "—")."""
    from dataset_tui.warehouse.base import WarehouseError

    sizes = getattr(ctx.warehouse(), "family_sizes", None)
    if sizes is None or not families:
        return {}
    try:
        found: dict[str, tuple[int, int]] = sizes(dataset, [e.name[:-1] for e in families])
    except WarehouseError:
        return {}
    return found


def table_listing(ctx: AppContext, *, dataset: str | None = None) -> list[tuple[CatalogEntry, TableInfo]]:
    """Every entry with its details (`tables`): one listing and one batched details call."""
    catalog = table_catalog(ctx, dataset=dataset)
    details = entry_details(ctx, catalog, [e.name for e in catalog.entries])
    return [(e, details[e.name]) for e in catalog.entries if e.name in details]


def span_text(span: ShardSpan) -> str:
    """`90 shards 2026-09-03…12-01`: the last day's year only when it differs from the first's."""
    last = span.last.strftime("%m-%d") if span.last.year == span.first.year else span.last.isoformat()
    return f"{span.count:,} shards {span.first.isoformat()}…{last}"


_TYPE_BADGES = {
    "VIEW": "view",
    "MATERIALIZED_VIEW": "materialized view",
    "EXTERNAL": "external",
    "SNAPSHOT": "snapshot",
}


def badges(info: TableInfo | None, entry: CatalogEntry | None = None) -> list[str]:
    """Short words for what is special about a table: sharded, a view, external, partitioned.

    Each changes what a query on it costs or needs (a wildcard, the
    underlying tables' bytes, a partition filter), so the faces show them.
    """
    out = []
    if entry is not None and entry.shards is not None:
        out.append(span_text(entry.shards))
    if info is not None:
        kind = _TYPE_BADGES.get(info.table_type.upper())
        if kind:
            out.append(kind)
        if info.partitioning:
            out.append("partitioned" + (" (filter required)" if info.require_partition_filter else ""))
    return out


# -- key/value arrays (GA4 event_params) ----------------------------------------------------------

PARAM_VALUE_FIELDS = ("string_value", "int_value", "float_value", "double_value")
MAX_PARAM_KEYS = 200


@dataclass(frozen=True)
class ParamKey:
    """A key found in a key/value array, the value field that holds it most often, and how often it is set."""

    key: str
    value: str  # one of PARAM_VALUE_FIELDS
    count: int


def param_keys_sql(project: str | None, dataset: str, table: str, column: str) -> str:
    """The keys of `column` (ARRAY<STRUCT<key, value STRUCT<..._value>>>) with each value field's count."""
    parts = [p for p in (project, dataset, table) if p]
    if any("`" in p for p in [*parts, column]) or not column.replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"cannot quote {'.'.join(parts)}.{column}")
    counts = ", ".join(f"COUNTIF(p.value.{f} IS NOT NULL) AS {f}" for f in PARAM_VALUE_FIELDS)
    path = ".".join(f"`{c}`" for c in column.split("."))
    return (
        f"SELECT p.key AS key, {counts}, COUNT(*) AS n FROM `{'.'.join(parts)}` AS t, UNNEST(t.{path}) AS p "
        f"GROUP BY key ORDER BY n DESC, key LIMIT {MAX_PARAM_KEYS}"
    )


def param_keys(
    ctx: AppContext, table: str, column: str, *, dataset: str | None = None, confirm: Any = None
) -> list[ParamKey]:
    """The keys of a key/value array, read from a sample: a shard family's newest shard, else the table.

    One query through the cost guard (a billed warehouse dry-runs it first).
    """
    from dataset_tui.services.cost import run_guarded

    dataset = _dataset(ctx, dataset)
    source = table
    if table.endswith("*"):
        entry = table_catalog(ctx, dataset=dataset).entry(table)
        if entry is None:
            from dataset_tui.services.errors import ServiceError

            raise ServiceError(f"no table in {dataset} matches {table}")
        source = entry.newest
    sql = param_keys_sql(ctx.warehouse().project, dataset, source, column)
    result = run_guarded(ctx, sql, confirm=confirm)
    out = []
    for row in result.rows:
        key, *counts, total = row
        if key is None:
            continue
        best = max(range(len(PARAM_VALUE_FIELDS)), key=lambda i: counts[i] or 0)
        out.append(ParamKey(str(key), PARAM_VALUE_FIELDS[best], int(total)))
    return out
