"""Materialize a dataset version: its split queries written into tables, fingerprinted, recorded.

One use case for both faces (CLI `materialize`, the TUI's `M`):

1. plan: the version (default: active, else latest), the as-of date (default:
   today — a materialization is always pinned, or it could not be verified),
   the splits, the target tables `<model>__<name>__v<N>__<split>` in the
   target dataset (`ml_datasets` unless `--to`), the column types the
   fingerprint reads. Everything that can be refused is refused here, before
   any job runs.
2. the cost guard (services/cost.py): on BigQuery every split is dry-run and
   the total asked about once (refused above max_bytes_billed).
3. one CREATE TABLE … AS per split (all or nothing per table), then one
   fingerprint query per new table, then the Parquet copies (DuckDB).
4. the record, last: a materialization that did not complete is never
   recorded. A failure (or cancel) on the way drops the tables this run made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dataset_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
    from dataset_tui.domain.fingerprint import Fingerprint
    from dataset_tui.domain.split_names import SplitName
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.cost import Confirm
    from dataset_tui.store import DatasetHead, Version
    from dataset_tui.store.materializations import Materialization, MaterializedSplit
    from dataset_tui.warehouse.base import DryRun, TableWriter

DEFAULT_DATASET = "ml_datasets"
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PlannedTable:
    split: SplitName
    dataset: str
    table: str
    sql: str  # the pinned split query (BigQuery SQL)


@dataclass(frozen=True)
class MaterializePlan:
    head: DatasetHead
    version: Version
    as_of: dt.date
    tables: tuple[PlannedTable, ...]
    columns: tuple[tuple[str, str], ...]  # (output name, BigQuery type)
    labels: dict[str, str]
    expire_days: int | None
    parquet_dir: Path | None


@dataclass(frozen=True)
class MaterializeResult:
    name: str
    record: Materialization
    parquet: tuple[Path, ...]


def split_names(definition: Definition, choice: str | Sequence[str] | None) -> tuple[SplitName, ...]:
    """`train,eval` / `all` / a list → the splits (all = train and eval, or full without a split)."""
    from dataset_tui.services.exports import splits_for

    if choice is None or choice == "all" or (not isinstance(choice, str) and list(choice) == ["all"]):
        return ("train", "eval") if definition.split is not None else ("full",)
    names = [s.strip() for s in choice.split(",")] if isinstance(choice, str) else [s.strip() for s in choice]
    chosen: list[SplitName] = []
    for name in names:
        for split in splits_for(definition, name):
            if split not in chosen:
                chosen.append(split)
    if not chosen:
        raise ServiceError("choose the splits to materialize: train, eval, full, or all")
    return tuple(chosen)


def column_types(ctx: AppContext, definition: Definition) -> tuple[tuple[str, str], ...]:
    """(output name, type) of every output column, types filled from the warehouse if the file lacks them."""
    from dataset_tui.domain.fingerprint import column_text
    from dataset_tui.services.checks import fill_column_types

    if any(c.base_type is None for c in definition.columns):
        definition = fill_column_types(ctx, definition, best_effort=False)
    pairs = []
    for column in definition.columns:
        if column.type is None:
            raise ServiceError(
                f"the type of column {column.table}.{column.name} is unknown (the warehouse does not have it); "
                "add \"type\" to the column or fix the definition"
            )
        column_text(column.output_name, column.type)  # refuses a type that cannot be fingerprinted
        pairs.append((column.output_name, column.type))
    return tuple(pairs)


def plan_materialization(
    ctx: AppContext,
    name: str,
    *,
    version: int | None = None,
    as_of: dt.date | None = None,
    splits: str | Sequence[str] | None = None,
    to: str | None = None,
    expire_days: int | None = None,
    parquet_dir: str | Path | None = None,
) -> MaterializePlan:
    """Everything decided, nothing run (the TUI shows it in the cost modal)."""
    from dataset_tui.domain import clock
    from dataset_tui.domain.definition import IDENT_RE
    from dataset_tui.domain.fingerprint import table_name
    from dataset_tui.domain.sqlgen import generate_sql
    from dataset_tui.services.definitions import resolve

    head, chosen = resolve(ctx.store, ctx.model, name, version)
    definition = chosen.definition
    dataset = to or DEFAULT_DATASET
    if not IDENT_RE.match(dataset):
        raise ServiceError(f"--to {dataset!r} is not a dataset name (letters, digits and underscores)")
    if expire_days is not None and expire_days < 1:
        raise ServiceError("--expire-days must be 1 or more")
    backend = ctx.profile.backend
    if expire_days is not None and backend != "bigquery":
        raise ServiceError("tables in the local DuckDB warehouse do not expire; leave out --expire-days")
    folder = Path(parquet_dir) if parquet_dir is not None else None
    if folder is not None and backend != "duckdb":
        raise ServiceError(
            "--parquet writes files from the local DuckDB warehouse; on BigQuery, export the tables with "
            "`bq extract` (or EXPORT DATA) instead"
        )
    if folder is not None and folder.exists() and not folder.is_dir():
        raise ServiceError(f"{folder} is a file; give --parquet a folder")
    pinned = as_of or clock.today()
    columns = column_types(ctx, definition)
    label = f"{head.name} v{chosen.number}"
    project = ctx.warehouse_project()
    tables = tuple(
        PlannedTable(
            split=split,
            dataset=dataset,
            table=table_name(ctx.model, head.name, chosen.number, split),
            sql=generate_sql(definition, split, project=project, as_of=pinned, label=label),
        )
        for split in split_names(definition, splits)
    )
    if folder is not None:
        existing = [p.name for p in parquet_paths(folder, head.name, chosen.number, tables) if p.exists()]
        if existing:
            raise ServiceError(f"not materialized: {', '.join(existing)} already exist(s) in {folder}; move them away")
    labels = {
        "tool": "dataset-tui",
        "model": ctx.model,
        "dataset": head.name,
        "version": str(chosen.number),
        "definition_hash": chosen.definition_hash[:16],
    }
    return MaterializePlan(head, chosen, pinned, tables, columns, labels, expire_days, folder)


def parquet_paths(folder: Path, name: str, version: int, tables: Sequence[PlannedTable]) -> list[Path]:
    return [folder / f"{name}_v{version}_{t.split}.parquet" for t in tables]


def estimate(ctx: AppContext, plan: MaterializePlan) -> DryRun | None:
    """The bytes every split query would scan (None where nothing is billed)."""
    from dataset_tui.warehouse.base import DryRun

    warehouse = ctx.warehouse()
    if not warehouse.billed:
        return None
    runs = [warehouse.dry_run(t.sql) for t in plan.tables]
    return DryRun(
        bytes_processed=sum(r.bytes_processed for r in runs),
        cost_usd=sum(r.cost_usd for r in runs),
        estimated=any(r.estimated for r in runs),
    )


def _recorded_tables(ctx: AppContext, name: str) -> set[str]:
    from dataset_tui.store.materializations import materializations

    return {s.table.lower() for m in materializations(ctx.store, ctx.model, name) for s in m.splits}


def _clear_orphan(ctx: AppContext, writer: TableWriter, planned: PlannedTable, name: str) -> None:
    """A table of ours that no record names is what an interrupted run left: replace it.

    One that a record names holds rows someone may have trained on: refuse.
    """
    if not writer.table_exists(planned.dataset, planned.table):
        return
    created = writer.table_ref(planned.dataset, planned.table).strip("`").lower()
    if created in _recorded_tables(ctx, name):
        raise ServiceError(
            f"{planned.dataset}.{planned.table} already holds a recorded materialization of {name}; "
            f"check it with `dataset-tui verify {name}`, or materialize into another dataset with --to"
        )
    writer.drop_table(planned.dataset, planned.table)


def materialize(
    ctx: AppContext,
    name: str,
    *,
    version: int | None = None,
    as_of: dt.date | None = None,
    splits: str | Sequence[str] | None = None,
    to: str | None = None,
    expire_days: int | None = None,
    parquet_dir: str | Path | None = None,
    confirm: Confirm | None = None,
    progress: Progress | None = None,
    plan: MaterializePlan | None = None,
) -> MaterializeResult:
    """Plan (unless given), pass the cost guard, write, fingerprint, record (see the module docstring)."""
    from dataset_tui.services.cost import decide, enforce

    if plan is None:
        plan = plan_materialization(
            ctx, name, version=version, as_of=as_of, splits=splits, to=to,
            expire_days=expire_days, parquet_dir=parquet_dir,
        )
    report = progress or (lambda fraction, text: None)
    report(0.0, "estimating the cost")
    dry = estimate(ctx, plan)
    if dry is not None:
        enforce(decide(dry, ctx.profile, billed=True), confirm)
    return _run(ctx, plan, report)


def _run(ctx: AppContext, plan: MaterializePlan, report: Progress) -> MaterializeResult:
    from dataset_tui.domain import clock
    from dataset_tui.store import current_author
    from dataset_tui.store.materializations import (
        Materialization,
        MaterializedSplit,
        record,
    )
    from dataset_tui.warehouse import table_writer

    warehouse = ctx.warehouse()
    writer = table_writer(warehouse)
    name = plan.head.name
    steps = len(plan.tables) * (3 if plan.parquet_dir is not None else 2)
    done = 0
    made: list[PlannedTable] = []
    written: list[Path] = []
    results: list[MaterializedSplit] = []
    expires_at = None
    try:
        for planned in plan.tables:
            report(done / steps, f"creating {planned.dataset}.{planned.table}")
            _clear_orphan(ctx, writer, planned, name)
            created = writer.create_table_as(
                planned.dataset,
                planned.table,
                planned.sql,
                labels=plan.labels,
                expire_days=plan.expire_days,
                max_bytes_billed=ctx.profile.max_bytes_billed,
            )
            made.append(planned)
            expires_at = created.expires_at
            done += 1
            report(done / steps, f"fingerprinting {planned.table}")
            fingerprint = _fingerprint_table(ctx, writer.table_ref(planned.dataset, planned.table), plan.columns)
            done += 1
            results.append(
                MaterializedSplit(
                    split=planned.split,
                    table=created.ref,
                    fingerprint=fingerprint,
                    bytes_processed=created.bytes_processed,
                    job_id=created.job_id,
                )
            )
        if plan.parquet_dir is not None:
            results = _write_parquet(ctx, plan, results, written, report, done, steps)
        materialization = Materialization(
            version=plan.version.number,
            definition_hash=plan.version.definition_hash,
            backend=warehouse.backend,
            as_of=plan.as_of,
            splits=tuple(results),
            columns=plan.columns,
            created_at=clock.now(),
            author=current_author(),
            labels=dict(plan.labels),
            expires_at=expires_at,
        )
        record(ctx.store, ctx.model, name, materialization)
    except BaseException:
        _undo(writer, made, written)
        raise
    report(1.0, "done")
    return MaterializeResult(name=name, record=materialization, parquet=tuple(written))


def _fingerprint_table(ctx: AppContext, ref: str, columns: Sequence[tuple[str, str]]) -> Fingerprint:
    from dataset_tui.domain.fingerprint import fingerprint_sql, from_row, select_all_sql
    from dataset_tui.services.cost import run_guarded

    # The user agreed to the materialization; reading back the table it made is
    # part of it (still refused above max_bytes_billed by the guard's dry run).
    result = run_guarded(ctx, fingerprint_sql(select_all_sql(ref), columns), confirm=lambda _dry: True)
    return from_row(result.rows[0])


def _write_parquet(
    ctx: AppContext,
    plan: MaterializePlan,
    results: list[MaterializedSplit],
    written: list[Path],
    report: Progress,
    done: int,
    steps: int,
) -> list[MaterializedSplit]:
    import dataclasses

    from dataset_tui.services import safe_write
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse
    from dataset_tui.warehouse.duckdb_materialize import write_parquet

    assert plan.parquet_dir is not None
    plan.parquet_dir.mkdir(parents=True, exist_ok=True)
    paths = parquet_paths(plan.parquet_dir, plan.head.name, plan.version.number, plan.tables)
    warehouse = ctx.warehouse()
    assert isinstance(warehouse, DuckDBWarehouse)  # the plan refused --parquet elsewhere
    out = []
    for planned, path, split in zip(plan.tables, paths, results, strict=True):
        report(done / steps, f"writing {path.name}")
        # Through the one safe-write path: a temp file beside it, then a rename
        # that never replaces what appeared there meanwhile (nor a device or folder).
        tmp = safe_write.temp_beside(path)
        try:
            write_parquet(warehouse, planned.sql, tmp)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ServiceError(f"cannot write {path}: {exc.strerror or exc}") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        safe_write.place_file(tmp, path, overwrite=False)
        written.append(path)
        done += 1
        out.append(dataclasses.replace(split, parquet=str(path.resolve())))
    return out


def _undo(writer: TableWriter, made: Sequence[PlannedTable], written: Sequence[Path]) -> None:
    """Best effort after a failure or a cancel: drop what this run made, so nothing half-done stays."""
    from dataset_tui.warehouse.base import WarehouseError

    for planned in made:
        # The original error matters more; a leftover is replaced by the next run.
        with contextlib.suppress(WarehouseError, OSError):
            writer.drop_table(planned.dataset, planned.table)
    for path in written:
        with contextlib.suppress(OSError):
            path.unlink()


def list_materializations(ctx: AppContext, name: str, *, version: int | None = None) -> list[Materialization]:
    """The dataset's materializations (of one version if given), newest first (the detail screen)."""
    from dataset_tui.services.definitions import get_dataset
    from dataset_tui.store.materializations import materializations

    head = get_dataset(ctx, name)
    return sorted(
        materializations(ctx.store, ctx.model, head.name, version=version), key=lambda m: m.created_at, reverse=True
    )


def materialized_versions(ctx: AppContext, name: str) -> set[int]:
    """The versions with at least one materialization (history marks them)."""
    from dataset_tui.services.definitions import get_dataset
    from dataset_tui.store.materializations import materialized_versions as versions

    return versions(ctx.store, ctx.model, get_dataset(ctx, name).name)
