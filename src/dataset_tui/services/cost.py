"""The cost guard: every query that scans billed data is priced before it runs.

Both faces share it (DESIGN §2, §6). On a billed warehouse (BigQuery):

1. dry run: BigQuery reports the bytes the query would process, for free;
2. above the profile's ``max_bytes_billed`` the query is refused right there
   (CostLimitError): it never runs, so it costs nothing;
3. above the profile's ``confirm_bytes`` the caller's confirmation callback
   decides (the CLI prompts, or ``--yes``; the TUI shows a modal); "no" raises
   ``Declined``;
4. the query runs with ``maximum_bytes_billed`` set, so BigQuery itself
   refuses it if the estimate was wrong.

One user action (table statistics, analyze, preview, sample values of a view)
therefore costs one dry run plus one job; validate is the dry run alone. On
DuckDB (not billed) there is nothing to pay for: no dry run, no question.

Every service that makes a warehouse scan calls one of the functions here
(``run_guarded``, ``stats_guarded``, ``samples_guarded``); a test checks that
nothing outside this module calls the warehouse's running methods.

An estimate carries its accuracy: BigQuery cannot price external (federated)
tables and says so (UNKNOWN, often with 0 bytes) or gives a lower bound. Those
are shown as such ("at least 0 B — unknown for external tables") and always
asked about, whatever confirm_bytes says. The profile's ``pricing`` decides
whether money is shown: a sandbox project (no billing) shows bytes and
"within the free tier", capacity pricing shows bytes only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from dataset_tui.services.errors import Declined
from dataset_tui.warehouse.base import UNKNOWN, CostLimitError, DryRun

if TYPE_CHECKING:
    from dataset_tui.config import Profile
    from dataset_tui.warehouse.base import QueryResult, TableStats, Warehouse

Confirm = Callable[[DryRun], bool]
"""Asked above the confirmation threshold; True runs the query."""


class CostContext(Protocol):
    """What the guard needs: services.context.AppContext satisfies it."""

    profile: Profile

    def warehouse(self) -> Warehouse: ...


@dataclass(frozen=True)
class CostDecision:
    """What a dry run says about running a query under the profile's rules."""

    dry_run: DryRun | None
    needs_confirmation: bool
    refused: bool
    message: str


def format_bytes(count: int) -> str:
    """Binary units, as BigQuery bills them: 512 B, 1.2 GiB, 3.0 TiB."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    if unit == "B":
        return f"{count} B"
    if value >= 1024:  # beyond TiB: keep TiB, it is the unit of the price
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}"


def format_usd(amount: float) -> str:
    """Cents for real money, four decimals for fractions of a cent."""
    if amount == 0:
        return "$0.00"
    return f"${amount:.4f}" if amount < 0.01 else f"${amount:,.2f}"


def describe_bytes(dry: DryRun) -> str:
    """The bytes, saying when they are only a floor ("at least 0 B — unknown for external tables")."""
    amount = format_bytes(dry.bytes_processed)
    if dry.accuracy == UNKNOWN:
        return f"at least {amount} — unknown for external tables"
    if dry.open_ended:
        return f"at least {amount} — a lower bound (external tables)"
    return amount


def describe_money(dry: DryRun, pricing: str = "on-demand") -> str:
    """What the scan costs under the profile's pricing."""
    if pricing == "sandbox":
        return "within the free tier (sandbox: no charge, 1 TiB of queries a month)"
    if pricing == "capacity":
        return "no per-query charge (capacity pricing)"
    if dry.accuracy == UNKNOWN:
        return "cost unknown"
    if dry.open_ended:
        return f"at least {format_usd(dry.cost_usd)}"
    return format_usd(dry.cost_usd)


def describe_cost(dry: DryRun, pricing: str = "on-demand") -> str:
    """ "1.2 GiB · $0.0073" (marked as an estimate where the engine cannot know)."""
    text = f"{describe_bytes(dry)} · {describe_money(dry, pricing)}"
    return f"{text} (estimate)" if dry.estimated else text


def question(dry: DryRun, pricing: str = "on-demand") -> str:
    """The yes/no question for a scan: "Scan 12.0 GiB (~$0.07)?"."""
    if dry.open_ended:
        return f"Run a query whose scan BigQuery cannot estimate ({describe_cost(dry, pricing)})?"
    money = describe_money(dry, pricing)
    money = f"~{money}" if money.startswith("$") else money
    return f"Scan {format_bytes(dry.bytes_processed)} ({money})?"


def decide(dry: DryRun, profile: Profile, *, billed: bool = True) -> CostDecision:
    """Apply the profile's thresholds to a dry run (pure: no warehouse)."""
    pricing = getattr(profile, "pricing", "on-demand")
    cost = describe_cost(dry, pricing)
    if not billed:
        return CostDecision(dry, needs_confirmation=False, refused=False, message=f"Scans {cost}")
    if dry.bytes_processed > profile.max_bytes_billed:
        return CostDecision(
            dry,
            needs_confirmation=False,
            refused=True,
            message=(
                f"Refused before running: the query would scan {cost}, above max_bytes_billed "
                f"({format_bytes(profile.max_bytes_billed)}) of profile {profile.name!r}. Narrow it "
                "(a shorter date range, fewer columns or tables) or raise max_bytes_billed in the profile."
            ),
        )
    if dry.open_ended:
        # 0 bytes with UNKNOWN accuracy is not "free": ask, whatever the threshold.
        return CostDecision(
            dry,
            needs_confirmation=True,
            refused=False,
            message=(
                f"{question(dry, pricing)} BigQuery cannot tell how much it will scan; it is capped at "
                f"max_bytes_billed ({format_bytes(profile.max_bytes_billed)}) of profile {profile.name!r}."
            ),
        )
    if dry.bytes_processed > profile.confirm_bytes:
        return CostDecision(
            dry,
            needs_confirmation=True,
            refused=False,
            message=(
                f"{question(dry, pricing)} That is above "
                f"confirm_bytes ({format_bytes(profile.confirm_bytes)}) of profile {profile.name!r}."
            ),
        )
    return CostDecision(dry, needs_confirmation=False, refused=False, message=f"Scans {cost}")


