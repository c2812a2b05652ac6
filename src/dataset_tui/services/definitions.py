"""Use cases over the store that both faces call: save with checks, import and
export definition files, clone, rename, activate, delete rules, history.

Every save goes parse → file rules (domain/validation.py) → store, so a
definition that breaks a rule is never written, and every problem is listed
at once (DefinitionError). Warehouse checks for activation are passed in as
a callable, so this module needs no warehouse.

Calling convention: a use case about a named dataset takes the store and the
model, `f(store, model, name, ...)`, or the AppContext, `f(ctx, name, ...)`
(its store and model); `in_model` (services/calling.py) makes both work. Given a context,
`activate` also runs the warehouse's checks (services/checks.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataset_tui.services.calling import in_model, store_of
from dataset_tui.services.errors import ServiceError
from dataset_tui.store import (
    DatasetHead,
    Store,
    StoreError,
    Version,
)

# The definition models (and their rules) load with the first use case that
# reads or checks a definition: listing datasets never pays for them.
if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition, Problem

# Checks run before activation beyond the file rules (the warehouse's: tables
# and columns exist, role types fit, a dry run). They return the problems
# found; they may also raise (a WarehouseError, a declined confirmation).
ActivationChecks = Callable[["Definition"], Sequence["Problem"]]


class ActivationRefused(ServiceError):
    """A version that may not become active; lists every problem."""

    def __init__(self, name: str, version: int, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"{name} v{version} was not activated ({len(self.problems)} problem(s)):\n{lines}\n"
            "Fix them in a new version, then activate that one."
        )


@dataclass(frozen=True)
class SaveOutcome:
    """What a save did: a new dataset, a new version, or nothing (unchanged)."""

    head: DatasetHead
    version: Version | None  # None: equal to the latest version, nothing added
    created: bool

    @property
    def unchanged(self) -> bool:
        return self.version is None

    def describe(self) -> str:
        if self.created:
            return f"created {self.head.name} v1 ({self.head.model})"
        if self.version is None:
            return f"{self.head.name} unchanged (still v{self.head.revision})"
        return f"saved {self.head.name} v{self.version.number}"


@dataclass(frozen=True)
class ImportOutcome:
    """One file of an import: what was saved, or why nothing was."""

    path: str
    outcome: SaveOutcome | None
    error: str | None = None
    conflict: bool = False  # refused because the dataset moved on from the base revision

    @property
    def ok(self) -> bool:
        return self.error is None


# -- checking and saving ----------------------------------------------------


def check(data: Definition | dict[str, Any], *, source: str | None = None) -> Definition:
    """A definition that passes every file rule; DefinitionError lists all problems."""
    from dataset_tui.domain.definition import Definition, check_limits, parse_definition

    if isinstance(data, Definition):
        # A model built in code skipped the cross-field rules: run them all.
        data = data.to_dict()
    check_limits(data, source=source)  # new saves only: what is stored already stays readable
    return parse_definition(data, source=source)


def save(
    store: Store,
    data: Definition | dict[str, Any],
    *,
    base_revision: int | None = None,
    note: str | None = None,
    mode: str = "upsert",
) -> SaveOutcome:
    """Check a definition and save it.

    mode "create": a new dataset (its name must be free); "update": a new
    version of an existing dataset, refused as a conflict if it moved on from
    `base_revision`; "upsert": whichever applies (import: the file is the
    truth, saved on top of the latest version).
    """
    if mode not in ("create", "update", "upsert"):
        raise ValueError(f"unknown save mode {mode!r}")
    from dataset_tui.store import NameTakenError

    store = store_of(store)
    definition = check(data)
    version: Version | None
    new = store.name_available(definition.model, definition.name)
    if mode == "upsert" and new and base_revision is not None:
        # A base version says "I edited that dataset": creating it instead would hide a mistyped name.
        from dataset_tui.store import NotFoundError

        raise NotFoundError(
            f"no dataset named {definition.name!r} in model {definition.model!r}, so there is no "
            f"v{base_revision} to save on top of; leave out --base-version to create it"
        )
    if mode == "create" or (mode == "upsert" and new):
        try:
            version = store.create(definition, note=note)
            return SaveOutcome(store.get(definition.model, definition.name), version, created=True)
        except NameTakenError:
            if mode == "create":
                raise
            # Another process created it a moment ago: save on top of it.
    version = store.update(definition, base_revision=base_revision, note=note)
    return SaveOutcome(store.get(definition.model, definition.name), version, created=False)


def read_limited(path: str | Path) -> bytes:
    """A definition file's bytes: a regular file (or stdin as "-") of at most MAX_FILE_BYTES.

    A device or FIFO (`/dev/zero`, `/dev/stdin` of an endless producer) would
    be read forever; it is refused, and no more than the limit is ever read.
    """
    import stat
    import sys

    from dataset_tui.domain.definition import MAX_FILE_BYTES, DefinitionError, Problem

    def too_big(size: str) -> DefinitionError:
        return DefinitionError(
            [Problem(path="", message=f"the file is {size} bytes; a definition file is at most {MAX_FILE_BYTES:,}")],
            str(path),
        )

    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise too_big("more than " + f"{MAX_FILE_BYTES:,}")
        return data
    path = Path(path)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise ServiceError(f"{path} is a folder; give a definition file (.json)")
            if not stat.S_ISREG(info.st_mode):
                raise ServiceError(f"{path} is not a regular file (a device or a pipe); give a definition file (.json)")
            if info.st_size > MAX_FILE_BYTES:  # refused before reading it
                raise too_big(f"{info.st_size:,}")
            data = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise ServiceError(f"{path} is a folder; give a definition file (.json)") from None
    except OSError as exc:
        raise ServiceError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise too_big(f"more than {MAX_FILE_BYTES:,}")
    return data


def read_definition_file(path: str | Path) -> Definition:
    """Parse and check a definition file; every problem is listed, naming the file."""
    from dataset_tui.domain.definition import parse_definition_json

    return parse_definition_json(read_limited(path), source=str(path))


def import_file(
    store: Store,
    path: str | Path,
    *,
    note: str | None = None,
    base_revision: int | None = None,
    prepare: Callable[[Definition], Definition] | None = None,
) -> SaveOutcome:
    """Save one definition file (create or new version); nothing is written if it is invalid.

    `prepare` may complete the definition before it is saved: the CLI passes
    one that fills `columns[].type` in from the warehouse when one is at hand.
    """
    store = store_of(store)
    definition = read_definition_file(path)
    if prepare is not None:
        definition = prepare(definition)
    return save(store, definition, base_revision=base_revision, note=note, mode="upsert")


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    note: str | None = None,
    base_revision: int | None = None,
    prepare: Callable[[Definition], Definition] | None = None,
) -> list[ImportOutcome]:
    """Import many files in one process; each on its own (one bad file stops no other)."""
    from dataset_tui.domain.definition import DefinitionError
    from dataset_tui.services.errors import user_message
    from dataset_tui.store import ConflictError

    store = store_of(store)
    outcomes = []
    for path in paths:
        try:
            outcome = import_file(store, path, note=note, base_revision=base_revision, prepare=prepare)
        except (DefinitionError, StoreError, ServiceError) as exc:
            if isinstance(exc, DefinitionError):
                exc = DefinitionError(exc.problems)  # the caller names the file once
            message = user_message(exc) or str(exc)
            outcomes.append(ImportOutcome(str(path), None, message, conflict=isinstance(exc, ConflictError)))
        else:
            outcomes.append(ImportOutcome(str(path), outcome))
    return outcomes


# -- reading ------------------------------------------------------------------


@in_model
def resolve(store: Store, model: str, name: str, version: int | None = None) -> tuple[DatasetHead, Version]:
    """The dataset and the version to use: `version`, else the active one, else the latest."""
    head = store.get(model, name)
    return head, store.version(model, head.name, version if version is not None else head.definition_version)


@in_model
def definition_text(
    store: Store, model: str, name: str, version: int | None = None
) -> tuple[DatasetHead, Version, str]:
    """A version's definition file content (what `definition export` writes)."""
    head, chosen = resolve(store, model, name, version)
    return head, chosen, chosen.definition.to_json()


