"""SqlTabs: the generated SQL, highlighted and read-only, in tabs Full / Train / Eval / TFX."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane, TextArea

TABS = (("full", "Full"), ("train", "Train"), ("eval", "Eval"), ("tfx", "TFX"))


class SqlTabs(Vertical):
    DEFAULT_CSS = """
    SqlTabs { height: 1fr; }
    SqlTabs TabbedContent { height: 1fr; }
    SqlTabs TabPane { padding: 0; }
    SqlTabs TextArea { height: 1fr; border: none; padding: 0; }
    """

    def compose(self) -> ComposeResult:
        with TabbedContent(id="sql-tabs"):
            for key, title in TABS:
                with TabPane(title, id=f"tab-{key}"):
                    yield TextArea(
                        "-- generating…",
                        language="sql",
                        read_only=True,
                        soft_wrap=False,
                        show_line_numbers=False,
                        id=f"sql-{key}",
                    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._texts: dict[str, str] = {}
        self._loaded: set[str] = set()

    def set_sql(self, texts: dict[str, str]) -> None:
        """Show SQL per tab key; a missing key shows why in an SQL comment.

        Highlighting a long query costs tens of milliseconds on the event
        loop, so only the visible tab is loaded now, the others when shown,
        and unchanged text is not loaded again.
        """
        if texts == self._texts:
            return
        self._texts = dict(texts)
        self._loaded.clear()
        self._load(self.current_key)

    def _load(self, key: str) -> None:
        if key in self._loaded or not self._texts:
            return
        self._loaded.add(key)
        self.query_one(f"#sql-{key}", TextArea).load_text(self._texts.get(key, "-- not available"))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._load(self.current_key)

    @property
    def current_key(self) -> str:
        active = self.query_one(TabbedContent).active or "tab-full"
        return active.removeprefix("tab-")

    def next_tab(self) -> None:
        """Full → Train → Eval → TFX → Full (the keyboard way through the tabs)."""
        keys = [key for key, _ in TABS]
        following = keys[(keys.index(self.current_key) + 1) % len(keys)]
        self.query_one(TabbedContent).active = f"tab-{following}"

    def current_text(self) -> str:
        return self._texts.get(self.current_key, "")