def check_cost(ctx: CostContext, sql: str) -> CostDecision:
    """Dry-run `sql` and judge it (validate uses this alone; nothing runs)."""
    warehouse = ctx.warehouse()
    return decide(warehouse.dry_run(sql), ctx.profile, billed=warehouse.billed)


def enforce(decision: CostDecision, confirm: Confirm | None) -> None:
    """Raise unless the decision allows running: CostLimitError or Declined."""
    if decision.refused:
        raise CostLimitError(decision.message)
    if not decision.needs_confirmation:
        return
    assert decision.dry_run is not None
    if confirm is None:
        raise Declined(f"{decision.message} Nothing asked for confirmation, so it was not run.")
    if not confirm(decision.dry_run):
        raise Declined(f"Not run: the scan of {describe_bytes(decision.dry_run)} was not confirmed.")


def approve(ctx: CostContext, sql: str, confirm: Confirm | None) -> DryRun | None:
    """The guard without the run: dry run and decide on a billed warehouse.

    For callers whose job is not a plain query (statistics); returns the dry
    run (None on an unbilled warehouse, where nothing is checked).
    """
    if not ctx.warehouse().billed:
        return None
    decision = check_cost(ctx, sql)
    enforce(decision, confirm)
    return decision.dry_run


def run_guarded(ctx: CostContext, sql: str, *, confirm: Confirm | None, limit: int | None = None) -> QueryResult:
    """Run `sql` behind the guard: one dry run and one job on a billed warehouse."""
    approve(ctx, sql, confirm)
    return ctx.warehouse().query(sql, limit=limit, max_bytes_billed=ctx.profile.max_bytes_billed)


def combine(runs: list[DryRun]) -> DryRun:
    """Several dry runs (the batches of one action) as one: sums, and the weakest accuracy."""
    order = ["PRECISE", "UPPER_BOUND", "LOWER_BOUND", UNKNOWN]
    accuracy = max((r.accuracy for r in runs), key=lambda a: order.index(a) if a in order else len(order))
    return DryRun(
        bytes_processed=sum(r.bytes_processed for r in runs),
        cost_usd=sum(r.cost_usd for r in runs),
        estimated=any(r.estimated for r in runs),
        accuracy=accuracy,
    )


def approve_all(ctx: CostContext, sqls: list[str], confirm: Confirm | None) -> DryRun | None:
    """One question for the several queries of one action (verify): each dry-run, their sum decided."""
    warehouse = ctx.warehouse()
    if not warehouse.billed:
        return None
    dry = combine([warehouse.dry_run(sql) for sql in sqls])
    enforce(decide(dry, ctx.profile, billed=True), confirm)
    return dry


def run_approved(ctx: CostContext, sql: str, *, limit: int | None = None) -> QueryResult:
    """Run a query :func:`approve_all` already approved (still capped by max_bytes_billed)."""
    return ctx.warehouse().query(sql, limit=limit, max_bytes_billed=ctx.profile.max_bytes_billed)


def stats_guarded(
    ctx: CostContext, dataset: str, table: str, columns: list[str] | None = None, *, confirm: Confirm | None
) -> TableStats:
    """Column statistics behind the guard: every batch's query is dry-run, one question for all."""
    warehouse = ctx.warehouse()
    if warehouse.billed:
        batches = getattr(warehouse, "column_stats_batches", None)
        sqls = batches(dataset, table, columns) if batches is not None else [
            warehouse.column_stats_sql(dataset, table, columns)
        ]
        dry = combine([warehouse.dry_run(sql) for sql in sqls])
        enforce(decide(dry, ctx.profile, billed=True), confirm)
    return warehouse.column_stats(dataset, table, columns)


def samples_guarded(
    ctx: CostContext, dataset: str, table: str, column: str, limit: int, *, confirm: Confirm | None
) -> list[Any]:
    """Sample values behind the guard: free on a table (rows are listed), a dry-run
    and confirmed query on a view or an external table."""
    warehouse = ctx.warehouse()
    if warehouse.billed:
        sql = warehouse.sample_values_sql(dataset, table, column, limit)
        if sql is not None:
            approve(ctx, sql, confirm)
    return warehouse.sample_values(dataset, table, column, limit)


def cli_confirm(
    yes: bool, *, stdin: TextIO | None = None, stderr: TextIO | None = None, pricing: str = "on-demand"
) -> Confirm:
    """The CLI's confirmation: --yes, else a y/N prompt on the terminal.

    With no terminal to ask (a pipe, cron, CI) it refuses and says to pass --yes,
    rather than wait for an answer that cannot come.
    """

    def confirm(dry: DryRun) -> bool:
        if yes:
            return True
        source = stdin if stdin is not None else sys.stdin
        sink = stderr if stderr is not None else sys.stderr
        asked = question(dry, pricing)
        if source is None or not source.isatty():
            raise Declined(f"{asked[:-1]} needs confirmation and there is no terminal to ask; pass --yes to run it.")
        sink.write(f"{asked} [y/N] ")
        sink.flush()
        answer = source.readline()
        return answer.strip().lower() in ("y", "yes")

    return confirm
