"""Profiles: TOML files nearest first, environment overrides, errors naming file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataset_tui import config
from dataset_tui.cli import main
from dataset_tui.config import ConfigError, Profile, load_settings
from dataset_tui.config_values import parse_size

ENV_VARS = ["DATASET_TUI_CONFIG", "DATASET_TUI_PROFILE", *config.BQ_ENV_OVERRIDES]


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(the working directory, the user config dir), both empty, env cleared."""
    work = tmp_path / "work"
    user = tmp_path / "user-config"
    work.mkdir()
    user.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(config, "config_dir", lambda: user)
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return work, user


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_builtin_local_profile(dirs: tuple[Path, Path]) -> None:
    settings = load_settings()
    assert settings.sources == []
    assert settings.names() == ["local"]
    assert settings.profile().backend == "duckdb"


def test_bigquery_profile_with_every_key(dirs: tuple[Path, Path]) -> None:
    work, _ = dirs
    (work / "keys").mkdir()
    write(
        work / "dataset-tui.toml",
        """
default_profile = "prod"
[profiles.prod]
backend = "bigquery"
project = "acme-ml"
location = "EU"
dataset = "raw_events"
credentials = "keys/sa.json"
price_per_tib = 5.0
confirm_bytes = "10 GiB"
max_bytes_billed = "1 TiB"
approx_distinct = true
timeout_s = 120
request_timeout_s = 10
retry_deadline_s = 20
""",
    )
    profile = load_settings().profile()
    assert profile.name == "prod"
    assert (profile.project, profile.location, profile.dataset) == ("acme-ml", "EU", "raw_events")
    # A relative key file is relative to the config file, not to wherever the user runs.
    assert profile.credentials == str(work / "keys" / "sa.json")
    assert profile.confirm_bytes == 10 * 1024**3
    assert profile.max_bytes_billed == 1024**4
    assert profile.approx_distinct is True
    assert (profile.timeout_s, profile.request_timeout_s, profile.retry_deadline_s) == (120, 10, 20)


def test_nearest_file_wins_per_profile_and_for_the_default(dirs: tuple[Path, Path]) -> None:
    work, user = dirs
    write(
        user / "config.toml",
        """
default_profile = "shared"
[profiles.shared]
backend = "bigquery"
project = "from-user-file"
[profiles.mine]
backend = "bigquery"
project = "only-in-user-file"
""",
    )
    write(
        work / "dataset-tui.toml",
        """
[profiles.shared]
backend = "bigquery"
project = "from-local-file"
""",
    )
    settings = load_settings()
    assert settings.sources == [str(work / "dataset-tui.toml"), str(user / "config.toml")]
    assert settings.profile("shared").project == "from-local-file"
    assert settings.profile("mine").project == "only-in-user-file"
    # The local file sets no default, so the user file's default stands.
    assert settings.default_profile == "shared"
    assert settings.profile_sources["shared"] == str(work / "dataset-tui.toml")
    assert settings.profile_sources["mine"] == str(user / "config.toml")


