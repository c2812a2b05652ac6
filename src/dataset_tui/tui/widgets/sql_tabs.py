"""SqlTabs: the generated SQL, highlighted and read-only, in tabs Full / Train / Eval / TFX.

One TextArea serves every tab: building a highlighted TextArea costs tens of
milliseconds on the event loop, so the screen opens with one, and a tab
switch only swaps the text.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Tab, Tabs, TextArea
from textual.widgets.text_area import TextAreaTheme

TABS = (("full", "Full"), ("train", "Train"), ("eval", "Eval"), ("tfx", "TFX"))
# Below this many lines the pane folds the query's header comment into one
# line, so real SQL is on screen (at 80×24 the pane has ~8 lines, and the
# header alone takes 7). Copy (y) and export still carry the whole header.
FOLD_BELOW = 20


def ansi_theme() -> TextAreaTheme:
    """SQL colours a 16- or 256-colour terminal shows as colours.

    The default theme's soft truecolor shades all round to the same grey or
    white when TERM=xterm (16 colours), so keywords looked like plain text.
    The terminal's own named colours survive on any terminal.
    """
    from rich.style import Style

    keyword = Style(color="blue", bold=True)
    return TextAreaTheme(
        "dataset-tui-ansi",
        syntax_styles={
            "keyword": keyword,
            "keyword.operator": keyword,
            "conditional": keyword,
            "storageclass": keyword,
            "type.qualifier": keyword,
            "string": Style(color="green"),
            "comment": Style(color="cyan", italic=True),
            "number": Style(color="magenta"),
            "float": Style(color="magenta"),
            "boolean": Style(color="magenta"),
            "function.call": Style(color="yellow"),
            "type": Style(color="yellow"),
            "type.builtin": Style(color="yellow"),
        },
    )


def fold_header(text: str) -> str:
    """The query with its leading comment block folded to one line naming the version."""
    lines = text.splitlines()
    count = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    if count <= 2:
        return text
    version = next((line[3:] for line in lines[:count] if line.startswith("-- version: ")), "header")
    folded = f"-- {version} · {count} header lines folded (y copies them)"
    return "\n".join([folded, *lines[count:]])


class SqlTabs(Vertical):
    DEFAULT_CSS = """
    SqlTabs { height: 1fr; }
    SqlTabs TextArea { height: 1fr; border: none; padding: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        from dataset_tui.tui.highlight_queries import share_highlight_queries

        share_highlight_queries()
        yield Tabs(*(Tab(title, id=f"tab-{key}") for key, title in TABS), id="sql-tabs")
        yield TextArea(
            "-- generating…",
            language="sql",
            read_only=True,
            soft_wrap=False,
            show_line_numbers=False,
            id="sql-text",
        )

    def on_mount(self) -> None:
        # Truecolor terminals keep Textual's theme; fewer colours get named ones.
        if self.app.console.color_system in ("standard", "256", "windows"):
            area = self.query_one("#sql-text", TextArea)
            area.register_theme(ansi_theme())
            area.theme = "dataset-tui-ansi"

    def set_sql(self, texts: dict[str, str]) -> None:
        """Show SQL per tab key; a missing key shows why in an SQL comment. Unchanged text is not reloaded."""
        if texts == self._texts:
            return
        self._texts = dict(texts)
        self._load()

    def _load(self) -> None:
        if self._texts:
            text = self._texts.get(self.current_key, "-- not available")
            area = self.query_one("#sql-text", TextArea)
            shown = fold_header(text) if 0 < area.size.height < FOLD_BELOW else text
            if area.text != shown:
                area.load_text(shown)

    def on_resize(self) -> None:
        self._load()

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