@in_model
def export_definition(
    store: Store,
    model: str,
    name: str,
    *,
    version: int | None = None,
    output: str | Path | None = None,
    overwrite: bool = False,
) -> tuple[Version, str]:
    """The definition file of a version; written safely to `output` if given, and recorded.

    An existing file at `output` is replaced only with `overwrite` (the face asks).
    """
    head, chosen, text = definition_text(store, model, name, version)
    if output is not None:
        from dataset_tui.services import safe_write

        path = Path(output)
        safe_write.write_text(path, text, overwrite=overwrite)
        store.record_export(model, head.name, chosen.number, [str(path.resolve())], None)
    return chosen, text


@in_model
def versions(store: Store, model: str, name: str) -> list[Version]:
    return store.versions(model, name)


# -- changing -----------------------------------------------------------------


@in_model
def restore(store: Store, model: str, name: str, number: int, *, note: str | None = None) -> Version:
    return store.restore(model, name, number, note=note)


@in_model
def clone(store: Store, model: str, name: str, new_name: str, *, version: int | None = None) -> Version:
    return store.clone(model, name, new_name, version=version)


@in_model
def rename(store: Store, model: str, name: str, new_name: str) -> DatasetHead:
    return store.rename(model, name, new_name)


def activate(target: Any, *args: Any, checks: ActivationChecks | None = None, **kwargs: Any) -> DatasetHead:
    """Make a version (default: the latest) the one pipelines use, after its checks pass.

    `activate(store, model, name, version=None, checks=None)`, or
    `activate(ctx, name, version=None)` which checks against the context's
    warehouse unless `checks` is given.
    """
    if isinstance(target, Store):
        return _activate(target, *args, checks=checks, **kwargs)
    if checks is None:
        from dataset_tui.services.checks import activation_checks

        checks = activation_checks(target)
    return _activate(target.store, target.model, *args, checks=checks, **kwargs)