def test_profile_choice_order_cli_then_env_then_default(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = dirs
    write(
        work / "dataset-tui.toml",
        'default_profile = "a"\n[profiles.a]\nbackend = "duckdb"\n[profiles.b]\nbackend = "duckdb"\n'
        '[profiles.c]\nbackend = "duckdb"\n',
    )
    settings = load_settings()
    assert settings.profile().name == "a"
    monkeypatch.setenv("DATASET_TUI_PROFILE", "b")
    assert settings.profile().name == "b"
    assert settings.profile("c").name == "c"


def test_env_overrides_apply_to_a_bigquery_profile(dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    work, _ = dirs
    write(work / "dataset-tui.toml", '[profiles.bq]\nbackend = "bigquery"\nproject = "p1"\n')
    monkeypatch.setenv("DATASET_TUI_BQ_PROJECT", "p2")
    monkeypatch.setenv("DATASET_TUI_BQ_ENDPOINT", "http://127.0.0.1:9050")
    profile = load_settings().profile("bq")
    assert profile.project == "p2"
    assert profile.api_endpoint == "http://127.0.0.1:9050"
    # A DuckDB profile has no BigQuery keys to override.
    assert load_settings().profile("local").project is None


def test_bad_env_override_names_the_variable(dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    work, _ = dirs
    write(work / "dataset-tui.toml", '[profiles.bq]\nbackend = "bigquery"\n')
    monkeypatch.setenv("DATASET_TUI_BQ_ENDPOINT", "not a url")
    with pytest.raises(ConfigError, match="DATASET_TUI_BQ_ENDPOINT"):
        load_settings().profile("bq")


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[profiles.prod]\nbackend = "bigquery"\nprice_per_tib = -1\n', "profiles.prod.price_per_tib"),
        ('[profiles.prod]\nbackend = "snowflake"\n', "profiles.prod.backend"),
        ('[profiles.prod]\nbackend = "bigquery"\nmax_bytes_billed = "lots"\n', "profiles.prod.max_bytes_billed"),
        ('[profiles.prod]\nbackend = "bigquery"\nprojcet = "typo"\n', "profiles.prod.projcet"),
        ('[profiles.prod]\nbackend = "bigquery"\napi_endpoint = "localhost"\n', "profiles.prod.api_endpoint"),
        ('[profiles.prod]\nbackend = "bigquery"\ndataset = "raw data"\n', "profiles.prod.dataset"),
        ('[profiles.prod]\nname = "other"\n', "profiles.prod.name"),
        ('default_profiel = "x"\n', "default_profiel"),
    ],
)
def test_invalid_settings_name_the_file_and_key(dirs: tuple[Path, Path], body: str, key: str) -> None:
    work, _ = dirs
    path = write(work / "dataset-tui.toml", body)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(path) in str(info.value)
    assert f"{key}:" in str(info.value)


def test_unknown_profile_key_lists_the_allowed_keys(dirs: tuple[Path, Path]) -> None:
    work, _ = dirs
    write(work / "dataset-tui.toml", '[profiles.prod]\nprojcet = "typo"\n')
    with pytest.raises(ConfigError, match=r"unknown key.*project"):
        load_settings()


def test_broken_toml_and_dangling_default(dirs: tuple[Path, Path]) -> None:
    work, _ = dirs
    path = write(work / "dataset-tui.toml", "[profiles.prod\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()
    write(path, 'default_profile = "nope"\n')
    with pytest.raises(ConfigError, match="default_profile = 'nope' names no profile"):
        load_settings()


def test_unknown_profile_lists_known_ones(dirs: tuple[Path, Path]) -> None:
    work, _ = dirs
    write(work / "dataset-tui.toml", '[profiles.prod]\nbackend = "bigquery"\n')
    with pytest.raises(ConfigError, match="known profiles: local, prod"):
        load_settings().profile("staging")


def test_explicit_config_file_must_exist(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATASET_TUI_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="DATASET_TUI_CONFIG"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10 GiB", 10 * 1024**3), ("500MB", 500 * 1000**2), ("1 TiB", 1024**4), ("1.5 KiB", 1536), ("42", 42), (7, 7)],
)
def test_parse_size(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected
    assert Profile(confirm_bytes=text).confirm_bytes == expected


def test_profiles_command_marks_the_one_in_use(
    dirs: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, _ = dirs
    write(
        work / "dataset-tui.toml",
        'default_profile = "prod"\n[profiles.prod]\nbackend = "bigquery"\nproject = "acme"\n'
        'confirm_bytes = "1 GiB"\n[profiles.dev]\nbackend = "bigquery"\nproject = "acme-dev"\n',
    )
    assert main(["profiles", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"dev", "local", "prod"}
    assert [n for n, r in rows.items() if r["in_use"]] == ["prod"]
    assert rows["prod"]["confirm_bytes"] == 1024**3
    assert rows["prod"]["source"] == str(work / "dataset-tui.toml")
    assert rows["local"]["source"] is None

    assert main(["--profile", "dev", "profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    marked = [line for line in lines if line.startswith("*")]
    assert len(marked) == 1 and "dev" in marked[0] and "acme-dev" in marked[0]

    monkeypatch.setenv("DATASET_TUI_PROFILE", "nope")
    assert main(["profiles"]) == 1
    assert "no profile named 'nope'" in capsys.readouterr().err
