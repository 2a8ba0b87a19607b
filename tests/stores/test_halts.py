"""state/halt.toml as the preview reads it: both spellings, and a broken file halts everything."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cmbuild.preview.halts import Halt, halts_for, read_halts
from tests.preview.conftest import Preview


def _read(tmp_path: Path, text: str) -> tuple[Halt, ...]:
    path = tmp_path / "halt.toml"
    path.write_text(text, encoding="utf-8")
    return read_halts(path)


def test_no_file_no_halt(tmp_path: Path) -> None:
    assert read_halts(tmp_path / "missing.toml") == ()


def test_short_spelling(tmp_path: Path) -> None:
    halts = _read(
        tmp_path,
        """
        [[halt]]
        campaign = "hiver"
        reason = "prix en cours de révision"
        [[halt]]
        channel = "x-test"
        reason = "compte suspendu"
        extra = "ignored"
        [[halt]]
        all = true
        reason = "crise"
        """,
    )
    assert halts == (
        Halt("prix en cours de révision", campaign="hiver"),
        Halt("compte suspendu", channel="x-test"),
        Halt("crise", everything=True),
    )


def test_spelling_of_cmbuild_halt(tmp_path: Path) -> None:
    halts = _read(
        tmp_path,
        """
        [[halt]]
        scope = "channel"
        name = "x-test"
        reason = "compte suspendu"
        since = "2026-12-01T09:00:00Z"
        [[halt]]
        scope = "all"
        reason = "crise"
        since = "2026-12-02T09:00:00Z"
        """,
    )
    assert halts[0] == Halt("compte suspendu", channel="x-test", since="2026-12-01T09:00:00Z")
    assert halts[1].everything
    assert (
        halts[0].describe() == "channel x-test halted since 2026-12-01T09:00:00Z: compte suspendu"
    )


@pytest.mark.parametrize(
    "text",
    [
        "[[halt]\nreason = ",  # not TOML
        "halt = 3",
        '[[halt]]\nreason = "sans cible"',
        "halt = [3]",
    ],
)
def test_what_cannot_be_understood_halts_everything(tmp_path: Path, text: str) -> None:
    (halt,) = _read(tmp_path, text)
    assert halt.everything
    assert halt.reason


def test_matching(preview: Preview) -> None:
    variant = preview.variant("posts/2026-12-01-lancement.md#x-test")
    assert halts_for(variant, (Halt("r", campaign="hiver"),))
    assert halts_for(variant, (Halt("r", channel="x-test"),))
    assert not halts_for(variant, (Halt("r", channel="bluesky-test"), Halt("r", campaign="x")))
    assert not halts_for(replace(variant, campaign=None), (Halt("r", campaign="hiver"),))
