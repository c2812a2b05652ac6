"""Settings: profiles (TOML), paths (platformdirs) and environment overrides.

A profile says which warehouse to use and how to pay for it. Profiles are read
from TOML files, nearest first: ``./dataset-tui.toml``, then
``<user config dir>/config.toml``. Both may exist: a profile defined in the
nearer file replaces the one of the same name in the farther file, and the
nearest file that sets ``default_profile`` decides the default. With no file
at all there is one built-in profile, ``local``: the embedded DuckDB warehouse
with demo data.

Example::

    default_profile = "prod"

    [profiles.prod]
    backend = "bigquery"
    project = "my-project"
    location = "EU"
    dataset = "raw_data"
    credentials = "~/keys/dataset-tui.json"   # else Application Default Credentials
    price_per_tib = 6.25
    pricing = "on-demand"                     # or "sandbox" (free tier), "capacity" (slots)
    retry_deadline_s = 60                     # retry transient BigQuery errors this long
    confirm_bytes = "10 GiB"                  # ask before scanning more
    max_bytes_billed = "1 TiB"                # refuse before running above this
    approx_distinct = true

Environment overrides: ``DATASET_TUI_DB`` (store folder),
``DATASET_TUI_WAREHOUSE`` (DuckDB file), ``DATASET_TUI_PROFILE`` (profile name;
``--profile`` wins over it), ``DATASET_TUI_CONFIG`` (one config file to read
instead of the usual ones), ``DATASET_TUI_TODAY`` (fix the clock at a date, for
demos and screenshots), and for a BigQuery profile ``DATASET_TUI_BQ_PROJECT``,
``DATASET_TUI_BQ_LOCATION``, ``DATASET_TUI_BQ_DATASET``,
``DATASET_TUI_BQ_CREDENTIALS`` and ``DATASET_TUI_BQ_ENDPOINT`` (an API endpoint
such as a local emulator), which replace the profile's key of the same name.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from dataset_tui.config_values import plainly_valid

APP_NAME = "dataset-tui"
LOCAL_CONFIG = "dataset-tui.toml"
DEFAULT_PROFILE = "local"

# Environment variable -> the BigQuery profile key it replaces.
BQ_ENV_OVERRIDES: dict[str, str] = {
    "DATASET_TUI_BQ_PROJECT": "project",
    "DATASET_TUI_BQ_LOCATION": "location",
    "DATASET_TUI_BQ_DATASET": "dataset",
    "DATASET_TUI_BQ_CREDENTIALS": "credentials",
    "DATASET_TUI_BQ_ENDPOINT": "api_endpoint",
}


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and key."""


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)




