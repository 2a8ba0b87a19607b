"""Helpers shared by the tests: run the CLI in-process, snapshot an output tree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from cmbuild.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(*args: str) -> Run:
    runner = CliRunner()
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def tree(folder: Path, *, skip_state: bool = True) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (the build state excluded by default)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not (skip_state and relative.startswith(".cmbuild/")):
            found[relative] = path.read_bytes()
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
