"""The wizard draft's problems: which numbers are not numbers, what each step still misses,
which step shows a field, and every message in the screen's words.

Split from draft.py (the draft's data and edits): these read a draft, never change it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from dataset_tui.domain.definition import NAME_RE, Problem

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.draft import ColumnKey, WizardDraft


def number_problems(draft: WizardDraft, up_to_step: int = 4) -> tuple[dict[str, Any], list[Problem]]:
    """Filters and split as file data, plus problems for numbers that are not numbers."""
    problems: list[Problem] = []
    if up_to_step < 4:
        return {}, problems
    filters: dict[str, Any] = {}

    def number(text: str, path: str, what: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            problems.append(Problem(path=path, message=f"must be a whole number (got {text!r})"))
            return None
        return int(text)

    if draft.date_mode == "rolling":
        months = number(draft.months, "filters.date_range.months", "months")
        if months is None and not any(p.path == "filters.date_range.months" for p in problems):
            problems.append(Problem(path="filters.date_range.months", message="how many months back? (1 to 120)"))
        filters["date_range"] = {"type": "rolling", "months": months if months is not None else 0}
    elif draft.date_mode == "fixed":
        rng: dict[str, Any] = {"type": "fixed"}
        for key, text in (("start", draft.start), ("end", draft.end)):
            value = text.strip()
            if not value:
                problems.append(Problem(path=f"filters.date_range.{key}", message="required (YYYY-MM-DD)"))
            rng[key] = value
        filters["date_range"] = rng
    top = number(draft.top_percent, "filters.top_products_percent", "top products percent")
    if top is not None:
        filters["top_products_percent"] = top
    mint = number(draft.min_transactions, "filters.min_transactions", "minimum transactions")
    if mint is not None:
        filters["min_transactions"] = mint
    split: dict[str, Any] | None = None
    if draft.split_mode == "time":
        days = number(draft.eval_days, "split.eval_days", "eval days")
        if days is None and not any(p.path == "split.eval_days" for p in problems):
            problems.append(Problem(path="split.eval_days", message="how many days for eval? (1–3650)"))
        split = {"type": "time", "eval_days": days if days is not None else 0}
    elif draft.split_mode == "random":
        pct = number(draft.train_percent, "split.train_percent", "train percent")
        if pct is None and not any(p.path == "split.train_percent" for p in problems):
            problems.append(Problem(path="split.train_percent", message="what share goes to train? (1–99)"))
        split = {"type": "random", "train_percent": pct if pct is not None else 0}
        if draft.split_key:
            split["key"] = draft.split_key
    return {"filters": filters, "split": split}, problems


def basic_problems(draft: WizardDraft) -> list[Problem]:
    name = draft.name.strip()
    if not name:
        return [Problem(path="name", message="a dataset needs a name")]
    if len(name) > 64:
        return [Problem(path="name", message=f"{len(name)} characters: a name has at most 64")]
    if not NAME_RE.match(name):
        return [
            Problem(
                path="name",
                message="1–64 characters: a letter first, then letters, digits, _ or -",
            )
        ]
    return []

def table_problems(draft: WizardDraft) -> list[Problem]:
    if not draft.primary:
        return [Problem(path="source.primary", message="choose the primary table (enter)")]
    problems = []
    for table in draft.secondary:
        join = draft.join_for(table)
        if join is None or not join.on:
            problems.append(
                Problem(
                    path=f"source.joins.{table}",
                    message=f"{table} has no join: add one (a) or unselect the table (space)",
                )
            )
    return problems

def date_problems(draft: WizardDraft) -> list[Problem]:
    problems = []
    if draft.date_mode == "fixed":
        for key, text in (("start", draft.start), ("end", draft.end)):
            value = text.strip()
            if value and not is_date(value):
                problems.append(
                    Problem(path=f"filters.date_range.{key}", message=f"{value!r} is not a date written YYYY-MM-DD")
                )
    return problems


def is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def hidden(problem: Problem, up_to_step: int) -> bool:
    """Problems about a step not yet reached (its fields are stand-ins)."""
    if up_to_step < 3 and problem.path.startswith("columns"):
        return True
    return up_to_step < 2 and problem.path.startswith("source")


def dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if p.path in seen:
            continue  # one message per field: the first is the most specific
        seen.add(p.path)
        out.append(p)
    return out


def step_of(path: str) -> int:
    """Which step (1–4) shows the field at `path`."""
    if path in ("name", "description", "model", "format", ""):
        return 1
    if path.startswith("source"):
        return 2
    if path.startswith("columns"):
        return 3
    return 4


def join_index_table(draft: WizardDraft, path: str) -> str | None:
    """The joined table a `source.joins[i]...` path is about (in `ordered_joins` order)."""
    m = re.match(r"source\.joins\[(\d+)\]", path)
    if m:
        joins = draft.ordered_joins()
        i = int(m.group(1))
        return joins[i].table if i < len(joins) else None
    m = re.match(r"source\.joins\.([^.\[]+)", path)
    return m.group(1) if m else None


def column_index_key(draft: WizardDraft, path: str) -> ColumnKey | None:
    """The column a `columns[i]...` path is about (in output order)."""
    m = re.match(r"columns\[(\d+)\]", path)
    if not m:
        return None
    selected = draft.selected_columns()
    i = int(m.group(1))
    return selected[i].key if i < len(selected) else None


# Step 4's fields as the screen labels them, with the range the definition
# accepts: a problem at one of these paths is said in these words
# ("Top products %: must be between 1 and 99"), not in the parser's.
FIELD_WORDS: dict[str, tuple[str, int | None, int | None]] = {
    "filters.date_range.months": ("Months", 1, 120),
    "filters.date_range.start": ("Start", None, None),
    "filters.date_range.end": ("End", None, None),
    "filters.top_products_percent": ("Top products %", 1, 99),
    "filters.min_transactions": ("Min transactions", 1, None),
    "split.eval_days": ("Eval days", 1, 3650),
    "split.train_percent": ("Train %", 1, 99),
}

ALIAS_WORDS = "a letter or _ first, then letters, digits or _ (at most 128 characters)"


def _in_words(path: str, message: str) -> str:
    words = FIELD_WORDS.get(path)
    if words is None:
        return message
    label, low, high = words
    if re.match(r"Input should be (greater|less) than", message) and low is not None:
        message = f"must be between {low} and {high}" if high is not None else f"must be at least {low}"
    return f"{label}: {message}"


def readable(draft: WizardDraft, problems: list[Problem]) -> list[Problem]:
    """Messages in the screen's words: `columns[3]` spelled as the column
    (`transactions.amount`), step 4's problems led by their field's label, an
    alias rule in words rather than as a pattern."""
    selected = draft.selected_columns()

    def name(match: re.Match[str]) -> str:
        i = int(match.group(1))
        return f"{selected[i].table}.{selected[i].name}" if i < len(selected) else match.group(0)

    out = []
    for p in problems:
        message = re.sub(r"columns\[(\d+)\]", name, p.message)
        if p.path.endswith(".alias"):
            message = re.sub(r" is not allowed \(must match .*\)$", ": " + ALIAS_WORDS, message)
        out.append(Problem(path=p.path, message=_in_words(p.path, message)))
    return out
