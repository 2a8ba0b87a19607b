"""`cmbuild push`, `plan` and `resolve` (the library: cmbuild/push/); halt.py has `halt`, `resume`
and `retract`, which share this module's settings and run.

Each command exits 0 when everything due was done; 1 when something failed (the rest was still
done); 2 on bad input (manifest, ledger, halt file, channels.toml, options); 3 when another push
holds the ledger (nothing was done).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    JSON,
    NOW,
    WAIT,
    state_options,
)

if TYPE_CHECKING:
    from cmbuild.push.report import Report
    from cmbuild.push.session import PushSettings


@click.command()
@state_options
@WAIT
@NOW
@click.option("--dry-run", is_flag=True, help="Show what would be published; publish nothing.")
@JSON
def push(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    wait: bool,
    now: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Publish what is due from the manifest, exactly once, recording it in the ledger.

    Due: scheduled at or before now, publishable, not in the ledger, not halted, and not more than
    the channel's stale_after_hours late (then reported as missed). Re-running is always safe.
    A --now other than the clock never writes the real ledger: add --dry-run, or --ledger FILE.
    Exit 0 all due published, 1 something failed, 2 bad input, 3 another push is running.

    \b
    Examples:
      cmbuild push
      cmbuild push --dry-run --now 2026-12-01T09:00:00Z
      cmbuild push --channel mastodon-cmb --wait
    """
    from cmbuild.push import apply

    options = (root, manifest, ledger, halt_file, now, channels)
    from cmbuild.cli.replies import replies_step

    chosen = settings(*options, dry_run=dry_run, wait=wait)
    code = run(lambda: apply.push(chosen), fails=not dry_run, as_json=as_json)
    if code in (EXIT_OK, EXIT_FAILED):  # bad input or a busy ledger: no answer is sent either
        today = _today(chosen.now)
        code = max(code, replies_step(chosen, today, send=not dry_run, err=as_json))
    sys.exit(code)


@click.command()
@state_options
@NOW
@click.option("--week", is_flag=True, help="Also list what is scheduled in the coming 7 days.")
@JSON
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the listed variants to this CSV file (for a spreadsheet).",
)
def plan(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    now: str | None,
    week: bool,
    as_json: bool,
    csv_file: Path | None,
) -> None:
    """Show what `cmbuild push` would publish now, and what it would not and why.

    Needs no credentials and changes nothing (but the --csv file).

    \b
    Examples:
      cmbuild plan --now 2026-12-01T09:00:00+01:00
      cmbuild plan --week --csv schedule.csv
    """
    from datetime import timedelta

    from cmbuild.push import apply

    chosen = settings(root, manifest, ledger, halt_file, now, channels)
    horizon = timedelta(days=7) if week else None
    action = lambda: apply.plan(chosen, horizon)  # noqa: E731
    code = run(action, fails=False, as_json=as_json, csv_file=csv_file)
    if code == EXIT_OK:
        from cmbuild.cli.replies import replies_step

        code = replies_step(chosen, _today(chosen.now), send=False, err=as_json)
    sys.exit(code)


@click.command()
@state_options
@WAIT
@click.argument("variant")
@click.option("--sent/--not-sent", required=True, help="Whether the post did go out.")
@click.option("--remote-id", default=None, help="Its id on the platform, if known.")
@click.option("--url", default=None, help="Its address, if known.")
def resolve(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    wait: bool,
    variant: str,
    sent: bool,
    remote_id: str | None,
    url: str | None,
) -> None:
    """Settle an interrupted send that cannot be checked automatically (an e-mail).

    \b
    Examples:
      cmbuild resolve 5898f4e092f71929bba5 --sent
      cmbuild resolve 5898f4e092f71929bba5 --not-sent
    """
    from cmbuild.push.retract import resolve as settle

    chosen = settings(root, manifest, ledger, halt_file, None, channels, wait=wait)
    sys.exit(run(lambda: settle(chosen, variant, sent=sent, remote_id=remote_id, url=url)))


def settings(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    now: str | None = None,
    channels: Sequence[str] = (),
    *,
    dry_run: bool = False,
    wait: bool = False,
) -> PushSettings:
    """PushSettings from command-line options; click.BadParameter for a bad --now."""
    from cmbuild.push.session import PushSettings

    return PushSettings(
        root=root,
        manifest=manifest,
        ledger=ledger,
        halt_file=halt_file,
        now=parse_now(now),
        channels=tuple(channels),
        dry_run=dry_run,
        wait=wait,
    )


def _today(now: datetime | None) -> date:
    """The day answers are judged on (valid_until): --now, else CMBUILD_NOW, else the clock."""
    import os

    return (now or parse_now(os.environ.get("CMBUILD_NOW")) or datetime.now(UTC)).date()


def parse_now(value: str | None, param: str = "--now") -> datetime | None:
    """`value` (ISO 8601 with a time zone) in UTC; a bad one is named as option `param`."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-12-01T09:00:00Z", param_hint=param
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no time zone: add Z or an offset such as +01:00", param_hint=param
        )
    return moment.astimezone(UTC)


def run(
    action: Callable[[], Report],
    *,
    fails: bool = True,
    as_json: bool = False,
    csv_file: Path | None = None,
) -> int:
    """Run `action`, print its report (as JSON with `as_json`), write it as CSV to `csv_file`;
    the exit code (errors printed, never a traceback). Every form passes the push's redactor."""
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.stores.ledger import LedgerBusy

    try:
        report = action()
    except (InputErrors, InputError) as errors:
        for error in errors if isinstance(errors, InputErrors) else [errors]:
            click.echo(f"error: {error}", err=True)
        return EXIT_INPUT
    except LedgerBusy as busy:
        click.echo(f"error: {busy}", err=True)
        return EXIT_BUSY
    return _show(report, as_json, csv_file) or (EXIT_FAILED if fails and report.failed else EXIT_OK)


def _show(report: Report, as_json: bool, csv_file: Path | None) -> int:
    """Print `report` and write its CSV; EXIT_INPUT if the CSV cannot be written, else 0."""
    import json

    from cmbuild.cli.show import push_report
    from cmbuild.push.report import to_csv

    if csv_file is not None:
        try:
            csv_file.write_text(report.redact(to_csv(report)), encoding="utf-8", newline="")
        except OSError as error:
            click.echo(f"error: cannot write {csv_file}: {error.strerror}", err=True)
            return EXIT_INPUT
    if as_json:
        click.echo(report.redact(json.dumps(report.to_dict(), ensure_ascii=False, indent=2)))
    else:
        push_report(report, click.echo)
    return EXIT_OK
