"""SqlTabs: the generated SQL, highlighted and read-only, in tabs Full / Train / Eval / TFX.

One TextArea serves every tab: building a highlighted TextArea costs tens of
milliseconds on the event loop, so the screen opens with one, and a tab
switch only swaps the text.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Tab, Tabs, TextArea

TABS = (("full", "Full"), ("train", "Train"), ("eval", "Eval"), ("tfx", "TFX"))


class SqlTabs(Vertical):
    DEFAULT_CSS = """
    SqlTabs { height: 1fr; }
    SqlTabs TextArea { height: 1fr; border: none; padding: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(title, id=f"tab-{key}") for key, title in TABS), id="sql-tabs")
        yield TextArea(
            "-- generating…",
            language="sql",
            read_only=True,
            soft_wrap=False,
            show_line_numbers=False,
            id="sql-text",
        )

    def set_sql(self, texts: dict[str, str]) -> None:
        """Show SQL per tab key; a missing key shows why in an SQL comment. Unchanged text is not reloaded."""
        if texts == self._texts:
            return
        self._texts = dict(texts)
        self._load()

    def _load(self) -> None:
        if self._texts:
            self.query_one("#sql-text", TextArea).load_text(self._texts.get(self.current_key, "-- not available"))

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self._load()

    @property
    def current_key(self) -> str:
        active = self.query_one(Tabs).active or "tab-full"
        return active.removeprefix("tab-")

    def next_tab(self) -> None:
        """Full → Train → Eval → TFX → Full (the keyboard way through the tabs)."""
        keys = [key for key, _ in TABS]
        following = keys[(keys.index(self.current_key) + 1) % len(keys)]
        self.query_one(Tabs).active = f"tab-{following}"

    def current_text(self) -> str:
        return self._texts.get(self.current_key, "")