@dataclass
class Profile:
    """One warehouse to work against, and its cost rules.

    A plain dataclass, so reading the config costs no pydantic import: values
    that are plainly right are taken as they are; anything else goes through
    the pydantic schema (config_schema.py), which coerces it as before or
    raises its ValidationError. The keys and defaults are the schema's.
    """

    name: str = DEFAULT_PROFILE
    backend: Literal["duckdb", "bigquery"] = "duckdb"
    # duckdb: the warehouse file (default: demo.duckdb in the user data dir)
    path: str | None = None
    # bigquery
    project: str | None = None
    location: str | None = None
    credentials: str | None = None  # service-account JSON file; else ADC
    dataset: str = "raw_data"
    price_per_tib: float = 6.25  # >= 0
    # How queries are paid for: "on-demand" (price_per_tib per TiB scanned),
    # "sandbox" (no billing: free tier, 1 TiB of queries a month; bytes are
    # shown, never dollars) or "capacity" (reserved slots: scans cost no
    # extra money, bytes are still shown and the byte limits still apply).
    pricing: str = "on-demand"
    # Ask before a query that scans more than this (bytes; "10 GiB" accepted).
    confirm_bytes: int = 10 * 1024**3
    # Refuse (before running) a query that would scan more than this; also
    # set as every BigQuery job's maximum_bytes_billed.
    max_bytes_billed: int = 1024**4
    approx_distinct: bool = False
    # bigquery: seconds a query may run before it is cancelled (> 0)
    timeout_s: float = 300.0
    # bigquery: seconds one HTTP request may take before it is retried (> 0)
    request_timeout_s: float = 30.0
    # bigquery: seconds to keep retrying a transient failure (rateLimitExceeded,
    # backendError, internalError, HTTP 5xx) before giving up as unavailable;
    # the client's own default is 600 s, far too long for someone waiting at
    # a terminal. An endpoint that refuses connections or a host name that
    # does not resolve is not retried at all: it fails at once. (0 < s <= 3600)
    retry_deadline_s: float = 60.0
    # bigquery: where the REST API is (the emulator in tests); None = Google's
    api_endpoint: str | None = None

    def __post_init__(self) -> None:
        if not plainly_valid(self):
            from dataset_tui.config_schema import ProfileSchema

            checked = ProfileSchema.model_validate(dataclasses.asdict(self))  # raises pydantic's ValidationError
            for key, value in checked.model_dump().items():
                setattr(self, key, value)

    @classmethod
    def model_validate(cls, data: Any) -> Profile:
        """A profile from a mapping; unknown keys and bad values raise pydantic's ValidationError."""
        if not isinstance(data, dict) or not set(data) <= PROFILE_KEYS:
            from dataset_tui.config_schema import ProfileSchema

            checked = ProfileSchema.model_validate(data)
            return cls(**checked.model_dump())
        return cls(**data)

    def model_dump(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def label(self) -> str:
        if self.backend == "bigquery":
            return f"BigQuery {self.project or '(no project)'}"
        return "DuckDB demo" if self.path is None else f"DuckDB {Path(self.path).name}"


PROFILE_KEYS = frozenset(f.name for f in dataclasses.fields(Profile))


@dataclass
class Settings:
    """What the files and the environment say, resolved."""

    default_profile: str = DEFAULT_PROFILE
    profiles: dict[str, Profile] = field(default_factory=dict)
    source: str | None = None  # the nearest file read, if any
    sources: list[str] = field(default_factory=list)  # every file read, nearest first
    # The file each profile came from (for `profiles` and error messages).
    profile_sources: dict[str, str] = field(default_factory=dict)

    def selected_name(self, name: str | None = None) -> str:
        """Which profile is in use: --profile, else DATASET_TUI_PROFILE, else the default."""
        return name or os.environ.get("DATASET_TUI_PROFILE") or self.default_profile

    def profile(self, name: str | None = None) -> Profile:
        wanted = self.selected_name(name)
        if wanted in self.profiles:
            return apply_env_overrides(self.profiles[wanted])
        if wanted == DEFAULT_PROFILE:
            return Profile(name=DEFAULT_PROFILE)
        known = ", ".join(self.names())
        where = f" in {', '.join(self.sources)}" if self.sources else " (no config file found)"
        raise ConfigError(f"no profile named {wanted!r}{where}; known profiles: {known}")

    def names(self) -> list[str]:
        return sorted({DEFAULT_PROFILE, *self.profiles})


def apply_env_overrides(profile: Profile) -> Profile:
    """A BigQuery profile with the DATASET_TUI_BQ_* variables applied."""
    if profile.backend != "bigquery":
        return profile
    changes = {key: os.environ[var] for var, key in BQ_ENV_OVERRIDES.items() if os.environ.get(var)}
    if not changes:
        return profile
    try:
        return Profile.model_validate({**profile.model_dump(), **changes})
    except ValueError as exc:  # pydantic's ValidationError
        by_key = {key: var for var, key in BQ_ENV_OVERRIDES.items()}
        problems = [f"  {by_key.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in _errors(exc)]
        raise ConfigError("invalid environment override:\n" + "\n".join(problems)) from None


def _errors(exc: ValueError) -> list[Any]:
    """The per-key errors of a pydantic ValidationError (anything else is not ours to word)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        raise exc
    return list(exc.errors(include_url=False))


def config_files() -> list[Path]:
    """Where profiles may be, nearest first."""
    if env := os.environ.get("DATASET_TUI_CONFIG"):
        return [Path(env)]
    return [Path.cwd() / LOCAL_CONFIG, config_dir() / "config.toml"]


def load_settings() -> Settings:
    """Read every config file that exists, nearest first (none is fine: the local profile)."""
    explicit = os.environ.get("DATASET_TUI_CONFIG")
    found = [path for path in config_files() if path.is_file()]
    if explicit and not found:
        raise ConfigError(f"DATASET_TUI_CONFIG={explicit!r}: no such file; fix the path or unset it")
    if not found:
        return Settings()
    files = [(path, _read_file(path)) for path in found]
    profiles: dict[str, Profile] = {}
    profile_sources: dict[str, str] = {}
    for path, content in reversed(files):  # farthest first, so nearer files win
        for name, profile in content.profiles.items():
            profiles[name] = profile
            profile_sources[name] = str(path)
    default = next((c.default_profile for _, c in files if c.default_profile is not None), DEFAULT_PROFILE)
    if default != DEFAULT_PROFILE and default not in profiles:
        origin = next(str(p) for p, c in files if c.default_profile is not None)
        known = ", ".join(sorted({DEFAULT_PROFILE, *profiles}))
        raise ConfigError(f"{origin}: default_profile = {default!r} names no profile; known profiles: {known}")
    return Settings(
        default_profile=default,
        profiles=profiles,
        source=str(found[0]),
        sources=[str(p) for p in found],
        profile_sources=profile_sources,
    )


@dataclass
class _FileContent:
    """What one config file holds."""

    default_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)


def _read(path: Path) -> Settings:
    """One file's settings on their own (kept for callers that read a single file)."""
    content = _read_file(path)
    return Settings(
        default_profile=content.default_profile or DEFAULT_PROFILE,
        profiles=content.profiles,
        source=str(path),
        sources=[str(path)],
        profile_sources={name: str(path) for name in content.profiles},
    )


_MAX_CONFIG_BYTES = 1_000_000


def _read_file(path: Path) -> _FileContent:
    try:
        with path.open("rb") as handle:  # bounded: a device or endless pipe is not read forever
            raw = handle.read(_MAX_CONFIG_BYTES + 1)
        if len(raw) > _MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {_MAX_CONFIG_BYTES:,} bytes; this is not a dataset-tui config")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or move it away") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: nested too deeply to be a dataset-tui config; fix the file or move it away"
        ) from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of [profiles.NAME] tables")
    problems: list[str] = []
    for name, body in profiles.items():
        if not isinstance(body, dict):
            problems.append(f"  profiles.{name}: must be a table, written [profiles.{name}]")
            continue
        if "name" in body and body["name"] != name:
            problems.append(f"  profiles.{name}.name: must be omitted or equal {name!r} (the table's name)")
        body["name"] = name
        if isinstance(body.get("credentials"), str):
            body["credentials"] = _resolve_path(body["credentials"], path.parent)
        if isinstance(body.get("path"), str):
            body["path"] = _resolve_path(body["path"], path.parent)
    if problems:
        raise ConfigError(f"{path}: invalid settings:\n" + "\n".join(problems))
    plain = _plain_content(data)
    return plain if plain is not None else _explained_content(path, data)


