"""`cmbuild import-analytics` (the library: cmbuild/collect/analytics.py and exports.py).

Exits 0 when every row with a utm_content was attributed to a variant; 1 when some could not be
(they are listed, the rest is written), or, with --from, when the tool cannot be read (its key
refused, its server down: nothing written); 2 on bad input, with nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import EXIT_FAILED, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, NOW, root_option

if TYPE_CHECKING:
    from cmbuild.collect.analytics import ImportReport
    from cmbuild.errors import InputError, InputErrors


@click.command(name="import-analytics")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["plausible-csv", "matomo-csv", "ga4-csv"]),
    help="The tool the export FILE comes from.",
)
@click.option(
    "--from",
    "tool",
    type=click.Choice(["plausible", "matomo"]),
    help="Read the figures live from the tool of channels.toml's [analytics] (no FILE).",
)
@click.option("--at", default=None, help="Last day of the exported period (2026-12-31) or a time.")
@NOW
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing.")
@root_option
def import_analytics(
    fmt: str | None,
    tool: str | None,
    file: Path | None,
    at: str | None,
    now: str | None,
    dry_run: bool,
    root: Path,
) -> None:
    """Record a web analytics export's visits, conversions and revenue per post in state/metrics/.

    Each row's utm_content is matched to the variant whose links carry it. GA4 exports state
    their period; for Plausible and Matomo give its last day with --at. Importing the same
    export again adds nothing. With --from, the figures up to yesterday are read from the
    Plausible or Matomo API that channels.toml's [analytics] names (collect does it too).

    \b
    Examples:
      cmbuild import-analytics utm_contents.csv --format plausible-csv --at 2026-12-31
      cmbuild import-analytics exploration.csv --format ga4-csv --dry-run
      cmbuild import-analytics --from plausible --dry-run
    """
    if tool is not None:
        if file is not None or fmt is not None or at is not None:
            raise click.UsageError("--from reads the tool's API: give no FILE, --format or --at")
        sys.exit(_import_live(tool, now, dry_run, root))
    if file is None or fmt is None:
        raise click.UsageError("give an export FILE with its --format, or --from plausible|matomo")
    from cmbuild.collect.analytics import ImportSettings, parse_at
    from cmbuild.collect.analytics import import_analytics as run_import
    from cmbuild.errors import InputError, InputErrors

    try:
        moment = parse_at(at) if at is not None else None
    except ValueError as error:
        raise click.BadParameter(
            f"{at!r} is not a day like 2026-12-31 nor a time like 2026-12-31T23:59:59Z ({error})",
            param_hint="--at",
        ) from None
    try:
        report = run_import(ImportSettings(root, file, fmt, moment, dry_run))
    except (InputError, InputErrors) as error:
        sys.exit(_refused(error))
    _show(report, fmt, str(file))
    sys.exit(EXIT_FINDINGS if report.unmatched else EXIT_OK)


def _import_live(tool: str, now: str | None, dry_run: bool, root: Path) -> int:
    from cmbuild.cli.push import parse_now
    from cmbuild.collect.live import API, AnalyticsFailed, LiveSettings, import_live
    from cmbuild.errors import InputError, InputErrors

    settings = LiveSettings(root, parse_now(now), tool, dry_run)
    try:
        report = import_live(settings)
    except (InputError, InputErrors) as error:
        return _refused(error)
    except AnalyticsFailed as failure:
        click.echo(f"error: {failure}", err=True)
        click.echo("nothing was recorded", err=True)
        return EXIT_FAILED
    _show(report, API[tool], tool)
    return EXIT_FINDINGS if report.unmatched else EXIT_OK


def _refused(error: InputError | InputErrors) -> int:
    from cmbuild.cli.show import input_errors_text
    from cmbuild.errors import InputError

    errors = [error] if isinstance(error, InputError) else list(error)
    for line in input_errors_text(errors):
        click.echo(f"error: {line}", err=True)
    click.echo("nothing was recorded", err=True)
    return EXIT_INPUT


def _show(report: ImportReport, name: str, where: str) -> None:
    from cmbuild.stores.metrics import iso_utc

    click.echo(f"{name} at {iso_utc(report.at)}: {len(report.snapshots)} posts found")
    for snapshot in report.snapshots:
        figures = ", ".join(f"{k} {v}" for k, v in sorted(snapshot.metrics.items()))
        click.echo(f"  {snapshot.variant} {snapshot.channel}: {figures}")
    if not report.dry_run:
        already = len(report.snapshots) - report.written
        click.echo(
            f"  recorded {report.written}" + (f", {already} already there" if already else "")
        )
    if report.untagged:
        click.echo(f"  {report.untagged} rows without a utm_content (not from a post) left out")
    for miss in report.unmatched:
        lines = ", ".join(str(n) for n in miss.lines)
        why = (
            f"matches several posts ({', '.join(miss.candidates)})"
            if miss.candidates
            else "matches no post of output/manifest.json"
        )
        click.echo(f"warning: {where}:{lines}: utm_content {miss.content!r} {why}; left out")
