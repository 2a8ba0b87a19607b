"""The report's files: index.html (static, offline), report.md (for a pull request) and report.csv.

Numbers are written the same way whatever the machine's locale: `1,234`, `4.2 %`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cmbuild.insights import charts
from cmbuild.insights.report import GroupRow, KpiResult, PostRow, Report
from cmbuild.insights.response import response_lines
from cmbuild.load.kpis import RATES

REPORT_DIR = "report"  # in the output folder: report/<period>/


def report_files(
    report: Report, cache: Path | None = None, heatmaps: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """The files of the report, by name inside output/report/<period>/; charts kept in `cache`;
    `heatmaps`: each channel's hours of the week (cmbuild slots), as SVG."""
    return {
        "index.html": html(report, cache, heatmaps).encode("utf-8"),
        "report.csv": csv_text(report).encode("utf-8"),
        "report.md": markdown(report).encode("utf-8"),
    }


def number(value: float | None, metric: str = "") -> str:
    if value is None:
        return "—"
    if metric in RATES:
        return f"{value:.2f} %"
    if metric == "revenue":
        return f"{value:,.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def html(
    report: Report, cache: Path | None = None, heatmaps: Mapping[str, str] | None = None
) -> str:
    env = Environment(
        loader=PackageLoader("cmbuild.insights", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = number
    template = env.get_template("report.html.j2")
    return template.render(
        report=report,
        kpi_chart=charts.cached(cache, report.kpis, lambda: charts.kpi_chart(report.kpis)),
        trend_chart=charts.cached(
            cache, report.trend, lambda: charts.trend_chart(report.trend, "Engagements per channel")
        ),
        root="../../",
        heatmaps=dict(sorted((heatmaps or {}).items())),
    )


def markdown(report: Report) -> str:
    lines = [f"# Results for {report.period.label} ({report.scope})", ""]
    if report.empty:
        lines += ["Nothing was measured in this period.", ""]
    if report.kpis:
        lines += ["## Targets", "", "| KPI | period | actual | target | warn below | status |"]
        lines += ["|---|---|---:|---:|---:|---|"]
        lines += [line for k in report.kpis for line in _kpi_lines(k)]
        lines.append("")
    lines += _group_table("Channels", "channel", report.channels)
    lines += _group_table("Campaigns", "campaign", report.campaigns)
    lines += _posts("Top posts", report.top) + _posts("Bottom posts", report.bottom)
    if report.responses:
        lines += ["## Response times", "", *response_lines(report.responses), ""]
    if report.unmeasured or report.problems:
        lines += ["## Not measured", ""]
        lines += [f"- {note}" for note in report.unmeasured]
        lines += [f"- {problem}" for problem in report.problems]
        lines.append("")
    return "\n".join(lines)


def _kpi_lines(result: KpiResult) -> list[str]:
    kpi = result.kpi
    warn = number(kpi.warn_below, kpi.metric)
    target = number(kpi.target, kpi.metric)
    return [
        f"| {_cell(kpi.title)} | {row.label} | {number(row.actual, kpi.metric)} | {target} "
        f"| {warn} | {row.status} |"
        for row in result.rows
    ]


def _group_table(title: str, what: str, rows: tuple[GroupRow, ...]) -> list[str]:
    if not rows:
        return []
    lines = [
        f"## {title}",
        "",
        f"| {what} | posts | impressions | engagements | engagement rate "
        "| clicks | CTR | visits | conversions | revenue | followers gained |",
    ]
    lines.append("|---|" + "---:|" * 10)
    for row in rows:
        t = row.totals
        cells = [
            str(t.posts),
            number(t.impressions),
            number(t.engagements),
            number(t.engagement_rate, "engagement_rate"),
            number(t.clicks),
            number(t.click_through_rate, "click_through_rate"),
            number(t.visits),
            number(t.conversions),
            number(t.revenue, "revenue"),
            number(row.followers_growth),
        ]
        lines.append(f"| {_cell(row.name)} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _posts(title: str, rows: tuple[PostRow, ...]) -> list[str]:
    if not rows:
        return []
    lines = [
        f"## {title}",
        "",
        "| post | channel | engagements | impressions |",
        "|---|---|---:|---:|",
    ]
    for row in rows:
        f = row.figures
        figures = f"{number(f.engagements)} | {number(f.impressions)}"
        lines.append(f"| {_cell(row.title)} | {f.channel} | {figures} |")
    return [*lines, ""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def csv_text(report: Report) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(
        ["section", "name", "period", "metric", "actual", "target", "warn_below", "status"]
    )
    for result in report.kpis:
        kpi = result.kpi
        for row in result.rows:
            out.writerow(
                [
                    "kpi",
                    kpi.title,
                    row.label,
                    kpi.metric,
                    _raw(row.actual),
                    _raw(kpi.target),
                    _raw(kpi.warn_below),
                    row.status,
                ]
            )
    for section, groups in (("channel", report.channels), ("campaign", report.campaigns)):
        for group in groups:
            for metric in (
                "posts",
                "impressions",
                "engagements",
                "engagement_rate",
                "clicks",
                "click_through_rate",
                "visits",
                "conversions",
                "revenue",
            ):
                value = getattr(group.totals, metric)
                out.writerow(
                    [section, group.name, report.period.label, metric, _raw(value), "", "", ""]
                )
            if section == "channel":
                out.writerow(
                    [
                        section,
                        group.name,
                        report.period.label,
                        "followers_growth",
                        _raw(group.followers_growth),
                        "",
                        "",
                        "",
                    ]
                )
    return buffer.getvalue()


def _raw(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")


def write_report(
    output: Path,
    report: Report,
    cache: Path | None = None,
    heatmaps: Mapping[str, str] | None = None,
) -> Path:
    """Write the report's files under output/report/<period>/; its folder."""
    folder = output / REPORT_DIR / report.period.label
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in report_files(report, cache, heatmaps).items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return folder
