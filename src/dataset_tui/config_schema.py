"""The config file's schema as pydantic models: the explanation of a bad file.

Loading a good file needs none of this (config.py checks the plain cases
itself and builds dataclasses): pydantic and these models load only when a
value is not plainly right, to coerce it as before ("6.25" for a number) or to
word the error key by key. Every profile key is declared twice, here and on
config.Profile, with the same name and default; tests/test_config.py checks
that both agree.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from dataset_tui.config import DEFAULT_PROFILE
from dataset_tui.config_values import parse_size

# At most 2^63 - 1 bytes (8 EiB): BigQuery's limits are INT64, and a larger
# number (a 400-digit TOML integer) would overflow the cost arithmetic.
ByteSize = Annotated[int, BeforeValidator(parse_size), Field(ge=0, le=2**63 - 1)]


class ProfileSchema(BaseModel):
    """One warehouse to work against, and its cost rules (see config.Profile)."""

    model_config = ConfigDict(extra="forbid")

    name: str = DEFAULT_PROFILE
    backend: Literal["duckdb", "bigquery"] = "duckdb"
    path: str | None = None
    project: str | None = None
    location: str | None = None
    credentials: str | None = None
    dataset: str = "raw_data"
    price_per_tib: float = Field(default=6.25, ge=0)
    pricing: Literal["on-demand", "sandbox", "capacity"] = "on-demand"
    confirm_bytes: ByteSize = 10 * 1024**3
    max_bytes_billed: ByteSize = 1024**4
    approx_distinct: bool = False
    timeout_s: float = Field(default=300.0, gt=0)
    request_timeout_s: float = Field(default=30.0, gt=0)
    retry_deadline_s: float = Field(default=60.0, gt=0, le=3600)
    api_endpoint: str | None = None

    @field_validator("api_endpoint")
    @classmethod
    def _endpoint_is_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not a URL; write e.g. \"http://127.0.0.1:9050\"")
        return value

    @field_validator("dataset")
    @classmethod
    def _dataset_is_identifier(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
            raise ValueError(f"{value!r} is not a dataset name (letters, digits, underscores)")
        return value


class FileSchema(BaseModel):
    """What one config file may hold."""

    model_config = ConfigDict(extra="forbid")

    default_profile: str | None = None
    profiles: dict[str, ProfileSchema] = Field(default_factory=dict)
