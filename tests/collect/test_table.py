"""docs/insights-metrics.md is what the platforms' metric tables say (`make golden` writes it)."""

from __future__ import annotations

from pathlib import Path

from cmbuild import platforms
from cmbuild.collect.table import render

DOC = Path(__file__).parents[2] / "docs" / "insights-metrics.md"


def test_the_metrics_page_is_generated_from_the_tables() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `make golden`"


def test_every_reader_names_each_metric_once_and_says_what_it_counts() -> None:
    for name in platforms.names():
        reference = platforms.get(name).metrics
        if reference is None:
            continue
        assert reference.startswith(f"cmbuild.platforms.{name}.metrics:")
        text = render()
        assert f"## {platforms.get(name).label}" in text
