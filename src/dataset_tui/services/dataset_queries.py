"""Reading the store for both faces: lists, one dataset's details, history, deleted datasets.

Each use case takes the AppContext, `f(ctx, ...)`, or the store and the model,
`f(store, model, ...)` (see calling.in_model), and returns typed records
(store/records.py, DatasetDetails). Their JSON shapes (DESIGN §8) are made
in cli/json_shapes.py.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass
from typing import Any

from dataset_tui.services.calling import in_model, store_of
from dataset_tui.services.definitions import resolve
from dataset_tui.store import (
    CachedAnalysis,
    DatasetHead,
    ExportRecord,
    HeadColumns,
    Store,
    Version,
    VersionDiff,
)
from dataset_tui.store.search import matching, search_keys, search_mask


@dataclass(frozen=True)
class DatasetDetails:
    """Everything `show NAME` tells: the head, the version in use, history, cached analysis, exports."""

    head: DatasetHead
    version: Version  # the one export and sql use
    versions: list[Version]  # oldest first
    analysis: CachedAnalysis | None
    exports: list[ExportRecord]  # oldest first


@in_model
def details(store: Store, model: str, name: str) -> DatasetDetails:
    head, chosen = resolve(store, model, name)
    return DatasetDetails(
        head=head,
        version=chosen,
        versions=store.versions(model, head.name),
        analysis=store.cached_analysis(model, head.name),
        exports=store.exports(model, head.name),
    )


@in_model
def find_dataset(store: Store, model: str, name: str) -> DatasetHead | None:
    """The dataset called `name` (ignoring case), or None when the model has none by that name."""
    from dataset_tui.store.errors import NotFoundError

    try:
        return store.get(model, name)
    except NotFoundError:
        return None


@in_model
def deleted_datasets(store: Store, model: str, *, search: str | None = None) -> list[DatasetHead]:
    """Deleted datasets of the model, most recently deleted first; `search` as `list --search` matches."""
    heads = store.deleted(model)
    return matching(heads, search_keys(heads), search) if search else heads


@dataclass(frozen=True)
class ListingSelection:
    """Some of a listing's heads, and their names (in the same order)."""

    heads: list[DatasetHead]
    names: list[str]


@dataclass(frozen=True)
class DatasetListing:
    """One view of a model's datasets read in full (the live ones, or the deleted ones), to filter in memory.

    The home list filters it on every key typed, without reading the store
    again. What filtering looks at is kept in columns beside the heads:
    reading an attribute of 20,000 heads took 17 ms, a filter over the
    columns takes about 2.
    """

    model: str
    deleted: bool
    heads: list[DatasetHead]  # live: by name; deleted: most recently deleted first
    names: list[str]
    statuses: list[str]
    keys: list[str]  # what search matches, per head (store/search.py)
    state: tuple[object, ...]  # the heads files as read (Store.heads_state)

    @classmethod
    def of(cls, model: str, deleted: bool, heads: list[DatasetHead], state: tuple[object, ...]) -> DatasetListing:
        names = list(map(operator.attrgetter("name"), heads))
        statuses = list(map(operator.attrgetter("status"), heads))
        return cls(model, deleted, heads, names, statuses, search_keys(heads), state)

    @property
    def seen(self) -> tuple[object, ...]:
        """What this listing was read from (small: pass it to `dataset_listing(unless=...)`)."""
        return (self.model, self.deleted, self.state)

    def select(self, *, status: str | None = None, search: str | None = None) -> ListingSelection:
        """The heads of that status whose name or description contains `search` (as `list` filters)."""
        mask = search_mask(self.keys, search) if search else None
        if status is not None:
            of_status = map(operator.eq, self.statuses, itertools.repeat(status))
            mask = list(of_status) if mask is None else list(map(operator.and_, mask, of_status))
        if mask is None:
            return ListingSelection(list(self.heads), list(self.names))
        return ListingSelection(
            list(itertools.compress(self.heads, mask)), list(itertools.compress(self.names, mask))
        )


@in_model
def dataset_listing(
    store: Store, model: str, *, deleted: bool = False, unless: tuple[object, ...] | None = None
) -> DatasetListing | None:
    """The model's live (or deleted) datasets; None when `unless` (a listing's `seen`) is this same view
    and no head changed since.

    Checking costs a stat per heads file, so a list that looks again every
    few seconds reads the store only after a change.
    """
    # Read before the heads: a change made meanwhile shows as a new state next time.
    state = store.heads_state()
    if unless == (model, deleted, state):
        return None
    heads = store.deleted(model) if deleted else store.list(model)
    return DatasetListing.of(model, deleted, heads, state)


@in_model
def diff(store: Store, model: str, name: str, v1: int, v2: int | None = None) -> VersionDiff:
    return store.diff(model, name, v1, v2)


@in_model
def get_dataset(store: Store, model: str, name: str) -> DatasetHead:
    return store.get(model, name)


@in_model
def get_version(store: Store, model: str, name: str, number: int) -> Version:
    return store.version(model, name, number)


@in_model
def list_versions(store: Store, model: str, name: str) -> list[Version]:
    return store.versions(model, name)


@in_model
def list_datasets(
    store: Store,
    model: str,
    *,
    status: str | None = None,
    search: str | None = None,
    sort: str = "name",
    offset: int = 0,
    limit: int | None = None,
) -> list[DatasetHead]:
    return store.list(model, status=status, search=search, sort=sort, offset=offset, limit=limit)


@in_model
def list_dataset_columns(
    store: Store, model: str, *, status: str | None = None, search: str | None = None, sort: str = "name"
) -> HeadColumns | None:
    """What list_datasets returns, column by column and without building a head (20,000 rows print in
    a few ms); None when the store can only list those heads one by one (list_datasets then)."""
    return store.list_columns(model, status=status, search=search, sort=sort)


@in_model
def count_datasets(store: Store, model: str, *, status: str | None = None, search: str | None = None) -> int:
    return store.count(model, status=status, search=search)


def list_models(target: Any) -> list[str]:
    return store_of(target).models()


@in_model
def cached_analysis(store: Store, model: str, name: str) -> CachedAnalysis | None:
    """The cached analysis, stale when computed for another definition than the one in use."""
    return store.cached_analysis(model, name)
