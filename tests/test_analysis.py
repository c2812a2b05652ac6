"""Analysis math: parsing the analysis rows, quality rules, split estimates, JSON."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings, strategies as st

from dataset_tui.domain.analysis import (
    ANALYSIS_COLUMNS,
    AnalysisCounts,
    AnalysisError,
    DailyCount,
    Quality,
    analysis_from_json,
    analysis_to_json,
    parse_analysis,
    split_estimate,
)
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.quality import ISSUE_CODES, MIN_DATE_RANGE_DAYS, MIN_PRODUCTS, MIN_USERS, quality
from dataset_tui.domain.window import months_before
from example_definition import shop_dict

D = dt.date


def definition(**changes):
    data = shop_dict("purchases", typed=True, split={"type": "random", "train_percent": 80})
    data.update(changes)
    return parse_definition(data)


# A dataset a recommender would be happy with: 20 rows per user, 200 per
# product, half a year of data, a sound split.
HEALTHY = AnalysisCounts(
    rows=100_000, users=5_000, products=500, date_min=D(2024, 1, 1), date_max=D(2024, 6, 29),
    train_rows=80_000, eval_rows=20_000, null_key_rows=0, total_revenue=1_234_567.5,
)


def codes(q: Quality) -> list[str]:
    return [i.code for i in q.issues]


# -- parse_analysis ----------------------------------------------------------------


def _duckdb_rows():
    """Run a query of the analysis contract's shape on real DuckDB data; return its rows and the truth."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE t (customer_id VARCHAR, product_id VARCHAR, ts TIMESTAMPTZ, amount DECIMAL(12, 2))"
    )
    data = [
        ("u1", "p1", "2024-03-01 10:00:00+00", "10.50"),
        ("u1", "p2", "2024-03-01 23:59:59+00", "5.25"),
        ("u2", "p1", "2024-03-03 00:00:00+00", None),
        (None, "p3", "2024-03-04 12:00:00+00", "7.00"),
        ("u3", None, None, "1.00"),
    ]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", data)
    sql = """
        WITH base AS (
          SELECT *, CAST(ts AS DATE) AS d,
                 CAST(customer_id IS NOT NULL AND customer_id < 'u2' AS INT) AS is_train
          FROM t)
        SELECT 'total' AS kind, CAST(NULL AS DATE) AS day, COUNT(*) AS rows,
               COUNT(DISTINCT customer_id) AS users, COUNT(DISTINCT product_id) AS products,
               MIN(d) AS date_min, MAX(d) AS date_max,
               SUM(CASE WHEN customer_id IS NOT NULL AND is_train = 1 THEN 1 ELSE 0 END) AS train_rows,
               SUM(CASE WHEN customer_id IS NOT NULL AND is_train = 0 THEN 1 ELSE 0 END) AS eval_rows,
               SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS null_key_rows,
               CAST(SUM(amount) AS DOUBLE) AS total_revenue
        FROM base
        UNION ALL
        SELECT 'day', d, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
        FROM base WHERE d IS NOT NULL GROUP BY d
    """
    cursor = con.execute(sql)
    columns = [c[0] for c in cursor.description]
    rows = cursor.fetchall()
    truth = AnalysisCounts(
        rows=5, users=3, products=3, date_min=D(2024, 3, 1), date_max=D(2024, 3, 4),
        train_rows=2, eval_rows=2, null_key_rows=1, total_revenue=23.75,
        per_day=(DailyCount(D(2024, 3, 1), 2), DailyCount(D(2024, 3, 3), 1), DailyCount(D(2024, 3, 4), 1)),
    )
    return columns, rows, truth


def test_parse_rows_from_duckdb():
    columns, rows, truth = _duckdb_rows()
    assert parse_analysis(columns, rows) == truth


