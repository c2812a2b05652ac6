"""Text the screens show about a dataset: configuration, analysis, quality, SQL tabs.

Pure formatting (Rich markup strings) so the detail, history and compare
screens and the wizard's summary say things the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.markup import escape as _escape_markup

from dataset_tui.domain.split_names import SPLIT_NAMES, SplitName
from dataset_tui.text_safety import safe


def escape(text: str) -> str:
    """User text for Rich markup: terminal controls shown as escapes, markup made literal."""
    return _escape_markup(safe(text))


def plural(n: int, word: str, words: str | None = None) -> str:
    """1 dataset, 2 datasets: the count with its noun in the right number."""
    return f"{n:,} {word if n == 1 else words or word + 's'}"


def count_text(n: int | None) -> str:
    """1234567 → 1.2M: a row count at a glance."""
    if n is None:
        return "—"
    for unit, size in (("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)


def filters_text(definition: Any) -> list[str]:
    # Imported here: describe pulls in the definition models, which the home
    # list (plural, count_text) does not need before its first frame.
    from dataset_tui.domain.describe import date_range_text, split_text

    f = definition.filters
    lines = [f"dates     {date_range_text(f)}"]
    if f.top_products_percent is not None:
        lines.append(f"products  top {f.top_products_percent}% by revenue")
    if f.min_transactions is not None:
        lines.append(f"users     ≥ {f.min_transactions} transactions")
    lines.append(f"split     {split_text(definition)}")
    return lines


def configuration(head: Any, version: Any) -> str:
    d = version.definition
    lines = [f"[b]{escape(head.name)}[/b]  [dim]{escape(head.badge)}[/dim]"]
    if d.description:
        lines.append(f"[i]{escape(d.description)}[/i]")
    lines.append("")
    joins = ", ".join(f"{j.type} {j.table}" for j in d.source.joins) or "no joins"
    lines.append(f"source    {escape(d.source.dataset)}.{escape(d.source.primary)} ({escape(joins)})")
    roles = [f"{c.role}={c.table}.{c.name}" for c in d.columns if c.role]
    features = [c.output_name for c in d.columns if not c.role]
    lines.append(f"roles     {escape(', '.join(roles)) or '—'}")
    lines.append(f"features  {escape(', '.join(features)) or '—'}")
    lines += [escape(line) for line in filters_text(d)]
    author = escape(version.author or "")
    lines.append(f"[dim]showing v{version.number} · {version.created_at:%Y-%m-%d %H:%M} · {author}[/dim]")
    return "\n".join(lines)


def _n(value: Any) -> str:
    return "—" if value is None else f"{value:,}"


def analysis(cached: Any) -> str:
    if cached is None:
        return "[b]Analysis[/b]\n[dim]not analyzed yet: press r[/dim]"
    r = cached.result
    computed = cached.computed_at
    when = computed.strftime("%Y-%m-%d %H:%M") if isinstance(computed, dt.datetime) else str(computed)
    stale = "  [reverse yellow] stale [/]" if cached.stale else ""
    pinned = f"  [dim]as of {escape(str(r.get('as_of')))}[/dim]" if r.get("live") is False else ""
    lines = [f"[b]Analysis[/b]  [dim]{when}[/dim]{pinned}{stale}"]
    if cached.stale:
        lines.append("[yellow]The definition changed since: press r to analyze again.[/yellow]")
    lines.append(f"rows      {_n(r.get('rows'))}")
    lines.append(f"users     {_n(r.get('users'))}")
    lines.append(f"products  {_n(r.get('products'))}")
    if r.get("date_min"):
        lines.append(f"dates     {r['date_min']} → {r['date_max']}")
    split = r.get("split")
    if split:
        train, evl = split.get("train_rows") or 0, split.get("eval_rows") or 0
        total = train + evl
        share = f" ({100 * train / total:.1f}% / {100 * evl / total:.1f}%)" if total else ""
        lines.append(f"train     {_n(train)}")
        lines.append(f"eval      {_n(evl)}{share}")
        if split.get("null_key_rows"):
            lines.append(f"no split  {_n(split['null_key_rows'])} rows with a NULL key")
    return "\n".join(lines)


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def quality(cached: Any) -> str:
    if cached is None:
        return ""
    q = cached.result.get("quality") or {}
    issues = q.get("issues") or []
    score = q.get("score")
    head = f"[b]Quality[/b]  {score:.2f}" if isinstance(score, (int, float)) else "[b]Quality[/b]"
    if not issues:
        return head + "\n[green]no issues found[/green]"
    lines = [head]
    for issue in issues:
        style = SEVERITY_STYLE.get(issue.get("severity"), "")
        lines.append(f"[{style}]{issue.get('severity', '')}[/] {escape(issue.get('message', ''))}")
    return "\n".join(lines)


def sql_texts(definition: Any, *, label: str, project: str | None, as_of: dt.date | None = None) -> dict[str, str]:
    """SQL for each tab; where one cannot be made, an SQL comment saying why."""
    from dataset_tui.domain import sqlgen

    texts: dict[str, str] = {}
    for split in SPLIT_NAMES:
        if split != "full" and definition.split is None:
            texts[split] = "-- This dataset has no train/eval split: add one in the wizard (e)."
            continue
        try:
            texts[split] = sqlgen.generate_sql(definition, split, project=project, as_of=as_of, label=label)
        except sqlgen.SqlGenError as exc:
            texts[split] = f"-- {exc}"
    try:
        if definition.split is None:
            raise sqlgen.SqlGenError("TFX needs a train/eval split: add one in the wizard (e).")
        parts = []
        tfx_splits: tuple[SplitName, ...] = ("train", "eval")
        for split in tfx_splits:
            sql = sqlgen.generate_sql(definition, split, project=project, as_of=as_of, tfx=True, label=label)
            parts.append(f"-- BigQueryExampleGen input_config split '{split}':\n{sql}")
        texts["tfx"] = "\n\n".join(parts)
    except sqlgen.SqlGenError as exc:
        texts["tfx"] = "-- " + str(exc).replace("\n", "\n-- ")
    return texts


def _unified(a: str, b: str, a_name: str, b_name: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True), a_name, b_name, n=3)
    )


def sql_diff(old: Any, new: Any, *, project: str | None, split: SplitName = "full") -> str:
    """Unified diff of the SQL two versions generate (pinned to one as-of date, so only rules differ)."""
    from dataset_tui.domain import clock, sqlgen

    today = clock.today()

    def sql(v: Any) -> str:
        try:
            # Each side names its own version (an empty label reads "unsaved definition").
            label = f"{v.definition.name} v{v.number}"
            return sqlgen.generate_sql(v.definition, split, project=project, as_of=today, label=label)
        except sqlgen.SqlGenError as exc:
            return f"-- {exc}\n"

    return _unified(sql(old), sql(new), f"v{old.number} {split}.sql", f"v{new.number} {split}.sql")