def _activate(
    store: Store,
    model: str,
    name: str,
    version: int | None = None,
    *,
    checks: ActivationChecks | None = None,
) -> DatasetHead:
    # The file rules always run (a version saved before a rule existed may
    # break it); `checks` adds the warehouse's.
    from dataset_tui.domain.definition import DefinitionError

    head = store.get(model, name)
    number = version if version is not None else head.revision
    chosen = store.version(model, head.name, number)
    problems: list[Problem] = []
    try:
        check(chosen.definition.to_dict())
    except DefinitionError as exc:
        problems += exc.problems
    if not problems and checks is not None:
        problems += checks(chosen.definition)
    if problems:
        raise ActivationRefused(head.name, number, problems)
    return store.activate(model, head.name, number)


@in_model
def delete(store: Store, model: str, name: str, *, force: bool = False) -> DatasetHead:
    """Delete (recoverably); an active dataset needs `force`. Returns the head as it was."""
    head = store.get(model, name)
    store.delete(model, head.name, force=force)
    return head


@in_model
def undelete(store: Store, model: str, name: str, *, as_name: str | None = None) -> DatasetHead:
    return store.undelete(model, name, as_name=as_name)


@in_model
def purge(store: Store, model: str, name: str) -> None:
    store.purge(model, name)


def schema_text() -> str:
    """The JSON Schema of the definition file format."""
    from dataset_tui.domain.definition import json_schema

    return json.dumps(json_schema(), indent=2) + "\n"


def name_problem(ctx: Any, name: str) -> str | None:
    """None when a new dataset may be called `name` in the context's model, else why not.

    The live check of the wizard's name field and of the clone / save-as
    dialogs; `ctx` is the AppContext (its store and model).
    """
    from dataset_tui.domain.definition import NAME_RE

    if not name:
        return "a dataset needs a name"
    if not NAME_RE.fullmatch(name):
        return "1–64 characters: a letter first, then letters, digits, _ or -"
    if not ctx.store.name_available(ctx.model, name):
        return f"{name} is taken in model {ctx.model} (names are compared ignoring case)"
    return None


# Reading use cases live in dataset_queries.py; these names stay importable from
# here. Loaded on first use, not on import: a save does not need them (their
# module builds three dataclasses, a millisecond each, in every CLI process).
_QUERIES = frozenset(
    {
        "DatasetDetails", "DatasetListing", "ListingSelection", "cached_analysis", "count_datasets",
        "dataset_listing", "deleted_datasets", "details", "diff", "find_dataset", "get_dataset",
        "get_version", "list_dataset_columns", "list_datasets", "list_models", "list_versions",
    }
)  # fmt: skip

if TYPE_CHECKING:
    from dataset_tui.services.dataset_queries import (
        DatasetDetails as DatasetDetails,
        DatasetListing as DatasetListing,
        ListingSelection as ListingSelection,
        cached_analysis as cached_analysis,
        count_datasets as count_datasets,
        dataset_listing as dataset_listing,
        deleted_datasets as deleted_datasets,
        details as details,
        diff as diff,
        find_dataset as find_dataset,
        get_dataset as get_dataset,
        get_version as get_version,
        list_dataset_columns as list_dataset_columns,
        list_datasets as list_datasets,
        list_models as list_models,
        list_versions as list_versions,
    )


def __getattr__(name: str) -> Any:
    if name in _QUERIES:
        from dataset_tui.services import dataset_queries

        return getattr(dataset_queries, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