def test_parse_rows_shaped_like_bigquery():
    # The BigQuery client returns INT64 as int, NUMERIC as Decimal, DATE as date;
    # values through REST may also arrive as strings; column order may differ.
    _, _, truth = _duckdb_rows()
    columns = ["KIND", "rows", "day", "users", "products", "date_min", "date_max",
               "train_rows", "eval_rows", "null_key_rows", "total_revenue"]
    rows = [
        ("day", 1, D(2024, 3, 4), None, None, None, None, None, None, None, None),
        ("total", "5", None, 3, Decimal("3"), "2024-03-01",
         dt.datetime(2024, 3, 4, 23, 0, tzinfo=dt.UTC), 2.0, Decimal(2), 1, Decimal("23.75")),
        ("day", Decimal(2), dt.datetime(2024, 3, 1), None, None, None, None, None, None, None, None),
        ("day", "1", "2024-03-03", None, None, None, None, None, None, None, None),
    ]
    assert parse_analysis(columns, rows) == truth


def test_parse_without_roles_or_split():
    row = ("total", None, 42, None, None, None, None, None, None, None, None)
    counts = parse_analysis(ANALYSIS_COLUMNS, [row])
    assert counts == AnalysisCounts(42, None, None, None, None, None, None, None, None, ())


@pytest.mark.parametrize(
    "columns, rows, message",
    [
        (ANALYSIS_COLUMNS[:-1], [], "total_revenue"),
        (ANALYSIS_COLUMNS, [], "0 total rows"),
        (ANALYSIS_COLUMNS, [("total", None, 1) + (None,) * 8] * 2, "2 total rows"),
        (ANALYSIS_COLUMNS, [("total", None, 1.5) + (None,) * 8], "whole number"),
        (ANALYSIS_COLUMNS, [("total", None, "many") + (None,) * 8], "count"),
        (ANALYSIS_COLUMNS, [("total", None, 1) + (None,) * 8, ("week", None, 1) + (None,) * 8], "week"),
        (ANALYSIS_COLUMNS, [("total", None, 1, None, None, "yesterday") + (None,) * 5], "date"),
    ],
)
def test_parse_rejects_malformed_rows(columns, rows, message):
    with pytest.raises(AnalysisError, match=message):
        parse_analysis(columns, rows)


# -- quality rules ----------------------------------------------------------------------


def test_healthy_counts_have_no_issue():
    q = quality(HEALTHY, definition())
    assert q.issues == () and q.score == 1.0


RULES = {
    # code: (counts that break only that rule, definition changes)
    "low_engagement": (replace(HEALTHY, users=80_000), {}),
    "sparse_products": (replace(HEALTHY, products=40_000), {}),
    "cold_start": (replace(HEALTHY, users=50), {}),
    "extreme_sparsity": (replace(HEALTHY, rows=10_000_000, users=4_000_000, products=1_500_000,
                                 train_rows=8_000_000, eval_rows=2_000_000), {}),
    "short_date_range": (replace(HEALTHY, date_max=HEALTHY.date_min + dt.timedelta(days=9)), {}),
    "null_split_keys": (replace(HEALTHY, null_key_rows=500, train_rows=79_600, eval_rows=19_900), {}),
    "empty_train_split": (replace(HEALTHY, train_rows=0, eval_rows=100_000), {}),
    "empty_eval_split": (replace(HEALTHY, train_rows=100_000, eval_rows=0), {}),
    "top_products_keeps_all": (replace(HEALTHY, total_revenue=0.0), {"filters": {"top_products_percent": 80}}),
}


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_fires_alone(code):
    counts, changes = RULES[code]
    q = quality(counts, definition(**changes))
    assert codes(q) == [code]
    issue = q.issues[0]
    assert issue.message.endswith(".") and len(issue.message) > 40
    assert 0 < q.score < 1


def test_rule_codes_are_the_documented_ones():
    assert set(RULES) | {"empty_result", "tfx_unsupported_type"} == set(ISSUE_CODES)


def test_empty_result_is_an_error_and_scores_zero():
    q = quality(replace(HEALTHY, rows=0, users=0, products=0, train_rows=0, eval_rows=0), definition())
    assert codes(q) == ["empty_result"] and q.issues[0].severity == "error"
    assert q.score == 0.0


