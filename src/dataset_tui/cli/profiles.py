"""CLI: `dataset-tui profiles` lists the profiles and marks the one in use."""

from __future__ import annotations

import argparse
from typing import Any

from dataset_tui.cli.common import CliError, Invocation, add_json, print_json, table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
    parser = sub.add_parser(
        "profiles",
        help="list the warehouse profiles and mark the one in use",
        description="List the profiles from ./dataset-tui.toml and the user config file (the nearer "
        "file wins for a name), marking the one in use: --profile, else $DATASET_TUI_PROFILE, "
        "else default_profile.",
    )
    add_json(parser)
    parser.set_defaults(handler=_profiles)


def _profiles(inv: Invocation) -> int:
    # Only the settings: listing profiles must work even when the store or
    # the warehouse of the chosen profile cannot be opened.
    from dataset_tui.config import ConfigError, load_settings

    try:
        settings = load_settings()
        in_use = settings.selected_name(inv.args.profile)
        rows = [_describe(settings, name, in_use) for name in settings.names()]
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    if in_use not in settings.names():
        known = ", ".join(settings.names())
        raise CliError(f"no profile named {in_use!r}; known profiles: {known}")
    if inv.args.json:
        print_json(rows)
        return 0
    print(
        table(
            [
                [
                    "*" if r["in_use"] else "",
                    r["name"],
                    r["backend"],
                    r["project"] or r["path"] or "",
                    r["dataset"],
                    _size(r["confirm_bytes"]),
                    _size(r["max_bytes_billed"]),
                    r["source"] or "(built in)",
                ]
                for r in rows
            ],
            ["", "PROFILE", "BACKEND", "PROJECT/FILE", "DATASET", "ASK ABOVE", "REFUSE ABOVE", "FROM"],
        )
    )
    return 0


def _describe(settings: Any, name: str, in_use: str) -> dict[str, Any]:
    # The profile in use gets the environment overrides it runs with.
    profile = settings.profile(name) if name == in_use else settings.profiles.get(name) or settings.profile(name)
    return {
        "name": name,
        "in_use": name == in_use,
        "default": name == settings.default_profile,
        "backend": profile.backend,
        "project": profile.project,
        "location": profile.location,
        "dataset": profile.dataset,
        "path": profile.path,
        "credentials": profile.credentials,
        "api_endpoint": profile.api_endpoint,
        "price_per_tib": profile.price_per_tib,
        "confirm_bytes": profile.confirm_bytes,
        "max_bytes_billed": profile.max_bytes_billed,
        "approx_distinct": profile.approx_distinct,
        "timeout_s": profile.timeout_s,
        "source": settings.profile_sources.get(name),
    }


def _size(count: int) -> str:
    from dataset_tui.services.cost import format_bytes

    return format_bytes(count)
