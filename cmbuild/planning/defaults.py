"""The per-platform defaults of defaults.toml (its header gives the sources): one weight per
cell of the week, averaging 1, for the platform (or the `generic` shape for a platform it does
not name)."""

from __future__ import annotations

import functools
import tomllib
from importlib.resources import files

from cmbuild.planning.week import CELLS

GENERIC = "generic"


@functools.cache
def _table() -> dict[str, dict[str, list[float]]]:
    text = files("cmbuild.planning").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default_name(platform: str) -> str:
    """The defaults a platform uses: its own, or `generic`."""
    return platform if platform in _table() else GENERIC


def default_weights(platform: str) -> tuple[float, ...]:
    """The platform's default weight for each cell (Mon 00:00 first), averaging 1."""
    shape = _table()[default_name(platform)]
    raw = [day * hour for day in shape["days"] for hour in shape["hours"]]
    mean = sum(raw) / CELLS
    return tuple(value / mean for value in raw)