def _plain_content(data: dict[str, Any]) -> _FileContent | None:
    """The file's content when every key is known and every value plainly right; else None."""
    default = data.get("default_profile")
    if not set(data) <= {"default_profile", "profiles"} or (default is not None and type(default) is not str):
        return None
    profiles: dict[str, Profile] = {}
    for name, body in data.get("profiles", {}).items():
        if not set(body) <= PROFILE_KEYS:
            return None
        profile = Profile.__new__(Profile)
        for key in PROFILE_KEYS:
            setattr(profile, key, body.get(key, _DEFAULTS[key]))
        if not plainly_valid(profile):
            return None
        profiles[name] = profile
    return _FileContent(default_profile=default, profiles=profiles)


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Profile)}


def _explained_content(path: Path, data: dict[str, Any]) -> _FileContent:
    """The pydantic schema's reading of a file that is not plainly right: coerced values, or every problem."""
    from pydantic import ValidationError

    from dataset_tui.config_schema import FileSchema

    try:
        checked = FileSchema.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            key = ".".join(str(p) for p in error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key" + _known_keys_hint(error["loc"])
            problems.append(f"  {key}: {message}")
        raise ConfigError(f"{path}: invalid settings:\n" + "\n".join(problems)) from None
    return _FileContent(
        default_profile=checked.default_profile,
        profiles={name: Profile(**p.model_dump()) for name, p in checked.profiles.items()},
    )


def _known_keys_hint(loc: tuple[Any, ...]) -> str:
    if len(loc) == 3 and loc[0] == "profiles":
        keys = ", ".join(f.name for f in dataclasses.fields(Profile) if f.name != "name")
        return f" (a profile may set: {keys})"
    if len(loc) == 1:
        return " (the file may set: default_profile, [profiles.NAME])"
    return ""


def _resolve_path(value: str, base: Path) -> str:
    """`~` expanded; a relative path is relative to the config file's folder."""
    expanded = Path(value).expanduser()
    return str(expanded if expanded.is_absolute() else base / expanded)


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
