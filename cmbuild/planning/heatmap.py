"""A channel's week as an SVG heatmap: 7 rows (Mon..Sun) × 24 hours, each cell its score.

Drawn by matplotlib with the report's pinned style (cmbuild/insights/charts.py), so the same
scores give the same bytes, and cached there by the scores drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from cmbuild.insights import charts
from cmbuild.planning.run import ChannelSlots, slots
from cmbuild.planning.week import CELLS, DAYS

WEEKS = 16


def heatmap(scores: Sequence[float], title: str) -> str:
    """The <svg> of 168 scores (Mon 00:00 first)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(charts.STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(7.5, 2.4))
        axes = figure.add_subplot()
        rows = [list(scores[day * 24 : day * 24 + 24]) for day in range(7)]
        image = axes.imshow(rows, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
        axes.set_yticks(range(7), DAYS)
        axes.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
        axes.set_title(title)
        figure.colorbar(image, ax=axes, label="score")
        return charts.svg(figure)


def channel_heatmap(slots: ChannelSlots, cache: Path | None) -> str | None:
    """The heatmap of one channel's scores (cached by them)."""
    by_cell = [0.0] * CELLS
    for slot in slots.scores.ranked:
        by_cell[slot.cell] = slot.score
    title = f"{slots.channel.name}: score by hour ({slots.zone})"
    return charts.cached(cache, (title, by_cell), lambda: heatmap(by_cell, title))


def heatmaps(root: Path, now: datetime, cache: Path | None) -> Mapping[str, str]:
    """Each channel with enough data of its own → its heatmap, over the WEEKS before `now`."""
    found = {}
    for channel in slots(root, (), WEEKS, now).channels:
        if channel.scores.enough:
            svg = channel_heatmap(channel, cache)
            if svg:
                found[channel.channel.name] = svg
    return found
