"""Config values checked without pydantic: byte sizes, and the fast path for a plainly valid profile.

Most config files hold plainly right values; checking those by hand keeps
pydantic (about 100 ms of imports) off the start-up path. Anything else goes
to config_schema.py, which coerces what it accepts and words the errors.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataset_tui.config import Profile

# -- byte sizes -----------------------------------------------------------------

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4, "pb": 1000**5,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "pib": 1024**5}


def parse_size(value: Any) -> Any:
    """Bytes as a number or a string such as "10 GiB", "500 MB", "1 TiB".

    KB/MB/GB/TB are powers of 1000 and KiB/MiB/GiB/TiB powers of 1024, as
    written; BigQuery prices per TiB.
    """
    if isinstance(value, bool):
        raise ValueError("expected a byte size such as 10737418240 or \"10 GiB\"")
    if not isinstance(value, str):
        return value
    match = _SIZE_RE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a byte size; write a number of bytes or e.g. \"10 GiB\", \"500 MB\"")
    number, unit = match.groups()
    if len(number) > 24:  # more bytes than exist; float() would overflow
        raise ValueError(f"{value[:30]!r}… is too large for a byte size")
    return int(float(number) * _UNITS[(unit or "B").lower()])


MAX_BYTES = 2**63 - 1  # BigQuery's limits are INT64; more would overflow the cost arithmetic
_URL_RE = re.compile(r"^https?://[^\s/]+")
_DATASET_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


PRICING_MODELS = ("on-demand", "sandbox", "capacity")
MAX_RETRY_DEADLINE_S = 3600


def _number(value: object, low: float, *, inclusive: bool) -> float | None:
    """`value` as pydantic's float field would take it plainly (an int becomes a float); None otherwise."""
    if type(value) is int and abs(value) < 2**53:
        value = float(value)
    if type(value) is not float or math.isnan(value):
        return None
    return value if (value >= low if inclusive else value > low) else None


def plainly_valid(profile: Profile) -> bool:
    """True when every value is of its exact type and within its limits (then normalised in place).

    False sends the profile through the pydantic schema: it coerces what it
    accepts (a number written as text) and words the errors.
    """
    for key in ("name", "dataset"):
        if type(getattr(profile, key)) is not str:
            return False
    for key in ("path", "project", "location", "credentials", "api_endpoint"):
        if getattr(profile, key) is not None and type(getattr(profile, key)) is not str:
            return False
    backend: object = profile.backend  # as written in the file: any TOML value
    if type(backend) is not str or backend not in ("duckdb", "bigquery"):
        return False
    if not _DATASET_RE.match(profile.dataset):
        return False
    if profile.api_endpoint is not None and not _URL_RE.match(profile.api_endpoint):
        return False
    if type(profile.approx_distinct) is not bool:
        return False
    pricing: object = profile.pricing
    if type(pricing) is not str or pricing not in PRICING_MODELS:
        return False
    if type(profile.retry_deadline_s) in (int, float) and profile.retry_deadline_s > MAX_RETRY_DEADLINE_S:
        return False
    numbers = {"price_per_tib": (0.0, True), "timeout_s": (0.0, False), "request_timeout_s": (0.0, False),
               "retry_deadline_s": (0.0, False)}  # fmt: skip
    plain: dict[str, Any] = {}
    for key, (low, inclusive) in numbers.items():
        number = _number(getattr(profile, key), low, inclusive=inclusive)
        if number is None:
            return False
        plain[key] = number
    for key in ("confirm_bytes", "max_bytes_billed"):
        value = getattr(profile, key)
        if type(value) is str:
            try:
                value = parse_size(value)
            except ValueError:
                return False
        if type(value) is not int or not 0 <= value <= MAX_BYTES:
            return False
        plain[key] = value
    for key, value in plain.items():
        setattr(profile, key, value)
    return True


