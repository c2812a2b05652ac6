"""One compiled SQL highlight query per process, shared by every highlighted TextArea.

Textual compiles a TextArea's tree-sitter highlight query each time it sets
the area's document: twice for every `TextArea(language="sql")` (once in
its constructor, once when the `language` watcher runs on mount), about
40 ms each on this kind of host, all on the event loop. Opening the wizard
(its live SQL) and a dataset's detail screen (its SQL tabs) paid 80 ms of
their first paint for it, every time.

A tree-sitter Query is bound to its language only, never to a document, and
tree-sitter's own advice is to prepare it once and reuse it; this keeps the
first one per (language, query text). If a Textual release moves the method,
nothing is shared and nothing breaks.
"""

from __future__ import annotations

from typing import Any

_shared = False


def share_highlight_queries() -> None:
    """Make SyntaxAwareDocument.prepare_query compile each (language, query) once per process."""
    global _shared
    if _shared:
        return
    _shared = True
    try:
        from textual.document._syntax_aware_document import SyntaxAwareDocument
    except ImportError:  # no tree-sitter: TextAreas are plain text, nothing to compile
        return
    compile_query = getattr(SyntaxAwareDocument, "prepare_query", None)
    if compile_query is None:
        return
    compiled: dict[tuple[Any, str], Any] = {}

    def prepare_query(self: Any, query: str) -> Any:
        key = (self.language, query)
        found = compiled.get(key)
        if found is None:
            found = compiled[key] = compile_query(self, query)
        return found

    prepare_query.__doc__ = compile_query.__doc__
    SyntaxAwareDocument.prepare_query = prepare_query  # type: ignore[method-assign]
