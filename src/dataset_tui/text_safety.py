"""The one sanitiser for user text shown on a terminal (CLI and TUI).

A description, note, name or file content is data; printed raw it can drive
the terminal: ESC sequences clear the screen, change the window title or
write the clipboard (OSC 52), and bidi overrides make text read backwards.
Every face passes user text through :func:`safe` before a terminal sees it.

What is replaced, each by a visible escape (`\\x1b`, `\\u202e`) so the user
sees that something was there:

- C0 controls except tab and newline (newline only when asked to keep lines),
  DEL, and C1 controls (U+0080–U+009F: U+009B is a one-byte CSI);
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
  the marks U+200E/U+200F/U+061C;
- line and paragraph separators (U+2028/U+2029), lone surrogates (they
  cannot even be encoded for the terminal).

Imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

import re
from typing import TextIO

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029"
# Controls except \t and \n, DEL, C1, bidi, lone surrogates.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_UNSAFE_LINES = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, *, one_line: bool = False) -> str:
    """`text` with every terminal-driving character shown as an escape (newlines too when `one_line`)."""
    value = text if isinstance(text, str) else str(text)
    return (_UNSAFE_LINES if one_line else _UNSAFE).sub(_visible, value)


def is_safe(text: str) -> bool:
    return _UNSAFE.search(text) is None


class SafeStream:
    """A text stream wrapper that sanitises everything written to a terminal.

    Carriage returns are kept when `keep_cr` (progress bars on stderr redraw
    their line); everything else unsafe is escaped.
    """

    def __init__(self, stream: TextIO, *, keep_cr: bool = False) -> None:
        self._stream = stream
        self._keep_cr = keep_cr

    def write(self, text: str) -> int:
        # A text without "\r" splits into itself, so this is safe(text) unless a CR is there to keep.
        cleaned = "\r".join(safe(part) for part in text.split("\r")) if self._keep_cr else safe(text)
        self._stream.write(cleaned)
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
