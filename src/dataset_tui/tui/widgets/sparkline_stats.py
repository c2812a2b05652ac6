"""ColumnStatsPanel: one column's statistics and its distribution as a sparkline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from dataset_tui.domain.types import base_type


def value_text(value: Any) -> str:
    """A statistic as people read it: thousands separators, short floats, ISO dates."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):
        number = float(value)
        if abs(number) >= 1e6:
            return f"{number:,.0f}"
        return f"{number:,.2f}" if abs(number) >= 1 else f"{number:.4g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 28 else text[:27] + "…"


def stats_lines(stats: Any) -> list[str]:
    """Rich-markup lines of one ColumnStats (without its histogram)."""
    lines = [f"rows      {value_text(stats.count)}"]
    if stats.count:
        share = 100 * stats.null_count / stats.count
        lines.append(f"nulls     {value_text(stats.null_count)} ({share:.1f}%)")
    else:
        lines.append(f"nulls     {value_text(stats.null_count)}")
    approx = " ≈" if stats.approximate_distinct else ""
    lines.append(f"distinct  {value_text(stats.distinct_count)}{approx}")
    if stats.min is not None or stats.max is not None:
        lines.append(f"min       {escape(value_text(stats.min))}")
        lines.append(f"max       {escape(value_text(stats.max))}")
    if stats.mean is not None:
        lines.append(f"mean      {value_text(stats.mean)}")
    if stats.stddev is not None:
        lines.append(f"stddev    {value_text(stats.stddev)}")
    if stats.range_days is not None:
        lines.append(f"range     {value_text(stats.range_days)} days")
    return lines


def is_top_values(stats: Any) -> bool:
    """Top values (strings, booleans) rather than ranges over numbers or time."""
    return base_type(stats.type) in ("STRING", "BOOL")


class ColumnStatsPanel(VerticalScroll):
    """The highlighted column: what it is, its statistics, its distribution, samples."""

    DEFAULT_CSS = """
    ColumnStatsPanel { padding: 0 1; }
    ColumnStatsPanel #stats-title { text-style: bold; height: auto; }
    ColumnStatsPanel #stats-body { height: auto; }
    ColumnStatsPanel #stats-spark { height: 3; margin: 0 0; }
    ColumnStatsPanel #stats-axis { height: auto; color: $text-muted; }
    ColumnStatsPanel #stats-samples { height: auto; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="stats-title")
        yield Static("", id="stats-body")
        yield Sparkline([], id="stats-spark")
        yield Static("", id="stats-axis")
        yield Static("", id="stats-samples")

    def on_mount(self) -> None:
        self.query_one("#stats-spark", Sparkline).display = False

    _shown: dict[str, str] | None = None  # widget id → the text it shows now

    def _set(self, widget: Static, text: str) -> None:
        # Each update re-lays the panel out; the wizard shows the panel again on
        # every return to the columns step, mostly with the same text.
        shown = self._shown if self._shown is not None else {}
        self._shown = shown
        if shown.get(widget.id or "") != text:
            shown[widget.id or ""] = text
            widget.update(text)

    def show(
        self,
        *,
        title: str,
        subtitle: str,
        stats: Any | None,
        state: str = "",
        samples: Sequence[Any] | None = None,
    ) -> None:
        """`stats` (a ColumnStats) or, when None, `state` saying why there are none."""
        self._set(self.query_one("#stats-title", Static), f"{escape(title)}\n[dim]{escape(subtitle)}[/dim]")
        spark = self.query_one("#stats-spark", Sparkline)
        axis = self.query_one("#stats-axis", Static)
        body = self.query_one("#stats-body", Static)
        if stats is None:
            self._set(body, state)
            spark.display = False
            self._set(axis, "")
        else:
            self._set(body, "\n".join(stats_lines(stats)))
            bins = list(stats.histogram)
            if bins and not is_top_values(stats):
                spark.data = [float(b.count) for b in bins]
                spark.display = True
                self._set(axis, self._axis(stats, bins))
            else:
                # Values are categories, not points on an axis: a sparkline
                # would draw a shape that means nothing. Bars per value instead.
                spark.display = False
                self._set(axis, self._top_values(bins) if bins else "")
        samples_widget = self.query_one("#stats-samples", Static)
        if samples is None:
            self._set(samples_widget, "[dim]v: sample values[/dim]")
        elif not samples:
            self._set(samples_widget, "[b]samples[/b]  (none: every value is NULL)")
        else:
            shown = ", ".join(escape(value_text(v)) for v in samples[:12])
            self._set(samples_widget, f"[b]samples[/b]  {shown}")

    @staticmethod
    def _top_values(bins: list[Any]) -> str:
        total = sum(b.count for b in bins) or 1
        width = max(len(value_text(b.label)) for b in bins)
        lines = ["[b]top values[/b]"]
        for b in bins:
            share = b.count / total
            # A sliver for values too rare for a whole cell, so a unique
            # column does not look like five values with a tenth each.
            bar = "█" * round(share * 10) or ("▏" if b.count else "")
            percent = f"{100 * share:.0f}%" if share >= 0.01 or not b.count else "<1%"
            label = escape(value_text(b.label).ljust(width))
            lines.append(f"{label} [$accent]{bar:<10}[/] {percent:>4} {b.count:,}")
        return "\n".join(lines)

    @staticmethod
    def _axis(stats: Any, bins: list[Any]) -> str:
        first = bins[0].label.split(" – ")[0]
        last = bins[-1].label.split(" – ")[-1]
        return f"{escape(first)} … {escape(last)}  ({len(bins)} bins)"
