"""What the wizard's workers post back to the event loop.

A worker thread never touches a widget: it posts one of these (posting is
thread-safe) and the screen's `on_…` handler, running on the event loop,
updates the steps. Each message carries everything its handler needs, so a
handler never has to ask where the data came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition, Problem
    from dataset_tui.domain.joins import JoinSuggestion
    from dataset_tui.services.catalog import Catalog
    from dataset_tui.tui.wizard.calls import Mapping, TableStatsView
    from dataset_tui.tui.wizard.schema_view import SchemaView
    from dataset_tui.warehouse.base import TableInfo


@dataclass
class TablesLoaded(Message):
    """The dataset's table names, shard families folded (step 2)."""

    catalog: Catalog


@dataclass
class DetailsLoaded(Message):
    """Rows, size and columns of some entries (those on screen), by entry name."""

    infos: dict[str, TableInfo]


@dataclass
class DetailsFailed(Message):
    """Details of these entries could not be read: they may be asked for again."""

    names: list[str]


@dataclass
class TablesFailed(Message):
    """The tables could not be listed: `text` says why."""

    text: str


@dataclass
class SchemaLoaded(Message):
    """One table's columns, made ready for the column step in the worker (drafts, index, suggested roles)."""

    view: SchemaView

    @property
    def table(self) -> str:
        return self.view.table


@dataclass
class SchemasDone(Message):
    """A schema worker finished (loaded or failed): these tables may be asked for again."""

    tables: list[str]


@dataclass
class JoinsFound(Message):
    """Detected joins and the suggested mapping for these tables."""

    tables: list[str]
    found: list[JoinSuggestion]
    mapping: Mapping


@dataclass
class StatsLoaded(Message):
    """A table's statistics, or None with `state` ("declined" or why it failed)."""

    table: str
    view: TableStatsView | None
    state: str = ""


@dataclass
class SamplesLoaded(Message):
    """Sample values of one column."""

    key: tuple[str, str]
    values: list[Any]


@dataclass
class FilterValuesLoaded(Message):
    """Sample values of the row filter's column (table, column), offered beside "is one of"."""

    table: str
    column: str
    values: list[Any]


@dataclass
class ParamsLoaded(Message):
    """The keys of a key/value array (table, array) found in a sample, with their value fields."""

    table: str
    column: str
    params: list[tuple[str, str]]


@dataclass
class RolesSuggested(Message):
    """The suggested role → (table, column) mapping, for `s` in step 3; None: finding them failed."""

    roles: dict[str, tuple[str, str]] | None


@dataclass
class SummaryReady(Message):
    """The live summary of step 4: the estimate lines and the SQL."""

    estimate: str
    sql: str


@dataclass
class CachedLoaded(Message):
    """The last analysis of the dataset being edited (or None)."""

    cached: tuple[Any, str, int] | None


@dataclass
class Saved(Message):
    """The dataset was saved: `outcome` is the service's SaveOutcome."""

    outcome: Any


@dataclass
class SaveConflict(Message):
    """Someone saved a newer version since this edit started."""

    message: str
    current_revision: int


@dataclass
class SaveRefused(Message):
    """The store or the definition refused the save: show these problems."""

    problems: list[Problem]


@dataclass
class SaveFailed(Message):
    """The save raised; the error itself reaches the user through the app's one handler."""


@dataclass
class Reloaded(Message):
    """The newest version of the dataset, after a conflict's "reload"."""

    revision: int
    definition: Definition
