"""The analytics import tests' site: tests/sites/basic, built once, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import cli

EXPORTS = Path(__file__).parent / "exports"
SITES = Path(__file__).parents[2] / "sites"


@pytest.fixture(scope="module")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("analytics") / "basic"
    shutil.copytree(SITES / "basic", root)
    cli("build", "--root", str(root), "--no-preview", "--now", "2026-11-01T00:00:00Z")
    assert (root / "output" / "manifest.json").exists()
    return root


@pytest.fixture
def built(built_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "basic"
    shutil.copytree(built_template, root)
    return root


@pytest.fixture
def run_import(built: Path) -> Callable[..., object]:
    def run(name: str | Path, fmt: str, *options: str) -> object:
        path = name if isinstance(name, Path) else EXPORTS / name
        return cli("import-analytics", str(path), "--format", fmt, "--root", str(built), *options)

    return run
