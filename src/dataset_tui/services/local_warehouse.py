"""The local DuckDB warehouse: the demo built on first use or on demand, and file imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dataset_tui.services.errors import ServiceError
from dataset_tui.services.schemas import _dataset

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.base import LocalWarehouse, TableInfo

Progress = Callable[[float, str], None]

# Transactions in the demo built on first use (DESIGN §6: about a million).
FIRST_RUN_ROWS = 1_000_000


def _close_duckdb(ctx: AppContext) -> None:
    """Let go of the DuckDB file before it is replaced (it reopens on next use)."""
    ctx.set_warehouse(None)


def ensure_demo(ctx: AppContext, progress: Progress | None = None) -> bool:
    """Build the demo on first use (the DuckDB file does not exist yet); True if it was built."""
    if ctx.profile.backend != "duckdb" or ctx.warehouse_file is None or ctx.warehouse_exists():
        return False
    from dataset_tui.config import data_dir
    from dataset_tui.warehouse.demo import build_demo

    if ctx.warehouse_file != data_dir() / "demo.duckdb":
        # A path the user chose (--warehouse, the environment, a profile) that
        # does not exist is a typo far more often than a wish for demo data.
        raise ServiceError(
            f"no warehouse at {ctx.warehouse_file}; `dataset-tui warehouse demo` builds the demo there, "
            "`dataset-tui warehouse import FILE --table NAME` starts it with your own data"
        )
    _close_duckdb(ctx)
    build_demo(ctx.warehouse_file, rows=FIRST_RUN_ROWS, progress=progress)
    return True


def rebuild_demo(
    ctx: AppContext,
    *,
    rows: int = 1_000_000,
    seed: int = 42,
    progress: Progress | None = None,
    force: bool = False,
) -> list[TableInfo]:
    """(Re)build the demo at the context's DuckDB file; returns its tables.

    The new file replaces the old one whole. Tables the demo does not make
    (imported files) would be lost with it, so a file holding any, or one
    that cannot be read, is replaced only with `force`.
    """
    from dataset_tui.warehouse.demo import DATASET, TABLES, build_demo

    path = _duckdb_file(ctx, "warehouse demo")
    if rows < 1:
        raise ServiceError("--rows must be at least 1")
    if path.exists() and not force:
        from dataset_tui.warehouse.base import WarehouseError

        try:
            found = _local_warehouse(ctx, "warehouse demo").all_tables()
        except WarehouseError as exc:
            raise ServiceError(f"{exc}\nTo replace {path} with a new demo anyway, pass --force.") from None
        from dataset_tui.warehouse.demo_ga4 import is_shard

        demo = {(DATASET, name) for name in TABLES}
        others = [f"{d}.{t}" for d, t in found if (d, t) not in demo and not (d == DATASET and is_shard(t))]
        if others:
            raise ServiceError(
                f"{path} holds tables the demo does not make ({', '.join(others)}); rebuilding the demo "
                "replaces the whole file and they would be lost. Pass --force to replace it anyway, "
                "or choose another file with --warehouse."
            )
    _close_duckdb(ctx)
    try:
        build_demo(path, rows=rows, seed=seed, progress=progress)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    except OSError as exc:
        raise ServiceError(f"cannot write the demo to {path}: {exc.strerror or exc}") from None
    return ctx.warehouse().list_tables(DATASET)


def _local_warehouse(ctx: AppContext, command: str) -> LocalWarehouse:
    """The context's warehouse as a local file one (the demo build and imports need that)."""
    from dataset_tui.warehouse.base import LocalWarehouse

    _duckdb_file(ctx, command)
    warehouse = ctx.warehouse()
    if not isinstance(warehouse, LocalWarehouse):
        raise ServiceError(f"`{command}` needs a warehouse file on this machine; {ctx.warehouse_label} is not one.")
    return warehouse


def _duckdb_file(ctx: AppContext, command: str) -> Path:
    if ctx.profile.backend != "duckdb" or ctx.warehouse_file is None:
        raise ServiceError(
            f"`{command}` works on the embedded DuckDB warehouse; profile {ctx.profile.name!r} uses "
            f"{ctx.profile.backend}. Choose a DuckDB profile (--profile local) or --warehouse FILE."
        )
    return ctx.warehouse_file


def import_file(
    ctx: AppContext, file: str | Path, table: str, *, replace: bool = False, progress: Progress | None = None
) -> TableInfo:
    """Load a CSV or Parquet file into the DuckDB warehouse's dataset as `table`."""
    from dataset_tui.warehouse.importer import import_table

    _duckdb_file(ctx, "warehouse import")
    # No demo first: a new (or empty) file gets only the user's table.
    warehouse = _local_warehouse(ctx, "warehouse import")
    return import_table(warehouse, Path(file), table, dataset=_dataset(ctx), replace=replace)
