"""AppContext: everything a use case needs, opened once per process.

The store opens eagerly (it is cheap and every command needs it); the
warehouse opens on first use, because opening it imports DuckDB or the
BigQuery client and most store commands never need either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dataset_tui.config import (
    Profile,
    Settings,
    load_settings,
    store_dir,
    warehouse_path,
)

if TYPE_CHECKING:
    from dataset_tui.store import Store
    from dataset_tui.warehouse.base import Warehouse


@dataclass
class AppContext:
    settings: Settings
    profile: Profile
    store: Store
    model: str = "default"
    warehouse_file: Path | None = None  # DuckDB only
    _warehouse: Warehouse | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(
        cls,
        *,
        db: str | Path | None = None,
        warehouse: str | Path | None = None,
        profile: str | None = None,
        model: str = "default",
    ) -> AppContext:
        from dataset_tui.store import Store

        settings = load_settings()
        chosen = settings.profile(profile)
        file = warehouse_path(chosen, warehouse) if chosen.backend == "duckdb" else None
        return cls(
            settings=settings,
            profile=chosen,
            store=Store.open(store_dir(db)),
            model=model,
            warehouse_file=file,
        )

    @property
    def warehouse_label(self) -> str:
        if self.profile.backend == "duckdb" and self.warehouse_file is not None:
            from dataset_tui.config import data_dir

            if self.warehouse_file == data_dir() / "demo.duckdb":
                return "DuckDB demo"
            return f"DuckDB {self.warehouse_file.name}"
        return self.profile.label

    def warehouse_project(self) -> str | None:
        """The BigQuery project that qualifies table names in SQL (None on DuckDB)."""
        return self.profile.project if self.profile.backend == "bigquery" else None

    def warehouse_exists(self) -> bool:
        """False when the DuckDB demo still has to be built (first run)."""
        return self.profile.backend != "duckdb" or (self.warehouse_file is not None and self.warehouse_file.exists())

    def warehouse(self) -> Warehouse:
        """The warehouse, opened on first use (thread-safe: workers call this)."""
        with self._lock:
            if self._warehouse is None:
                from dataset_tui.warehouse import open_warehouse

                self._warehouse = open_warehouse(self.profile, self.warehouse_file)
            opened: Warehouse = self._warehouse
            return opened

    def listen_to_warehouse(self, listener: Callable[[str], None]) -> None:
        """Be told what the warehouse is doing while a call waits (BigQuery: retries, batches).

        Only BigQuery says anything; the listener is called on the calling
        thread (a TUI worker posts it as a message)."""
        self.warehouse().on_status = listener

    def set_warehouse(self, warehouse: Warehouse | None) -> None:
        """Swap the warehouse (profile switch, tests with a slowed adapter)."""
        with self._lock:
            if self._warehouse is not None and self._warehouse is not warehouse:
                self._warehouse.close()
            self._warehouse = warehouse

    def take_notices(self) -> list[str]:
        """What the store could not keep since the last call (a cache, the export log on a read-only store).

        The work itself was done and shown; the caller tells the user.
        """
        notices, self.store.notices[:] = list(self.store.notices), []
        return notices

    def close(self) -> None:
        with self._lock:
            if self._warehouse is not None:
                self._warehouse.close()
                self._warehouse = None
        self.store.close()
