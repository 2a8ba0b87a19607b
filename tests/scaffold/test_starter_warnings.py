"""The starter repository builds without warnings, and so does the cross-posting it suggests."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import cli

PLAIN_POST = """---
title: News number {n}
publish: 2027-01-1{n} 09:00
status: approved
tags: [news]
channels: [x-main, linkedin-main, blog]
---
This is post {n}: a short text about our news number {n} and what we plan to do next.
"""


def warnings_of(root: Path) -> list[dict[str, object]]:
    result = cli("build", "--root", str(root), "--json")
    assert result.code == 0, result.out + result.err
    summary = json.loads(result.out)
    return [f for f in summary["findings"] if f["severity"] in ("error", "warning")]


def test_the_starter_builds_without_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "brand"
    assert cli("init", str(root)).code == 0
    assert warnings_of(root) == []


def test_one_post_on_every_starter_channel_is_not_warned_about(tmp_path: Path) -> None:
    root = tmp_path / "brand"
    assert cli("init", str(root)).code == 0
    for n in (1, 2, 3):
        (root / f"posts/news-{n}.md").write_text(PLAIN_POST.format(n=n), encoding="utf-8")
    assert warnings_of(root) == []
