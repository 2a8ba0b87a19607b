"""Shared test set-up: a pinned clock-free, zone- and locale-independent environment."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# The push fixtures (peers, a push runner) serve the push tests and every platform's publisher
# tests under tests/platforms/<name>/; the Bluesky network with its AppView serves any test that
# reads results back (`bluesky_network`).
pytest_plugins = ("tests.push.fixtures", "tests.platforms.bluesky.appview")

# CI runs the property tests with a fixed seed and no time limit per example: a failure there is
# reproducible, and a slow machine is not a failure. Locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI", "").lower() not in ("", "0", "false"):
    settings.load_profile("ci")

SITES = Path(__file__).parent / "sites"
REPO = Path(__file__).parent.parent

# Builds must not depend on the machine's zone or locale: pin both for every test.
os.environ["TZ"] = "Pacific/Auckland"  # far from every zone the sites use, to catch leaks
os.environ["LC_ALL"] = "C.UTF-8"
if hasattr(time, "tzset"):
    time.tzset()


@pytest.fixture
def site(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a sample site from tests/sites/ into a temporary folder and return its root."""

    def copy(name: str = "basic") -> Path:
        root = tmp_path / name
        shutil.copytree(SITES / name, root)
        return root

    return copy


@pytest.fixture
def basic(site: Callable[[str], Path]) -> Iterator[Path]:
    yield site("basic")
