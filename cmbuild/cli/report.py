"""`cmbuild report`: what published posts achieved, against brand/kpis.toml."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cmbuild.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, root_option
from cmbuild.layout import METRICS_DIR


@click.command()
@click.option("--period", default=None, help="A month (2026-12) or an ISO week (2026-W49).")
@click.option("--from", "first", default=None, help="First day of a range (YYYY-MM-DD).")
@click.option("--to", "last", default=None, help="Last day of a range (YYYY-MM-DD).")
@click.option("--campaign", default=None, help="Only this campaign's posts and targets.")
@click.option("--channel", default=None, help="Only this channel's posts and targets.")
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The output folder (default: ROOT/output).",
)
@click.option(
    "--now",
    envvar="CMBUILD_NOW",
    default=None,
    help="The time items still waiting for an answer are counted to (ISO 8601 with zone; "
    "default: now).",
)
@root_option
def report(
    period: str | None,
    first: str | None,
    last: str | None,
    campaign: str | None,
    channel: str | None,
    output: Path | None,
    now: str | None,
    root: Path,
) -> None:
    """Write output/report/PERIOD/ (index.html, report.md, report.csv) from state/metrics/.

    Each target of brand/kpis.toml is measured and given a status; the command exits 1 when one
    is under its `warn_below`, so a scheduled job can alert. Without --period, the month of the
    newest reading.

    \b
    Examples:
      cmbuild report                         the latest month measured
      cmbuild report --period 2026-12
      cmbuild report --from 2026-12-01 --to 2026-12-15 --campaign meetup-decembre
    """
    from datetime import UTC, datetime

    from cmbuild.cli.push import parse_now
    from cmbuild.cli.show import input_errors_text
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.insights.run import Request, make_report

    request = Request(period, first, last, channel, campaign, parse_now(now) or datetime.now(UTC))
    try:
        result, folder = make_report(root, request, output)
    except (InputError, InputErrors) as error:
        errors = [error] if isinstance(error, InputError) else list(error)
        for line in input_errors_text(errors):
            click.echo(line, err=True)
        sys.exit(EXIT_INPUT)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    shown = folder.relative_to(root) if folder.is_relative_to(root) else folder
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    if result.empty:
        click.echo(f"nothing measured in {result.period.label}: no reading in {METRICS_DIR}/")
    for kpi in result.kpis:
        click.echo(f"{kpi.status:>13}  {kpi.kpi.title}")
    click.echo(f"wrote {shown}/index.html, report.md, report.csv")
    if result.alerts:
        click.echo(f"{len(result.alerts)} target(s) under warn_below", err=True)
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)
