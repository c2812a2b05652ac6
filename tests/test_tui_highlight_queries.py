"""Highlighted TextAreas share one compiled highlight query per language (tui/highlight_queries.py).

Textual compiled it twice per `TextArea(language="sql")`, about 40 ms each on
the event loop, on every wizard and detail screen opened.
"""

from __future__ import annotations

from textual.widgets import TextArea

from dataset_tui.tui.highlight_queries import share_highlight_queries


def test_sql_areas_share_one_compiled_query_and_still_highlight() -> None:
    share_highlight_queries()
    first = TextArea("SELECT 1 AS one", language="sql")
    second = TextArea("SELECT `a` FROM t WHERE x = 'y'", language="sql")
    query = first._highlight_query
    assert query is not None and second._highlight_query is query
    # The shared query still finds the keywords and strings of each document.
    captures = second.document.query_syntax_tree(query)  # type: ignore[attr-defined]
    assert {"keyword", "string"} <= set(captures)
    plain = TextArea("SELECT 1")
    assert plain._highlight_query is None
