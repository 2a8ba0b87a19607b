"""The report's charts, drawn by matplotlib as inline SVG: the same figures give the same bytes.

matplotlib's SVG ids come from a hash salted per run unless `svg.hashsalt` is set, and its
metadata carry the date unless told not to; both are pinned here. Text stays text
(`svg.fonttype = none`) so the page is small and the words can be searched.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cmbuild.insights.report import KpiResult, Trend

STYLE: dict[str, Any] = {
    "svg.hashsalt": "cmbuild-report",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
CHART_KPIS = 20  # at most, in the chart: beyond that bars are too thin to read
_COLORS = {"met": "#2e7d32", "below target": "#f9a825", "alert": "#c62828"}


CACHE_VERSION = "1"


def cached(folder: Path | None, data: object, draw: Callable[[], str | None]) -> str | None:
    """`draw()`, or the chart it drew last time for the same `data`: importing matplotlib and
    drawing take most of a small report's time, and the same figures give the same chart."""
    if folder is None:
        return draw()
    digest = hashlib.sha256(f"{CACHE_VERSION}{STYLE!r}{data!r}".encode()).hexdigest()[:32]
    path = folder / f"{digest}.svg"
    try:
        return path.read_text(encoding="utf-8") or None
    except FileNotFoundError:
        pass
    svg = draw()
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(svg or "", encoding="utf-8")
    os.replace(temporary, path)
    return svg


def trend_chart(trend: Trend, title: str) -> str | None:
    """Engagements per channel over the last periods, as an <svg> element; None without data."""
    if not trend.engagements:
        return None
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(7.5, 3.2))
        axes = figure.add_subplot()
        positions = list(range(len(trend.labels)))
        for channel, values in sorted(trend.engagements.items()):
            axes.plot(positions, values, marker="o", label=channel)
        axes.set_xticks(positions, trend.labels)
        axes.set_ylabel("engagements")
        axes.set_title(title)
        axes.legend(loc="upper left", fontsize=7, ncols=2, frameon=False)
        return svg(figure)


def kpi_chart(results: Sequence[KpiResult]) -> str | None:
    """Each measured KPI's actual as a share of its target, coloured by status."""
    shown = [(r, r.rows[-1]) for r in results if r.rows and r.rows[-1].actual is not None]
    shown = shown[:CHART_KPIS]  # the table below lists every one
    if not shown:
        return None
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(7.5, 0.45 * len(shown) + 0.9))
        axes = figure.add_subplot()
        labels = [r.kpi.title for r, _ in shown]
        shares = [100 * (row.actual or 0) / r.kpi.target if r.kpi.target else 0 for r, row in shown]
        colors = [_COLORS.get(row.status, "#757575") for _, row in shown]
        positions = list(range(len(shown)))[::-1]
        axes.barh(positions, shares, color=colors)
        axes.axvline(100, color="#212121", linewidth=1)
        axes.set_yticks(positions, labels)
        axes.set_xlabel("% of target (latest period)")
        figure.subplots_adjust(left=0.45)
        return svg(figure)


def svg(figure: object) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog nor doctype
