"""Settings: profiles (TOML), paths (platformdirs) and environment overrides.

A profile says which warehouse to use and how to pay for it. Profiles are read
from the nearest file first: ``./dataset-tui.toml``, then
``<user config dir>/config.toml``. With no file at all there is one built-in
profile, ``local``: the embedded DuckDB warehouse with demo data.

Environment overrides: ``DATASET_TUI_DB`` (store folder),
``DATASET_TUI_WAREHOUSE`` (DuckDB file), ``DATASET_TUI_PROFILE`` (profile name),
``DATASET_TUI_CONFIG`` (a config file to read instead of the usual ones),
``DATASET_TUI_TODAY`` (fix the clock at a date, for demos and screenshots).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

APP_NAME = "dataset-tui"
LOCAL_CONFIG = "dataset-tui.toml"
DEFAULT_PROFILE = "local"


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and key."""


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


class Profile(BaseModel):
    """One warehouse to work against, and its cost rules."""

    model_config = ConfigDict(extra="forbid")

    name: str = DEFAULT_PROFILE
    backend: Literal["duckdb", "bigquery"] = "duckdb"
    # duckdb: the warehouse file (default: demo.duckdb in the user data dir)
    path: str | None = None
    # bigquery
    project: str | None = None
    location: str | None = None
    credentials: str | None = None  # service-account JSON file; else ADC
    dataset: str = "raw_data"
    price_per_tib: float = Field(default=6.25, ge=0)
    # Ask before a query that scans more than this (bytes).
    confirm_bytes: int = Field(default=10 * 1024**3, ge=0)
    # Refuse (before running) a query that would scan more than this.
    max_bytes_billed: int = Field(default=1024**4, ge=0)
    approx_distinct: bool = False
    # bigquery: seconds a query may run before it is cancelled
    timeout_s: float = Field(default=300, gt=0)
    # bigquery: where the REST API is (the emulator in tests); None = Google's
    api_endpoint: str | None = None

    @property
    def label(self) -> str:
        if self.backend == "bigquery":
            return f"BigQuery {self.project or '(no project)'}"
        return "DuckDB demo" if self.path is None else f"DuckDB {Path(self.path).name}"


class Settings(BaseModel):
    """What the files and the environment say, resolved."""

    model_config = ConfigDict(extra="forbid")

    default_profile: str = DEFAULT_PROFILE
    profiles: dict[str, Profile] = Field(default_factory=dict)
    source: str | None = None  # the file it came from, if any

    def profile(self, name: str | None = None) -> Profile:
        wanted = name or os.environ.get("DATASET_TUI_PROFILE") or self.default_profile
        if wanted in self.profiles:
            return self.profiles[wanted]
        if wanted == DEFAULT_PROFILE:
            return Profile(name=DEFAULT_PROFILE)
        known = ", ".join(sorted({DEFAULT_PROFILE, *self.profiles})) or DEFAULT_PROFILE
        where = f" in {self.source}" if self.source else ""
        raise ConfigError(f"no profile named {wanted!r}{where}; known profiles: {known}")

    def names(self) -> list[str]:
        return sorted({DEFAULT_PROFILE, *self.profiles})


def config_files() -> list[Path]:
    """Where profiles may be, nearest first."""
    if env := os.environ.get("DATASET_TUI_CONFIG"):
        return [Path(env)]
    return [Path.cwd() / LOCAL_CONFIG, config_dir() / "config.toml"]


def load_settings() -> Settings:
    """Read the first config file that exists (none is fine: the local profile)."""
    for path in config_files():
        if path.is_file():
            return _read(path)
    return Settings()


def _read(path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or move it away") from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of [profiles.NAME] tables")
    for name, body in profiles.items():
        if isinstance(body, dict):
            body.setdefault("name", name)
    try:
        return Settings.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            key = ".".join(str(p) for p in error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"  {key}: {message}")
        raise ConfigError(f"{path}: invalid settings:\n" + "\n".join(problems)) from None


def store_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The store folder: --db, else DATASET_TUI_DB, else the user data dir."""
    if cli_value:
        return Path(cli_value)
    if env := os.environ.get("DATASET_TUI_DB"):
        return Path(env)
    return data_dir() / "store"


def warehouse_path(profile: Profile, cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB file: --warehouse, else DATASET_TUI_WAREHOUSE, else the profile, else the demo."""
    if cli_value:
        return Path(cli_value)
    if env := os.environ.get("DATASET_TUI_WAREHOUSE"):
        return Path(env)
    if profile.path:
        return Path(profile.path).expanduser()
    return data_dir() / "demo.duckdb"


def apply_clock_override() -> None:
    """Honour DATASET_TUI_TODAY=YYYY-MM-DD (demos, screenshots, tests)."""
    import datetime as dt

    from dataset_tui.domain import clock

    if value := os.environ.get("DATASET_TUI_TODAY"):
        try:
            clock.fix(dt.date.fromisoformat(value))
        except ValueError:
            raise ConfigError(f"DATASET_TUI_TODAY={value!r} is not a date written YYYY-MM-DD") from None
