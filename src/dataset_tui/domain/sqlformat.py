"""Safe SQL text: quoted identifiers, table paths, date literals, comment lines, layout.

Everything the generators write that comes from a definition or a user goes
through here: identifiers are validated and backtick-quoted, dates become
literals of real dates, free text becomes `-- ` comment lines that cannot end
early, and the finished query is laid out by sqlparse only when that changes
nothing a parser sees.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
import unicodedata

from dataset_tui.domain.definition import MAX_IDENT, TABLE_RE

# A Google Cloud project id (6-30 chars in practice; BigQuery accepts up to
# 63), optionally in the legacy domain-scoped form `example.com:my-project`.
PROJECT_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?:)?[a-z][a-z0-9-]{4,61}[a-z0-9]")


class SqlGenError(ValueError):
    """The definition cannot become the SQL asked for; the message says what to change."""


# -- quoting ---------------------------------------------------------------


def quote_ident(name: object) -> str:
    """`name` in backticks, after checking it is a plain identifier (tables may hold `-`).

    Takes any object: what reaches SQL is checked here, whatever a caller's types promised."""
    if not isinstance(name, str) or len(name) > MAX_IDENT or not TABLE_RE.fullmatch(name):
        raise SqlGenError(
            f"{name!r} cannot be used as an identifier: it must match {TABLE_RE.pattern}"
        )
    return f"`{name}`"


def quote_column(name: str) -> str:
    """One column (or nested field) name in backticks: any legal BigQuery column name.

    `order date`, `prix €` and `Größe` are legal; a backtick, backslash, dot,
    newline or other control character is not (table_refs.column_part_problem),
    so the name cannot end the quoted identifier early.
    """
    from dataset_tui.domain.table_refs import column_part_problem

    problem = column_part_problem(name)
    if problem is not None:
        raise SqlGenError(f"{name!r} cannot be used as a column name: it {problem}")
    return f"`{name}`"


def quote_column_path(name: str) -> str:
    """A dotted column path (`ecommerce.purchase_revenue`), each part quoted."""
    return ".".join(quote_column(part) for part in name.split("."))


def table_ref(dataset: object, table: object, project: object = None) -> str:
    """`` `project.dataset.table` `` or `` `dataset.table` ``: one pair of backticks around the path."""
    quote_ident(table)
    if not isinstance(dataset, str) or "-" in dataset:
        raise SqlGenError(f"dataset name {dataset!r} may hold only letters, digits and underscores")
    quote_ident(dataset)
    if project is None:
        return f"`{dataset}.{table}`"
    if not isinstance(project, str) or not PROJECT_RE.fullmatch(project):
        raise SqlGenError(
            f"project {project!r} is not a Google Cloud project id (lowercase letters, digits "
            "and hyphens, 6-63 characters, starting with a letter; or domain.com:project)"
        )
    return f"`{project}.{dataset}.{table}`"


def source_ref(ref: str, dataset: str, project: str | None = None) -> str:
    """A source's table reference as one backticked path.

    `table` and `prefix*` live in the definition's dataset (and the context's
    project); `dataset.table` in the context's project; `project.dataset.table`
    names its own project.
    """
    from dataset_tui.domain.table_refs import TABLE_REF_RE, split_table_ref

    if len(ref) > MAX_IDENT or not TABLE_REF_RE.fullmatch(ref):
        raise SqlGenError(f"{ref!r} is not a table reference (table, dataset.table or project.dataset.table)")
    own_project, own_dataset, table = split_table_ref(ref)
    # The shard family's `*` is the only character outside an identifier.
    name = table[:-1] if table.endswith("*") else table
    if not TABLE_RE.fullmatch(name):
        raise SqlGenError(f"{ref!r} is not a table reference")
    if own_dataset is None:
        return table_ref(dataset, name, project)[:-1] + ("*`" if table.endswith("*") else "`")
    base = table_ref(own_dataset, name, own_project or project)
    return base[:-1] + ("*`" if table.endswith("*") else "`")


def string_literal(text: str) -> str:
    """A GoogleSQL string literal of `text`: backslash and quote escaped; control characters refused."""
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise SqlGenError(f"{text!r} cannot be written as a string literal here (no control characters)")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def number_literal(value: int | float) -> str:
    """An INT64 or FLOAT64 literal of a validated number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SqlGenError(f"{value!r} is not a number")
    if isinstance(value, int):
        return str(int(value))
    if value != value or value in (float("inf"), float("-inf")):
        raise SqlGenError(f"{value!r} is not a finite number")
    return repr(float(value))


def date_literal(day: dt.date) -> str:
    """A GoogleSQL DATE literal of a real date (never text from a user)."""
    return f"DATE '{dt.date(day.year, day.month, day.day).isoformat()}'"


def comment_safe(text: str) -> list[str]:
    """Free text as lines that cannot leave a `--` comment.

    Every line break Python knows (\\r, \\x0b, \\x0c, \\x1c-\\x1e, \\x85,
    \\u2028, \\u2029 as well as \\n) splits a line, and every other control or
    format character (NUL, bidi overrides, zero-width marks) becomes U+FFFD,
    so no engine or editor can end the comment early or show it reordered.
    """
    lines = []
    for line in str(text).splitlines() or [""]:
        cleaned = "".join(
            " " if ch == "\t" else ("\ufffd" if unicodedata.category(ch).startswith("C") else ch)
            for ch in line
        )
        lines.append(cleaned.rstrip())
    return lines


def comment_block(lines: list[str]) -> str:
    """Lines of free text as one `-- ` comment block."""
    out = [piece for line in lines for piece in comment_safe(line)]
    return "\n".join(f"-- {line}".rstrip() for line in out)


# -- layout -------------------------------------------------------------------


def render(ctes: list[tuple[str, str]], body: str, *, layout: bool = True) -> str:
    """The query laid out by sqlparse: each CTE as `name AS (` / its indented SELECT / `)`.

    Each CTE and the final SELECT are formatted on their own (and cached), so
    the train, eval and full queries of one definition, which differ only in
    the final WHERE, share the work. `layout=False` keeps each piece as it was
    written: for a query that is run and never shown (the analysis), the
    layout and its token-by-token check cost a third of a second of CPU.
    """
    shape = format_piece if layout else str.strip
    blocks = [f"{quote_ident(name)} AS (\n{textwrap.indent(shape(sql), '  ')}\n)" for name, sql in ctes]
    head = "WITH " + ",\n".join(blocks) + "\n" if blocks else ""
    return head + shape(body)


@functools.lru_cache(maxsize=1024)
def format_piece(sql: str) -> str:
    """sqlparse's layout of one SELECT, kept only if it is token for token the same query."""
    import sqlparse

    pretty = str(sqlparse.format(sql, reindent=True, keyword_case="upper")).strip()
    return pretty if same_tokens(sql, pretty) else sql


def same_tokens(a: str, b: str) -> bool:
    """Whether two texts are the same BigQuery query up to layout and keyword case.

    Equal token streams parse to the same query, so this is the check that
    formatting changed nothing a parser sees (and it is cheaper than parsing).
    """
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import SqlglotError
    from sqlglot.tokenizer_core import TokenType

    exact = {TokenType.STRING, TokenType.IDENTIFIER}
    dialect = Dialect.get_or_raise("bigquery")

    def stream(sql: str) -> list[tuple[TokenType, str]]:
        return [(t.token_type, t.text if t.token_type in exact else t.text.upper()) for t in dialect.tokenize(sql)]

    try:
        return stream(a) == stream(b)
    except SqlglotError:
        return False
