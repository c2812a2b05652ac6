"""Verify a materialization: has the raw data under it, or the table itself, moved?

For each split of the recorded materialization (default: the dataset's most
recent one; `version` picks that version's most recent one):

- the pinned split query (the recorded as-of date) is fingerprinted over
  today's raw data: a different fingerprint means late rows, backfills or
  deletes changed what the version's SQL returns;
- the materialized table is fingerprinted: missing, or altered (its rows
  are no longer the recorded ones);
- when the raw data drifted and the table is intact, one more query compares
  the two row multisets by row hash and counts the rows added and removed
  exactly (a changed row is one removed plus one added). Otherwise only the
  net change of the row count is known.

Every query passes the cost guard first; on BigQuery the whole check is
dry-run and asked about once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dataset_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from dataset_tui.domain.fingerprint import Fingerprint
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.cost import Confirm
    from dataset_tui.store.materializations import Materialization, MaterializedSplit

Progress = Callable[[float, str], None]

UNCHANGED = "unchanged"
DRIFTED = "drifted"


@dataclass(frozen=True)
class SplitCheck:
    split: str
    table: str
    recorded: Fingerprint
    raw: Fingerprint
    table_state: str  # "intact" | "missing" | "altered"
    table_now: Fingerprint | None
    rows_added: int | None  # exact when the table was intact, else None
    rows_removed: int | None

    @property
    def raw_drifted(self) -> bool:
        return self.raw != self.recorded

    @property
    def row_delta(self) -> int:
        """Net change of the split's row count since the materialization."""
        return self.raw.rows - self.recorded.rows

    @property
    def status(self) -> str:
        return DRIFTED if self.raw_drifted or self.table_state != "intact" else UNCHANGED

    def describe(self) -> str:
        parts = []
        if not self.raw_drifted:
            parts.append("raw data unchanged")
        elif self.rows_added is not None and self.rows_removed is not None:
            parts.append(f"raw data drifted: {self.rows_added:,} row(s) added, {self.rows_removed:,} removed")
        elif self.row_delta:
            parts.append(f"raw data drifted: {self.row_delta:+,} row(s) net")
        else:
            parts.append("raw data drifted: same row count, different rows")
        if self.table_state == "missing":
            parts.append(f"table {self.table} is missing")
        elif self.table_state == "altered":
            assert self.table_now is not None
            parts.append(
                f"table {self.table} was altered ({self.table_now.rows:,} rows, fingerprint "
                f"{self.table_now.digest}, recorded {self.recorded.rows:,} rows, {self.recorded.digest})"
            )
        else:
            parts.append(f"table {self.table} intact")
        return "; ".join(parts)


@dataclass(frozen=True)
class VerifyResult:
    name: str
    materialization: Materialization
    checks: tuple[SplitCheck, ...]

    @property
    def version(self) -> int:
        return self.materialization.version

    @property
    def status(self) -> str:
        return DRIFTED if any(c.status == DRIFTED for c in self.checks) else UNCHANGED


def choose(ctx: AppContext, name: str, version: int | None) -> Materialization:
    """The materialization to check: the most recent one (of `version` if given)."""
    from dataset_tui.services.definitions import get_dataset
    from dataset_tui.store.materializations import materializations

    head = get_dataset(ctx, name)
    found = materializations(ctx.store, ctx.model, head.name, version=version)
    if not found:
        which = f"version {version} of {head.name}" if version is not None else head.name
        raise ServiceError(f"{which} was never materialized; run `dataset-tui materialize {head.name}` first")
    return max(found, key=lambda m: m.created_at)


def _split_ref(split: MaterializedSplit) -> tuple[str, str]:
    """(dataset, table) of a recorded table name (`project.dataset.table` or `dataset.table`)."""
    parts = split.table.split(".")
    return parts[-2], parts[-1]


def verify(
    ctx: AppContext,
    name: str,
    *,
    version: int | None = None,
    confirm: Confirm | None = None,
    progress: Progress | None = None,
) -> VerifyResult:
    from dataset_tui.domain.fingerprint import (
        difference_sql,
        fingerprint_sql,
        from_row,
        select_all_sql,
    )
    from dataset_tui.domain.split_names import is_split_name
    from dataset_tui.domain.sqlgen import generate_sql
    from dataset_tui.services.cost import approve_all, run_approved, run_guarded
    from dataset_tui.services.definitions import get_version
    from dataset_tui.warehouse import table_writer

    report = progress or (lambda fraction, text: None)
    record = choose(ctx, name, version)
    warehouse = ctx.warehouse()
    if record.backend != warehouse.backend:
        raise ServiceError(
            f"{name} v{record.version} was materialized on {record.backend}; verify it with a profile on "
            f"{record.backend} (--profile)"
        )
    chosen = get_version(ctx, name, record.version)
    writer = table_writer(warehouse)
    columns = record.columns
    label = f"{name} v{record.version}"
    project = ctx.warehouse_project()

    report(0.0, "checking the tables")
    plans = []
    for split in record.splits:
        dataset, table = _split_ref(split)
        if not is_split_name(split.split):  # the store holds what was written: check it before it becomes SQL
            raise ServiceError(
                f"{name} v{record.version}'s materialization names an unknown split {split.split!r}; "
                "materialize the version again"
            )
        sql = generate_sql(chosen.definition, split.split, project=project, as_of=record.as_of, label=label)
        ref = writer.table_ref(dataset, table)
        exists = writer.table_exists(dataset, table)
        plans.append((split, sql, ref, exists))

    queries = [fingerprint_sql(sql, columns) for _, sql, _, _ in plans]
    queries += [fingerprint_sql(select_all_sql(ref), columns) for _, _, ref, exists in plans if exists]
    if warehouse.billed:
        report(0.05, "estimating the cost")
    approve_all(ctx, queries, confirm)

    def run(sql: str) -> tuple[object, ...]:
        return run_approved(ctx, sql).rows[0]

    checks = []
    for i, (split, sql, ref, exists) in enumerate(plans):
        report((i + 0.1) / len(plans), f"fingerprinting the {split.split} rows of today's raw data")
        raw = from_row(run(fingerprint_sql(sql, columns)))
        table_now = None
        state = "missing"
        if exists:
            report((i + 0.5) / len(plans), f"fingerprinting {split.table}")
            table_now = from_row(run(fingerprint_sql(select_all_sql(ref), columns)))
            state = "intact" if table_now == split.fingerprint else "altered"
        added = removed = None
        if raw != split.fingerprint and state == "intact":
            report((i + 0.8) / len(plans), f"counting the rows that changed in {split.split}")
            diff = run_guarded(
                ctx, difference_sql(sql, select_all_sql(ref), columns), confirm=confirm
            ).rows[0]
            added, removed = int(str(diff[0])), int(str(diff[1]))
        checks.append(SplitCheck(split.split, split.table, split.fingerprint, raw, state, table_now, added, removed))
    report(1.0, "done")
    return VerifyResult(name=name, materialization=record, checks=tuple(checks))
