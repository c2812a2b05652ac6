"""How good a dataset's rows are for training a recommender, judged from its analysis counts.

Each rule looks at the counts (and the definition, when at hand) and names a
problem with a stable code, a severity and a message that says what to
change; the score is 1 with no issue and every issue lowers it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataset_tui.domain.analysis import (
    AnalysisCounts,
    Quality,
    QualityIssue,
    Severity,
    thousands,
)
from dataset_tui.domain.definition import Definition, RandomSplit, TimeSplit
from dataset_tui.domain.tfx_types import tfx_readable

# Thresholds. Each is where a recommender starts to suffer, not a hard limit.
# Below 2 rows per user on average most users appear once: nothing to learn
# about their taste, and nothing left to evaluate on once one row is held out.
MIN_ROWS_PER_USER = 2.0
# Below 5 rows per product most products are seen too rarely to learn an
# embedding; they are noise in the catalogue.
MIN_ROWS_PER_PRODUCT = 5.0
# With fewer users or products than this a model memorises rather than
# generalises, and new users or products (cold start) dominate evaluation.
MIN_USERS = 100
MIN_PRODUCTS = 20
# Under 0.001 % of user–product pairs observed, collaborative filtering has
# almost no overlap between users to learn from (MovieLens is ~4 %, large
# retail logs ~0.01 %).
MIN_DENSITY = 1e-5
# Less than four weeks does not show each weekday more than three times nor
# any monthly pattern, and leaves a time split little to train on.
MIN_DATE_RANGE_DAYS = 28
# Up to this share of rows with a NULL split key is normal (anonymous users);
# above it the split silently loses a real part of the data.
NULL_KEY_WARNING_SHARE = 0.05

# How much each issue lowers the score (it is multiplied by 1 - penalty), so
# every extra issue lowers it and an empty result drives it to zero.
SEVERITY_PENALTY: dict[str, float] = {"info": 0.05, "warning": 0.2, "error": 0.6}
EMPTY_RESULT_PENALTY = 1.0

# The stable codes, for the UI and scripts that act on them.
ISSUE_CODES = (
    "empty_result",
    "empty_train_split",
    "empty_eval_split",
    "low_engagement",
    "sparse_products",
    "cold_start",
    "extreme_sparsity",
    "short_date_range",
    "null_split_keys",
    "top_products_keeps_all",
    "tfx_unsupported_type",
)

def _issue(code: str, severity: Severity, message: str) -> QualityIssue:
    return QualityIssue(code, severity, message)


def score_of(issues: Sequence[QualityIssue]) -> float:
    """1 with no issue; each issue multiplies by (1 - its penalty)."""
    score = 1.0
    for issue in issues:
        penalty = EMPTY_RESULT_PENALTY if issue.code == "empty_result" else SEVERITY_PENALTY[issue.severity]
        score *= 1.0 - penalty
    return round(score, 4)


def quality(counts: AnalysisCounts, definition: Definition | None = None) -> Quality:
    """Quality issues for a recommender, worst first, and a 0–1 score."""
    issues: list[QualityIssue] = []
    if counts.rows <= 0:
        issues.append(_issue(
            "empty_result", "error",
            "The dataset has no rows. Widen the date range, lower the minimum transactions, "
            "raise the top products percentage, or check the joins (an inner join drops unmatched rows).",
        ))
        return Quality(score_of(issues), tuple(issues))
    issues += _split_issues(counts, definition)
    issues += _shape_issues(counts)
    issues += _definition_issues(counts, definition)
    order = {"error": 0, "warning": 1, "info": 2}
    issues.sort(key=lambda i: order[i.severity])  # stable: rule order within a severity
    return Quality(score_of(issues), tuple(issues))


def _split_issues(counts: AnalysisCounts, d: Definition | None) -> list[QualityIssue]:
    out: list[QualityIssue] = []
    split = d.split if d is not None else None
    if counts.train_rows is not None and counts.eval_rows is not None:
        if isinstance(split, TimeSplit):
            train_fix = (
                f"the train split needs rows older than the last {split.eval_days + 1} days: "
                "lower eval_days or widen the date range"
            )
            eval_fix = (
                f"the eval split is the last {split.eval_days + 1} days up to the anchor date and holds "
                "no rows: raise eval_days, or move a fixed date range to where the data is"
            )
        elif isinstance(split, RandomSplit):
            train_fix = (
                f"every split key hashed into eval: raise train_percent ({split.train_percent}%) "
                "or hash a key with more distinct values"
            )
            eval_fix = (
                f"every split key hashed into train: lower train_percent ({split.train_percent}%) "
                "or hash a key with more distinct values"
            )
        else:
            train_fix = eval_fix = "change the split"
        if counts.train_rows == 0:
            out.append(_issue("empty_train_split", "error", f"The train split has no rows; {train_fix}."))
        if counts.eval_rows == 0:
            out.append(_issue("empty_eval_split", "error", f"The eval split has no rows; {eval_fix}."))
    if counts.null_key_rows:
        share = counts.null_key_rows / counts.rows
        if isinstance(split, TimeSplit):
            key = "timestamp"
        else:
            column = d.split_key() if d is not None else None
            key = f"split key ({column.output_name})" if column is not None else "split key"
        severity: Severity = "warning" if share > NULL_KEY_WARNING_SHARE else "info"
        out.append(_issue(
            "null_split_keys", severity,
            f"{thousands(counts.null_key_rows)} rows ({share:.1%}) have a NULL {key} and are in neither "
            "train nor eval. Filter them out upstream or choose a split key that is always set.",
        ))
    return out


def _shape_issues(c: AnalysisCounts) -> list[QualityIssue]:
    out: list[QualityIssue] = []
    if c.users:
        per_user = c.rows / c.users
        if per_user < MIN_ROWS_PER_USER:
            out.append(_issue(
                "low_engagement", "warning",
                f"Users have {per_user:.2f} rows each on average (under {MIN_ROWS_PER_USER:g}): most appear "
                "once, so a model learns little about them. Set minimum transactions to 2 or more, "
                "or widen the date range.",
            ))
    if c.products:
        per_product = c.rows / c.products
        if per_product < MIN_ROWS_PER_PRODUCT:
            out.append(_issue(
                "sparse_products", "warning",
                f"Products have {per_product:.2f} rows each on average (under {MIN_ROWS_PER_PRODUCT:g}): "
                "most are seen too rarely to learn from. Keep only the top products by revenue "
                "(for example 80%), or widen the date range.",
            ))
    few = []
    if c.users is not None and c.users < MIN_USERS:
        few.append(f"{thousands(c.users)} users (under {MIN_USERS})")
    if c.products is not None and c.products < MIN_PRODUCTS:
        few.append(f"{thousands(c.products)} products (under {MIN_PRODUCTS})")
    if few:
        out.append(_issue(
            "cold_start", "warning",
            f"Only {' and '.join(few)}: too few for a model to generalise, and new ones will dominate "
            "evaluation. Widen the date range or relax the filters.",
        ))
    if c.users and c.products:
        density = c.rows / (c.users * c.products)
        if density < MIN_DENSITY:
            out.append(_issue(
                "extreme_sparsity", "warning",
                f"Only {density:.5%} of user–product pairs have a row (under {MIN_DENSITY:.3%}): "
                "users share too few products for collaborative filtering. Keep the top products "
                "and set minimum transactions to concentrate the data.",
            ))
    span = c.date_span_days
    if span is not None and span < MIN_DATE_RANGE_DAYS:
        out.append(_issue(
            "short_date_range", "warning",
            f"The data spans only {span} day{'s' if span != 1 else ''} ({c.date_min} to {c.date_max}; "
            f"under {MIN_DATE_RANGE_DAYS}): too short for weekly patterns or a fair time split. "
            "Widen the date range.",
        ))
    return out


def _definition_issues(c: AnalysisCounts, d: Definition | None) -> list[QualityIssue]:
    if d is None:
        return []
    out: list[QualityIssue] = []
    percent = d.filters.top_products_percent
    if percent is not None and c.total_revenue is not None and c.total_revenue <= 0:
        revenue = d.role_column("revenue")
        where = f" ({revenue.table}.{revenue.name})" if revenue is not None else ""
        out.append(_issue(
            "top_products_keeps_all", "warning",
            f"Total revenue{where} is {c.total_revenue:g}, not above zero, so the top {percent}% "
            "products filter keeps every product. Check the revenue column or remove the filter.",
        ))
    for i, column in enumerate(d.columns):
        base = column.base_type
        if base is not None and not tfx_readable(base):
            out.append(_issue(
                "tfx_unsupported_type", "warning",
                f"columns[{i}] {column.table}.{column.name} is {column.type}, which TFX BigQueryExampleGen "
                "cannot read (only INT64, FLOAT64, BOOL, STRING and castable dates and numbers): "
                "the TFX export will refuse it. Drop the column or select a field inside it.",
            ))
    return out
