"""`cmbuild report` as one function: read the inputs, build the report, write its files."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cmbuild.errors import InputError, did_you_mean
from cmbuild.insights.catalogue import load_catalogue
from cmbuild.insights.output import write_report
from cmbuild.insights.period import Period, month_of, parse_period, range_period
from cmbuild.insights.readings import AT, Readings, read_readings
from cmbuild.insights.report import Report, Scope, build_report
from cmbuild.insights.response import response_kpis, response_times
from cmbuild.layout import DEFAULT_OUTPUT, INBOX_FILE, LEDGER_FILE, STATE_DIR
from cmbuild.load.config import default_timezone, load_channels
from cmbuild.load.kpis import load_kpis
from cmbuild.load.replies import load_replies
from cmbuild.stores.inbox import answered, own_items, read_items
from cmbuild.stores.ledger import read_ledger
from cmbuild.stores.metrics import parse_at

CACHE = ".cmbuild/insights"  # in the output folder: per-month summaries of state/metrics/


@dataclass(frozen=True)
class Request:
    period: str | None = None  # 2026-12 or 2026-W49
    first: str | None = None  # --from
    last: str | None = None  # --to
    channel: str | None = None
    campaign: str | None = None
    now: datetime | None = None  # for the default period when nothing was measured yet


def make_report(root: Path, request: Request, output: Path | None = None) -> tuple[Report, Path]:
    """Write output/report/<period>/ for `request`; the report and its folder.

    Raises InputError(s) for bad kpis.toml, channels.toml, options (PeriodError is an input error
    of the command line, raised as ValueError).
    """
    output = output or root / DEFAULT_OUTPUT
    channels = load_channels(root)
    zone = default_timezone(root) or "UTC"
    names = [c.name for c in channels]
    catalogue = load_catalogue(root, names)
    _check_scope(request, names, list(catalogue.campaigns))
    kpis = load_kpis(root, names, catalogue.campaigns)
    readings = read_readings(root / STATE_DIR, output / CACHE)
    period = _period(request, readings, zone)
    scope = Scope(request.channel, request.campaign)
    platforms = {c.name: c.platform for c in channels}
    report = build_report(period, readings, catalogue, kpis, platforms, output, scope)
    report = _with_inbox(root, report, request.channel, request.now)
    charts = output / CACHE / "charts"
    from cmbuild.planning.heatmap import heatmaps  # matplotlib only where a channel has data

    shown = heatmaps(root, period.end, charts)
    return report, write_report(output, report, charts, shown)


def _with_inbox(root: Path, report: Report, channel: str | None, now: datetime | None) -> Report:
    """The report with response times and `response_hours` targets (state/inbox.jsonl).

    The brand's own answers read back from the platforms are not items waiting for one; an item
    still waiting counts as waited until `now`."""
    inbox = root / INBOX_FILE
    if not inbox.exists():
        return report
    items = read_items(inbox, INBOX_FILE).items
    if channel is not None:
        items = tuple(item for item in items if item.channel == channel)
    ledger = (
        read_ledger(root / LEDGER_FILE, LEDGER_FILE).lines if (root / LEDGER_FILE).exists() else ()
    )
    first = answered(items, ledger)
    own = own_items(items, ledger)
    items = tuple(item for item in items if item.id not in own)
    wording = load_replies(root)
    return replace(
        report,
        responses=response_times(items, first, wording, report.period, as_of=now),
        kpis=response_kpis(report.kpis, report.period, items, first, wording, as_of=now),
    )


def _period(request: Request, readings: Readings, zone: str) -> Period:
    if request.first or request.last:
        if not (request.first and request.last):
            raise ValueError("give both --from and --to (YYYY-MM-DD), or --period")
        return range_period(request.first, request.last, zone)
    if request.period:
        return parse_period(request.period, zone)
    latest = max((row[AT] for row in readings.posts.values()), default=None)
    when = parse_at(latest) if latest else (request.now or datetime.now(UTC))
    return month_of(when, zone)


def _check_scope(request: Request, channels: list[str], campaigns: list[str]) -> None:
    if request.channel is not None and request.channel not in channels:
        raise InputError(
            "channels.toml",
            f"no channel named {request.channel!r}{did_you_mean(request.channel, channels)}",
            key="--channel",
            hint=f"known channels: {', '.join(channels)}",
        )
    if request.campaign is not None and request.campaign not in campaigns:
        raise InputError(
            "posts/",
            f"no post has the campaign {request.campaign!r}"
            f"{did_you_mean(request.campaign, campaigns)}",
            key="--campaign",
            hint=f"known campaigns: {', '.join(campaigns) or 'none'}",
        )
