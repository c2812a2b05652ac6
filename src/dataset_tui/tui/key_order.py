"""Keys are handled one at a time, in the order they were typed.

Textual's app forwards each key to the widget focused *when the key reaches
the app* and goes on with the next key at once; the widget handles it later,
in its own queue, and a key it does not take (tab, a binding of the screen)
travels back up through every parent before its action runs. Keys that
arrive together (tmux `send-keys`, SSH, a paste of keystrokes) are all
forwarded before the first one took effect, so `name<tab>description` typed
in one go put "description" into the name field, and keys typed the moment
a dialog opened went to the screen below or to no field at all.

This app forwards the next key only once the previous one is done: handled
by the widget it went to, by every parent it bubbled through, and whatever
focus change or new screen it asked for has landed. "Done" is seen by a
callback that follows the key's path (a callback posted to a widget runs
after what is already in its queue): the focused widget twice (the messages
its key posted to itself come behind the first hop), each parent up to the
screen, then the app twice. The app twice, because a key no widget took
reaches the app last, and the app's own lookup runs its binding there (the
list's `/` focuses the search box): what that action asks of the app, above
all `Widget.focus()`, which sets the focus through the app's queue, is queued
behind the first app hop; handing out the next key at that hop sent `/tmux`'s
`t` to the list that still had focus, and `/dq`'s `d` to the list's delete.
An action that finishes later still (a wizard step change waits for the keys
before it, then focuses the new step) holds the keys with `hold_keys` until
it is done. A new screen is first waited for (composed, mounted, its first
field focused) before a key goes to it. If a widget on the path, or a holder,
goes away while the callback waits in its queue, or a key or hold takes longer
than `KEY_WAIT_LIMIT_S`, the next key goes on anyway: the app never stops
listening.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from time import monotonic
from typing import Any, TypeVar

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer

ReturnType = TypeVar("ReturnType")

# A key that is not done after this long (a handler stuck on slow work) no
# longer holds back the keys typed after it.
KEY_WAIT_LIMIT_S = 2.0
# How often a waiting key checks whether the widget its callback waits in went away.
CHECK_EVERY_S = 0.05

Typed = events.Key | events.Paste


def _alive(node: MessagePump) -> bool:
    return node.is_attached and not node._closing and not node._closed


class KeysInOrderApp(App[ReturnType]):
    """An App that hands typed keys (and pastes) to its widgets strictly one after the other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed: deque[Typed] = deque()
        self._waiting: object | None = None  # a token for the key in progress; None when free
        self._wait_started = 0.0
        self._wait_node: MessagePump | None = None
        self._wait_timer: Timer | None = None
        self._ready_screen: Screen[Any] | None = None
        # Holds on the keys not handed out yet: token → (holder, when taken).
        self._holds: dict[object, tuple[MessagePump, float]] = {}

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._typed.append(event)
            await self._dispatch_typed()
            return
        await super().on_event(event)

    def replay_keys(self, keys: Iterable[events.Key]) -> None:
        """Handle `keys` (held back by a screen) next, before keys typed after them."""
        again = []
        for key in keys:
            event = events.Key(key.key, key.character)
            event.set_sender(self)  # as the driver's: it bubbles up to the app's bindings
            again.append(event)
        self._typed.extendleft(reversed(again))
        self.call_later(self._dispatch_typed)

    def hold_keys(self, holder: MessagePump) -> object:
        """Hand out no further typed key until `release_keys(token)` (or `holder` goes away): the token."""
        token = object()
        self._holds[token] = (holder, monotonic())
        self._arm_check()
        return token

    def release_keys(self, token: object) -> None:
        if self._holds.pop(token, None) is not None:
            # Through the app's queue: the focus the holder set with `focus()`,
            # queued there already, lands before the next key is handed out.
            self.call_later(self._dispatch_typed)

    @property
    def keys_pending(self) -> int:
        """Typed keys not handed to a widget yet (plus the one in progress)."""
        return len(self._typed) + (self._waiting is not None)

    async def _dispatch_typed(self) -> None:
        while self._waiting is None and not self._holds and self._typed:
            screen = self.screen
            if screen is not self._ready_screen:
                # A screen pushed (or uncovered) since the last key: let it finish
                # composing and focusing before a key is sent its way.
                self._ready_screen = screen
                self._wait_for([screen])
                return
            event = self._typed.popleft()
            target = self.focused or screen
            await super().on_event(event)  # priority bindings, else forwarded to `target`
            if event.is_forwarded:
                # The focused widget twice, its parents, the app twice (see the module's doc).
                self._wait_for([target, *target.ancestors_with_self])
            else:
                # Handled here by a priority binding: what it asked for (focus is
                # set through the app's queue) lands before the next key.
                self._wait_for([])
            return

    def _wait_for(self, path: list[MessagePump]) -> None:
        token = self._waiting = object()
        self._wait_started = monotonic()
        self._hop(token, path, 0)
        self._arm_check()

    def _arm_check(self) -> None:
        if self._wait_timer is None:
            self._wait_timer = self.set_timer(CHECK_EVERY_S, self._check_wait)

    def _hop(self, token: object, path: list[MessagePump], index: int) -> None:
        if token is not self._waiting:
            return  # given up on (its widget went away)
        for i in range(index, len(path)):
            node = path[i]
            if _alive(node) and node.call_later(self._hop, token, path, i + 1):
                self._wait_node = node
                return
        self._wait_node = self
        self.call_later(self._done, token)

    async def _done(self, token: object) -> None:
        if token is self._waiting:
            self._waiting = None
            await self._dispatch_typed()

    def _check_wait(self) -> None:
        self._wait_timer = None
        now = monotonic()
        given_up = [
            token
            for token, (holder, since) in self._holds.items()
            if not _alive(holder) or now - since > KEY_WAIT_LIMIT_S
        ]
        for token in given_up:
            self.release_keys(token)
        if self._waiting is not None:
            node = self._wait_node
            lost = node is not None and node is not self and not _alive(node)
            if lost or now - self._wait_started > KEY_WAIT_LIMIT_S:
                self._waiting = None
                self.call_later(self._dispatch_typed)
        if self._waiting is not None or self._holds:
            self._arm_check()


def hold_keys(app: App[Any], holder: MessagePump) -> object | None:
    """Keep `app` from handing out typed keys until `release_keys`; None for a plain App."""
    return app.hold_keys(holder) if isinstance(app, KeysInOrderApp) else None


def release_keys(app: App[Any], token: object | None) -> None:
    if isinstance(app, KeysInOrderApp) and token is not None:
        app.release_keys(token)


def replay_keys(app: App[Any], keys: Iterable[events.Key]) -> None:
    """Hand held-back keys to `app` again, ahead of the keys typed after them."""
    if isinstance(app, KeysInOrderApp):
        app.replay_keys(keys)
        return
    for key in keys:  # a plain App (a test harness): in arrival order
        app.post_message(events.Key(key.key, key.character))
