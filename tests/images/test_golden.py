"""Output bytes are pinned: same inputs, same bytes, the digests committed in golden.json.

After an intended change (or a Pillow upgrade), run `python -m tests.images.regenerate`.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.images.golden import GOLDEN, build, digests


def test_outputs_match_the_golden_digests(tmp_path: Path) -> None:
    result = build(tmp_path / "golden")
    assert result.errors == []
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert digests(result) == expected, "run `python -m tests.images.regenerate` and review"


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = digests(build(tmp_path / "one"))
    second = digests(build(tmp_path / "two"))
    assert first == second
