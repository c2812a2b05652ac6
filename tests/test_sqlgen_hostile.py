"""Hostile definitions: refused with a field path, or one SELECT that carries no user text outside
backtick-quoted identifiers and `--` comments, with dates and numbers only as validated literals."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlglot
from hypothesis import HealthCheck, event, given, settings, strategies as st
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import (
    Definition,
    DefinitionError,
    FixedRange,
    RandomSplit,
    RollingRange,
    TimeSplit,
    parse_definition,
)
from dataset_tui.domain.sqlformat import PROJECT_RE, SqlGenError, comment_safe, quote_ident, table_ref
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.domain.table_refs import column_part_problem

# Every unquoted word and symbol the generator may write. Anything else
# outside a quoted identifier, a validated literal or a comment is a leak.
VOCABULARY = {
    "WITH", "AS", "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "BETWEEN",
    "GROUP BY", "GROUP", "BY", "HAVING", "ORDER BY", "ORDER", "DESC", "ASC", "ROWS", "UNBOUNDED",
    "PRECEDING", "OVER", "LEFT", "INNER", "JOIN", "ON", "UNION", "ALL", "UNION ALL", "CAST", "DATE",
    "DATE_SUB", "INTERVAL", "MONTH", "DAY", "CURRENT_DATE", "COALESCE", "SUM", "COUNT", "DISTINCT",
    "CASE", "WHEN", "THEN", "END", "MIN", "MAX", "ABS", "MOD", "FARM_FINGERPRINT", "STRING", "INT64", "FLOAT64",
    "UNIX_SECONDS", "UNIX_DATE", "TIMESTAMP",
    "*", ",", "(", ")", ".", "=", "<", "<=", ">=",
}  # fmt: skip
INTERNAL_NAMES = {
    "base", "in_range", "product_revenue", "ranked_products", "top_products", "active_users", "filtered",
    "kind", "day", "rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows",
    "null_key_rows", "total_revenue", "split_keys", "per_day",
}  # fmt: skip
RENAMED_INTERNAL = re.compile(r"(product_revenue|revenue_before|revenue_total|key_rows|in_train)_*")
LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
BIGQUERY = Dialect.get_or_raise("bigquery")


def allowed_identifiers(d: Definition, project: str | None) -> set[str]:
    names = {d.source.dataset, *d.source.tables, *d.output_names}
    for table in d.source.tables:
        names.add(f"{d.source.dataset}.{table}")
        if project:
            names.add(f"{project}.{d.source.dataset}.{table}")
    for column in d.columns:
        names.update(column.name.split("."))
    for join in d.source.joins:
        for on in join.on:
            names.update({on.left_column, on.right_column})
    return names | INTERNAL_NAMES


def allowed_numbers(d: Definition) -> set[int]:
    numbers = {0, 1, 100}
    f = d.filters
    if isinstance(f.date_range, RollingRange):
        numbers.add(f.date_range.months)
    numbers.update(n for n in (f.top_products_percent, f.min_transactions) if n is not None)
    if isinstance(d.split, RandomSplit):
        numbers.add(d.split.train_percent)
    if isinstance(d.split, TimeSplit):
        numbers.add(d.split.eval_days)
    return numbers


def allowed_strings(d: Definition, as_of: dt.date | None) -> set[str]:
    strings = {"total", "day"}
    strings.update(v for f in d.filters.where or [] for v in f.values if isinstance(v, str))
    if isinstance(d.filters.date_range, FixedRange):
        strings.update({d.filters.date_range.start.isoformat(), d.filters.date_range.end.isoformat()})
    if as_of is not None:
        strings.add(as_of.isoformat())
    return strings


def assert_safe(sql: str, d: Definition, project: str | None, as_of: dt.date | None) -> None:
    assert not any(ch in sql for ch in LINE_BREAKS), "only \\n breaks lines"
    lines = sql.split("\n")
    header_end = next(i for i, line in enumerate(lines) if not line.startswith("--"))
    assert header_end >= 4, "the header comment names dataset, version, split and date"
    body = "\n".join(lines[header_end:])
    statements = sqlglot.parse(sql, read="bigquery")
    assert len(statements) == 1 and isinstance(statements[0], (exp.Select, exp.Union))
    idents, numbers, strings = allowed_identifiers(d, project), allowed_numbers(d), allowed_strings(d, as_of)
    for token in BIGQUERY.tokenize(body):
        assert not token.comments, "comments only in the header"
        if token.token_type == TokenType.IDENTIFIER:
            assert token.text in idents or RENAMED_INTERNAL.fullmatch(token.text), token.text
        elif token.token_type == TokenType.NUMBER:
            assert int(token.text) in numbers, token.text
        elif token.token_type == TokenType.STRING:
            assert token.text in strings, token.text
        else:
            assert token.text.upper() in VOCABULARY, token.text
    # Column names may hold `#` or `--` (legal BigQuery names); inside backticks they start no comment.
    unquoted = re.sub(r"`[^`]*`", "``", body)
    assert "--" not in unquoted and "#" not in unquoted and "/*" not in unquoted


# -- strategies: mostly well-formed, with hostile text mixed in everywhere ----

HOSTILE = [
    "a`b", "a b", "a\n", "\n", "`", "a--b", "x;DROP TABLE y", "a'b", 'a"b', "ä", "a.b", "", " a",
    "a\u2028b", "a\rb", "a/*", "#x", "\x00", "1a", "a-b", "select", "CURRENT_DATE()", "a\\",
]  # fmt: skip
KEYWORDS = ["select", "FROM", "rows", "base", "in_range", "filtered", "product_revenue", "timestamp", "current_date"]
ident = st.one_of(
    st.sampled_from(["transactions", "products", "customer_id", "product_id", "ts", "amount", "a", "_"]),
    st.sampled_from(KEYWORDS),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True),
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
)
table_name = st.one_of(ident, st.sampled_from(["tx-1", "my-table", "-x"]))
number = st.one_of(
    st.integers(min_value=-5, max_value=130),
    st.integers(),
    st.sampled_from([2**63, 2**63 - 1, -(2**63)]),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=5),
    st.none(),
)
date_text = st.one_of(
    st.dates().map(dt.date.isoformat), st.sampled_from(["2026-02-30", "2026-1-1", "2026-01-01\n"]), st.text(max_size=12)
)
free_text = st.one_of(
    st.text(), st.sampled_from(["-- x\nDROP TABLE t", "a\rSELECT 1", "\u2028DELETE", "*/ x /*", "\x00\u202e"])
)


valid_ident = st.one_of(
    st.sampled_from(KEYWORDS),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True),
)
# Legal BigQuery column names that are not plain identifiers: spaces, symbols, other scripts,
# comment and quote starters that are harmless inside backticks.
FLEXIBLE_COLUMNS = ["order date", "prix €", "Größe", "#x", "a--b", "it's", "1a", "a-b", "x =1", "a<b>|c", "é"]
column_name = st.one_of(valid_ident, st.sampled_from(FLEXIBLE_COLUMNS))


@st.composite
def well_formed(draw: Any) -> dict[str, Any]:
    """A definition that passes validation, with keywords and odd but legal names."""
    names, seen = [], set()
    for i, name in enumerate(draw(st.lists(valid_ident, min_size=12, max_size=12))):
        name = name if name.lower() not in seen else f"{name}_{i}"
        seen.add(name.lower())
        names.append(name)
    tables = [names[0], *names[1 : 1 + draw(st.integers(0, 2))]]
    joins = [
        {
            "table": table,
            "type": draw(st.sampled_from(["left", "inner"])),
            "on": [{
                "left": f"{draw(st.sampled_from(tables[:i + 1]))}.{draw(column_name)}",
                "right": f"{table}.{draw(column_name)}",
            }],
        }
        for i, table in enumerate(tables[1:])
    ]  # fmt: skip
    role_types = {
        "user_id": ["STRING", "INT64"],
        "product_id": ["STRING", "INT64"],
        "timestamp": ["TIMESTAMP", "DATETIME", "DATE"],
        "revenue": ["NUMERIC", "FLOAT64", "INT64"],
    }
    roles = [r for r in role_types if draw(st.integers(0, 3))]
    plain = draw(st.integers(0 if roles else 1, 3))
    columns = []
    for i, role in enumerate([*roles, *([None] * plain)]):
        column: dict[str, Any] = {"table": draw(st.sampled_from(tables)), "name": draw(column_name)}
        if draw(st.booleans()):
            column["name"] += "." + draw(column_name)
        if role:
            column["role"] = role
        # Unique output names: an alias built from a fresh name.
        column["alias"] = f"{names[4 + i]}"
        types_ = role_types[role] if role else ["STRING", "INT64", "BOOL", "DATE", "NUMERIC", "ARRAY<INT64>"]
        if draw(st.integers(0, 9)):
            column["type"] = draw(st.sampled_from(types_))
        columns.append(column)
    filters: dict[str, Any] = {}
    start = draw(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9990, 1, 1)))
    end = start + dt.timedelta(days=draw(st.integers(2, 3000)))
    if "timestamp" in roles:
        filters["date_range"] = draw(st.sampled_from([
            None,
            {"type": "rolling", "months": draw(st.integers(1, 120))},
            {"type": "fixed", "start": start.isoformat(), "end": end.isoformat()},
        ]))  # fmt: skip
    if "product_id" in roles and "revenue" in roles and draw(st.booleans()):
        filters["top_products_percent"] = draw(st.integers(1, 99))
    if "user_id" in roles and draw(st.booleans()):
        filters["min_transactions"] = draw(st.integers(1, 2**63 - 1))
    data: dict[str, Any] = {
        "format": "dataset-tui/1",
        "name": draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,20}", fullmatch=True)),
        "description": draw(free_text),
        "source": {"dataset": names[3], "primary": tables[0], "joins": joins},
        "columns": columns,
        "filters": {k: v for k, v in filters.items() if v is not None},
    }
    split_kind = draw(st.sampled_from(["random", "time", None]))
    if split_kind == "random" and ("user_id" in roles or draw(st.booleans())):
        data["split"] = {"type": "random", "train_percent": draw(st.integers(1, 99))}
        if "user_id" not in roles or draw(st.booleans()):
            data["split"]["key"] = columns[-1]["alias"]
    elif split_kind == "time" and "timestamp" in roles:
        # Train must keep a day (DESIGN §3): at most (end − start) − 1 eval days in a
        # fixed range, and fewer than the shortest N-month span (28·N days) in a rolling one.
        rng = filters.get("date_range")
        most = 3650
        if rng is not None and rng["type"] == "fixed":
            most = (end - start).days - 1
        elif rng is not None:
            most = 28 * rng["months"] - 1
        data["split"] = {"type": "time", "eval_days": draw(st.integers(1, min(3650, most)))}
    return data


def _set(data: dict[str, Any], path: list[Any], value: Any) -> None:
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    """Well-formed definitions, half of them with hostile values put into one or two fields."""
    data = draw(well_formed())
    if draw(st.booleans()):
        return data
    fixed_range = st.fixed_dictionaries({"type": st.just("fixed"), "start": date_text, "end": date_text})
    kinds = st.sampled_from(["random", "time"])
    split = st.fixed_dictionaries({"type": kinds, "train_percent": number, "eval_days": number})
    join = st.fixed_dictionaries({"table": table_name, "on": st.just([{"left": "a.b", "right": "c.d"}])})
    paths: list[tuple[list[Any], Any]] = [
        (["name"], ident), (["model"], ident), (["source", "dataset"], ident),
        (["source", "primary"], table_name), (["columns", 0, "name"], ident),
        (["columns", 0, "alias"], ident), (["columns", 0, "table"], table_name),
        (["columns", 0, "type"], st.text(max_size=12)), (["columns", 0, "role"], ident),
        (["filters", "date_range"], st.one_of(free_text, fixed_range)),
        (["filters", "top_products_percent"], number), (["filters", "min_transactions"], number),
        (["filters", "extra"], number), (["split"], split),
        (["source", "joins"], st.lists(join, max_size=1)),
    ]  # fmt: skip
    for path, strategy in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=2)):
        _set(data, path, draw(strategy))
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    data=definitions(),
    as_of=st.one_of(st.none(), st.dates()),
    project=st.one_of(st.none(), st.just("my-project-1"), st.just("example.com:proj-42"), ident),
    label=st.one_of(st.none(), free_text),
    tfx=st.booleans(),
)
def test_hostile_definitions_are_refused_or_safe(
    data: dict[str, Any], as_of: dt.date | None, project: str | None, label: str | None, tfx: bool
) -> None:
    try:
        definition = parse_definition(data)
    except DefinitionError as exc:
        event("refused")
        assert exc.problems
        assert all(p.path for p in exc.problems), [str(p) for p in exc.problems]
        return
    bad_project = project is not None and not PROJECT_RE.fullmatch(project)
    splits = ["full"] if definition.split is None else ["full", "train", "eval"]
    try:
        queries = [
            generate_sql(definition, split, project=project, as_of=as_of, tfx=tfx, label=label)  # type: ignore[arg-type]
            for split in splits
        ]
        queries.append(analysis_sql(definition, SqlContext(project=project, as_of=as_of)))
    except SqlGenError as exc:
        event("SqlGenError")
        message = str(exc)
        assert (bad_project and "project" in message) or (tfx and "columns[" in message), message
        return
    assert not bad_project, "an invalid project must be refused"
    event(f"checked {len(queries)} queries" + (" (TFX)" if tfx else ""))
    for sql in queries:
        assert_safe(sql, definition, project, as_of)


@pytest.mark.parametrize(
    "text",
    [
        "line\nDROP TABLE x",
        "cr\rSELECT 1",
        "ls\u2028SELECT 1",
        "ps\u2029x",
        "vt\x0bx",
        "nel\x85x",
        "nul\x00x",
        "bidi\u202ex",
        "",
    ],
)
def test_free_text_cannot_leave_its_comment(text: str) -> None:
    data = {
        "format": "dataset-tui/1",
        "name": "d",
        "description": text,
        "source": {"primary": "t"},
        "columns": [{"table": "t", "name": "c"}],
    }
    sql = generate_sql(parse_definition(data), label=f"file {text}.json")
    assert_safe(sql, parse_definition(data), None, None)
    for line in comment_safe(text):
        assert not any(ch in line for ch in LINE_BREAKS + "\x00\u202e")


@pytest.mark.parametrize("name", [*FLEXIBLE_COLUMNS, *HOSTILE])
def test_each_column_name_is_refused_or_stays_inside_its_backticks(name: str) -> None:
    data = {
        "format": "dataset-tui/1",
        "name": "d",
        "source": {"primary": "t", "joins": [{"table": "u", "on": [{"left": f"t.{name}", "right": f"u.{name}"}]}]},
        "columns": [{"table": "t", "name": name, "role": "user_id"}, {"table": "u", "name": name}],
        "filters": {"where": [{"table": "t", "column": name, "in": ["x"]}]},
    }
    try:
        definition = parse_definition(data)
    except DefinitionError as exc:
        # Refused only for a character that could leave the backticks or is not legal in BigQuery.
        assert column_part_problem(name) is not None, exc
        return
    assert column_part_problem(name) is None
    assert_safe(generate_sql(definition, "full"), definition, None, None)


def test_quote_ident_and_table_ref_refuse_what_is_not_an_identifier() -> None:
    assert quote_ident("tx-1") == "`tx-1`"
    for bad in ["a`b", "a b", "a\n", "", "1a", "a.b", "ä"]:
        with pytest.raises(SqlGenError):
            quote_ident(bad)
    assert table_ref("raw_data", "t") == "`raw_data.t`"
    assert table_ref("raw_data", "t", "my-project") == "`my-project.raw_data.t`"
    assert table_ref("raw_data", "t", "example.com:my-project") == "`example.com:my-project.raw_data.t`"
    for project in ["My-Project", "ab", "proj_1", "my-project-", "a`b", "my-project\n"]:
        with pytest.raises(SqlGenError, match="project"):
            table_ref("raw_data", "t", project)
    with pytest.raises(SqlGenError):
        table_ref("raw-data", "t")


def test_a_formatter_that_changes_the_query_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlparse

    from dataset_tui.domain import sqlformat

    data = {
        "format": "dataset-tui/1",
        "name": "d",
        "source": {"primary": "t"},
        "columns": [{"table": "t", "name": "u", "role": "user_id"}],
        "split": {"type": "random", "train_percent": 30},
    }
    definition = parse_definition(data)
    honest = generate_sql(definition, "train")
    monkeypatch.setattr(sqlparse, "format", lambda sql, **_: sql.replace(" < ", " >= "))
    sqlformat.format_piece.cache_clear()
    try:
        unformatted = generate_sql(definition, "train")
    finally:
        sqlformat.format_piece.cache_clear()
    body = unformatted.split("\nWITH ", 1)[1]
    assert "< 30" in body and ">= 30" not in body
    assert sqlglot.parse_one(unformatted, read="bigquery") == sqlglot.parse_one(honest, read="bigquery")
