"""`cmbuild import-analytics` (the library: cmbuild/collect/analytics.py and exports.py).

Exits 0 when every row with a utm_content was attributed to a variant; 1 when some could not be
(they are listed, the rest is written); 2 on bad input, with nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cmbuild.cli.options import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, root_option


@click.command(name="import-analytics")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["plausible-csv", "matomo-csv", "ga4-csv"]),
    help="The tool the export comes from.",
)
@click.option("--at", default=None, help="Last day of the exported period (2026-12-31) or a time.")
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing.")
@root_option
def import_analytics(fmt: str, file: Path, at: str | None, dry_run: bool, root: Path) -> None:
    """Record a web analytics export's visits, conversions and revenue per post in state/metrics/.

    Each row's utm_content is matched to the variant whose links carry it. GA4 exports state
    their period; for Plausible and Matomo give its last day with --at. Importing the same
    export again adds nothing.

    \b
    Examples:
      cmbuild import-analytics utm_contents.csv --format plausible-csv --at 2026-12-31
      cmbuild import-analytics exploration.csv --format ga4-csv --dry-run
    """
    from cmbuild.cli.show import input_errors_text
    from cmbuild.collect.analytics import ImportSettings, parse_at
    from cmbuild.collect.analytics import import_analytics as run_import
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.stores.metrics import iso_utc

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
        errors = [error] if isinstance(error, InputError) else list(error)
        for line in input_errors_text(errors):
            click.echo(f"error: {line}", err=True)
        click.echo("nothing was recorded", err=True)
        sys.exit(EXIT_INPUT)
    verb = "would record" if dry_run else "recorded"
    click.echo(f"{fmt} at {iso_utc(report.at)}: {len(report.snapshots)} posts found")
    for snapshot in report.snapshots:
        figures = ", ".join(f"{k} {v}" for k, v in sorted(snapshot.metrics.items()))
        click.echo(f"  {snapshot.variant} {snapshot.channel}: {figures}")
    if not dry_run:
        already = len(report.snapshots) - report.written
        click.echo(f"  {verb} {report.written}" + (f", {already} already there" if already else ""))
    if report.untagged:
        click.echo(f"  {report.untagged} rows without a utm_content (not from a post) left out")
    for miss in report.unmatched:
        lines = ", ".join(str(n) for n in miss.lines)
        why = (
            f"matches several posts ({', '.join(miss.candidates)})"
            if miss.candidates
            else "matches no post of output/manifest.json"
        )
        click.echo(f"warning: {file}:{lines}: utm_content {miss.content!r} {why}; left out")
    sys.exit(EXIT_FINDINGS if report.unmatched else EXIT_OK)