def test_cold_start_counts_products_too():
    q = quality(replace(HEALTHY, products=10), definition())
    assert codes(q) == ["cold_start"] and "10 products" in q.issues[0].message


def test_thresholds_are_boundaries():
    # Exactly at a threshold is fine; just under it is not.
    assert codes(quality(replace(HEALTHY, users=50_000), None)) == []  # 2.0 rows per user
    assert codes(quality(replace(HEALTHY, users=50_001), None)) == ["low_engagement"]
    start = HEALTHY.date_min
    assert codes(quality(replace(HEALTHY, date_max=start + dt.timedelta(days=MIN_DATE_RANGE_DAYS - 1)), None)) == []
    assert codes(quality(replace(HEALTHY, date_max=start + dt.timedelta(days=MIN_DATE_RANGE_DAYS - 2)), None)) == [
        "short_date_range"
    ]


def test_null_keys_are_info_when_few_and_a_warning_when_many():
    few = quality(replace(HEALTHY, null_key_rows=1_000), definition())
    many = quality(replace(HEALTHY, null_key_rows=10_000), definition())
    assert few.issues[0].severity == "info" and many.issues[0].severity == "warning"
    assert "customer_id" not in few.issues[0].message and "user_id" in few.issues[0].message  # the output name
    timed = quality(replace(HEALTHY, null_key_rows=10), definition(split={"type": "time", "eval_days": 7}))
    assert "NULL timestamp" in timed.issues[0].message


def test_empty_split_messages_name_the_split_setting():
    timed = definition(split={"type": "time", "eval_days": 7})
    message = quality(replace(HEALTHY, train_rows=100_000, eval_rows=0), timed).issues[0].message
    assert "eval_days" in message and "8 days" in message
    message = quality(replace(HEALTHY, train_rows=100_000, eval_rows=0), definition()).issues[0].message
    assert "train_percent (80%)" in message


def test_top_products_rule_is_silent_without_the_filter_or_with_revenue():
    assert codes(quality(replace(HEALTHY, total_revenue=0.0), definition())) == []
    with_filter = definition(filters={"top_products_percent": 80})
    assert codes(quality(replace(HEALTHY, total_revenue=10.0), with_filter)) == []
    assert codes(quality(replace(HEALTHY, total_revenue=None), with_filter)) == []
    negative = quality(replace(HEALTHY, total_revenue=-5.0), with_filter)
    assert codes(negative) == ["top_products_keeps_all"]
    assert "transactions.amount" in negative.issues[0].message


def test_tfx_unsupported_type():
    columns = definition().to_dict()["columns"] + [
        {"table": "transactions", "name": "tags", "type": "ARRAY<STRING>"},
        {"table": "transactions", "name": "device", "type": "STRUCT<os STRING>"},
        {"table": "transactions", "name": "seen", "type": "DATETIME"},
        {"table": "transactions", "name": "flag", "type": "BOOL"},
        {"table": "transactions", "name": "untyped"},
    ]
    q = quality(HEALTHY, definition(columns=columns))
    assert codes(q) == ["tfx_unsupported_type", "tfx_unsupported_type"]
    assert "columns[4]" in q.issues[0].message and "ARRAY<STRING>" in q.issues[0].message
    assert "columns[5]" in q.issues[1].message


def test_rules_without_roles_stay_silent():
    bare = AnalysisCounts(rows=3, users=None, products=None, date_min=None, date_max=None,
                          train_rows=None, eval_rows=None, null_key_rows=None)
    assert quality(bare, None).issues == ()


def test_errors_come_first():
    counts = replace(HEALTHY, users=80_000, train_rows=0, eval_rows=100_000)
    assert [i.severity for i in quality(counts, definition()).issues] == ["error", "warning"]


