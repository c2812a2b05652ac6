"""The calling convention of the use cases about named datasets.

A use case takes the store and the model, `f(store, model, name, ...)`, or
the AppContext, `f(ctx, name, ...)` (its store and model): the TUI and CLI
hold a context, tests and the store's own tools a store. `in_model` lets one
function serve both, and keeps its signature for the type checker.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, cast, overload

from dataset_tui.store import Store

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext

P = ParamSpec("P")
R = TypeVar("R", covariant=True)


class InModel(Protocol[P, R]):
    """A use case callable as `f(store, model, ...)` or `f(ctx, ...)`, its other parameters kept."""

    @overload
    def __call__(self, store: Store, model: str, /, *args: P.args, **kwargs: P.kwargs) -> R: ...

    @overload
    def __call__(self, ctx: AppContext, /, *args: P.args, **kwargs: P.kwargs) -> R: ...


def in_model(func: Callable[Concatenate[Store, str, P], R]) -> InModel[P, R]:
    """Let a use case be called as `f(store, model, ...)` or `f(ctx, ...)` (an AppContext)."""

    @functools.wraps(func)
    def call(target: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(target, Store):
            return func(target, *args, **kwargs)
        return func(target.store, target.model, *args, **kwargs)

    return cast("InModel[P, R]", call)


def store_of(target: Any) -> Store:
    """The store itself, or an AppContext's."""
    return target if isinstance(target, Store) else target.store
