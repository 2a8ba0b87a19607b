"""The report's charts, drawn by matplotlib as inline SVG: the same figures give the same bytes.

matplotlib's SVG ids come from a hash salted per run unless `svg.hashsalt` is set, and its
metadata carry the date unless told not to; both are pinned here. Text stays text
(`svg.fonttype = none`) so the page is small and the words can be searched.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from cmbuild.insights.report import KpiResult, Trend

_STYLE: dict[str, Any] = {
    "svg.hashsalt": "cmbuild-report",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLORS = {"met": "#2e7d32", "below target": "#f9a825", "alert": "#c62828"}


def trend_chart(trend: Trend, title: str) -> str | None:
    """Engagements per channel over the last periods, as an <svg> element; None without data."""
    if not trend.engagements:
        return None
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(7.5, 3.2))
        axes = figure.add_subplot()
        positions = list(range(len(trend.labels)))
        for channel, values in sorted(trend.engagements.items()):
            axes.plot(positions, values, marker="o", label=channel)
        axes.set_xticks(positions, trend.labels)
        axes.set_ylabel("engagements")
        axes.set_title(title)
        axes.legend(loc="upper left", fontsize=7, ncols=2, frameon=False)
        return _svg(figure)


def kpi_chart(results: Sequence[KpiResult]) -> str | None:
    """Each measured KPI's actual as a share of its target, coloured by status."""
    shown = [(r, r.rows[-1]) for r in results if r.rows and r.rows[-1].actual is not None]
    if not shown:
        return None
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
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
        return _svg(figure)


def _svg(figure: object) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog nor doctype