def test_more_problems_lower_the_score():
    steps = [
        HEALTHY,
        replace(HEALTHY, null_key_rows=1_000),
        replace(HEALTHY, null_key_rows=1_000, users=80_000),
        replace(HEALTHY, null_key_rows=1_000, users=80_000, products=40_000),
        replace(HEALTHY, null_key_rows=1_000, users=80_000, products=40_000, date_max=D(2024, 1, 5)),
        replace(HEALTHY, null_key_rows=1_000, users=80_000, products=40_000, date_max=D(2024, 1, 5), eval_rows=0),
    ]
    scores = [quality(c, definition()).score for c in steps]
    assert all(a > b for a, b in itertools.pairwise(scores)), scores
    assert [len(quality(c, definition()).issues) for c in steps] == [0, 1, 2, 3, 4, 5]


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(1, 10**8),
    users=st.integers(1, 10**7),
    products=st.integers(1, 10**6),
    span=st.integers(1, 400),
    null_keys=st.integers(0, 10**6),
    worse=st.sampled_from(["users", "products", "span", "null_keys", "eval"]),
)
def test_score_is_monotone(rows, users, products, span, null_keys, worse):
    """Making any one thing worse never raises the score; a new issue lowers it.

    "Worse" means worse for every rule: more users lowers engagement, but
    below MIN_USERS it would also cure a cold start, so it is only tried above.
    """
    null_keys = min(null_keys, rows)
    assume(worse != "users" or users >= MIN_USERS)
    assume(worse != "products" or products >= MIN_PRODUCTS)
    counts = AnalysisCounts(rows, users, products, D(2024, 1, 1), D(2024, 1, 1) + dt.timedelta(days=span - 1),
                            rows - null_keys, 0 if rows == null_keys else 1, null_keys)
    if worse == "users":
        bad = replace(counts, users=users * 10)
    elif worse == "products":
        bad = replace(counts, products=products * 10)
    elif worse == "span":
        bad = replace(counts, date_max=counts.date_min)
    elif worse == "null_keys":
        bad = replace(counts, null_key_rows=counts.rows)
    else:
        bad = replace(counts, eval_rows=0)
    d = definition()
    before, after = quality(counts, d), quality(bad, d)
    assert 0.0 <= after.score <= before.score <= 1.0
    if set(codes(after)) > set(codes(before)) or len(after.issues) > len(before.issues):
        assert after.score < before.score


# -- split estimates -------------------------------------------------------------------------


def test_no_split_no_estimate():
    assert split_estimate(definition(split=None), HEALTHY, today=D(2024, 7, 1)) is None


def test_measured_split():
    est = split_estimate(definition(), replace(HEALTHY, null_key_rows=7), today=D(2024, 7, 1))
    assert (est.train_rows, est.eval_rows, est.train_fraction, est.method) == (80_000, 20_000, 0.8, "measured")
    assert "7" in est.note


def test_random_split_estimated():
    est = split_estimate(definition(split={"type": "random", "train_percent": 70}), None, today=D(2024, 7, 1))
    assert (est.train_rows, est.eval_rows, est.train_fraction, est.method) == (None, None, 0.7, "estimated")
    counts = replace(HEALTHY, train_rows=None, eval_rows=None, null_key_rows=1_000)
    est = split_estimate(definition(split={"type": "random", "train_percent": 70}), counts, today=D(2024, 7, 1))
    assert (est.train_rows, est.eval_rows) == (69_300, 29_700)  # 70% of the 99,000 rows with a key


def test_time_split_from_daily_counts():
    # 1..10 January with n rows on day n; eval_days=2 up to 10 January: 8, 9, 10 January.
    per_day = tuple(DailyCount(D(2024, 1, n), n) for n in range(1, 11))
    counts = AnalysisCounts(55, None, None, D(2024, 1, 1), D(2024, 1, 10), None, None, None, per_day=per_day)
    est = split_estimate(definition(split={"type": "time", "eval_days": 2}), counts, today=D(2024, 1, 10))
    assert (est.train_rows, est.eval_rows) == (28, 27)
    assert est.method == "estimated" and est.train_fraction == round(28 / 55, 4)
    # A fixed range anchors at its end, whatever today is.
    fixed = definition(
        filters={"date_range": {"type": "fixed", "start": "2024-01-01", "end": "2024-01-05"}},
        split={"type": "time", "eval_days": 1},
    )
    est = split_estimate(fixed, counts, today=D(2030, 1, 1))
    # Eval is 4 and 5 January (cutoff..anchor); days after the anchor are in neither.
    assert (est.train_rows, est.eval_rows) == (6, 9)


def test_time_split_from_the_data_dates_assumes_even_rows():
    counts = replace(HEALTHY, date_min=D(2024, 1, 1), date_max=D(2024, 1, 10), rows=1000,
                     train_rows=None, eval_rows=None)
    est = split_estimate(definition(split={"type": "time", "eval_days": 4}), counts, today=D(2024, 1, 10))
    assert (est.train_rows, est.eval_rows, est.train_fraction) == (500, 500, 0.5)  # 6..10 Jan in eval


def test_time_split_from_the_definition_alone():
    fixed = definition(
        filters={"date_range": {"type": "fixed", "start": "2024-01-01", "end": "2024-01-31"}},
        split={"type": "time", "eval_days": 6},
    )
    est = split_estimate(fixed, None, today=D(2024, 6, 1))
    assert est.train_rows is None and est.train_fraction == round(24 / 31, 4)  # eval 25..31 Jan
    rolling = definition(
        filters={"date_range": {"type": "rolling", "months": 1}},
        split={"type": "time", "eval_days": 6},
    )
    # 29 Feb .. 31 Mar 2024 is 32 days; eval is 25..31 March.
    est = split_estimate(rolling, None, today=D(2024, 3, 31))
    assert est.train_fraction == round(25 / 32, 4)
    all_time = definition(split={"type": "time", "eval_days": 6})
    est = split_estimate(all_time, None, today=D(2024, 3, 31))
    assert est.train_fraction is None and "7 days" in est.note


def test_months_before_matches_duckdb_date_arithmetic():
    import duckdb

    days = [D(2024, 3, 31), D(2023, 3, 31), D(2024, 1, 15), D(2024, 12, 31), D(2024, 5, 31), D(2020, 2, 29)]
    months = [1, 1, 13, 2, 3, 12, 120]
    for day in days:
        for n in months:
            (expected,) = duckdb.execute("SELECT CAST(CAST(? AS DATE) - to_months(?) AS DATE)", [day, n]).fetchone()
            assert months_before(day, n) == expected, (day, n)


# -- JSON ------------------------------------------------------------------------------------------


def test_json_shape_and_round_trip():
    _, _, counts = _duckdb_rows()
    d = definition()
    q = quality(counts, d)
    data = analysis_to_json(counts, q, d)
    assert {"rows", "users", "products", "date_min", "date_max", "split", "quality"} <= set(data)
    assert set(data["split"]) == {"train_rows", "eval_rows", "null_key_rows"}
    assert set(data["quality"]) == {"score", "issues"}
    assert data["date_min"] == "2024-03-01" and data["rows"] == 5
    assert {"code", "severity", "message"} == set(data["quality"]["issues"][0])
    text = json.dumps(data)
    assert analysis_from_json(json.loads(text)) == (counts, q)


def test_json_split_is_null_without_a_split():
    counts = replace(HEALTHY, train_rows=None, eval_rows=None, null_key_rows=None)
    data = analysis_to_json(counts, quality(counts, None), definition(split=None))
    assert data["split"] is None
    back, _ = analysis_from_json(data)
    assert back == counts


@pytest.mark.parametrize(
    "broken",
    [
        [],
        {"rows": 1},
        {"rows": 1, "quality": {"score": 2.0, "issues": []}},
        {"rows": 1, "quality": {"score": 1.0, "issues": [{"code": "x", "severity": "fatal", "message": "m"}]}},
        {"rows": 1, "split": [1, 2], "quality": {"score": 1.0, "issues": []}},
        {"rows": "lots", "quality": {"score": 1.0, "issues": []}},
    ],
)
def test_malformed_json_is_an_analysis_error(broken):
    with pytest.raises(AnalysisError):
        analysis_from_json(broken)
