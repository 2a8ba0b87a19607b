"""What the `cmbuild push`, `plan`, `halt`, `resume`, `retract` and `resolve` commands run.

Each function takes the command's options, prints, and returns the exit code: 0 everything due
was done; 1 something failed (the rest was still done); 2 bad input (manifest, ledger, halt file,
channels.toml, options); 3 another push holds the ledger (nothing was done).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from cmbuild.errors import InputError, InputErrors
from cmbuild.push.halt import Halt, Scope, add_halt, lift
from cmbuild.push.ledger import LedgerBusy, now_utc
from cmbuild.push.report import Report, render, to_csv
from cmbuild.push.session import PushSettings

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_BUSY = 0, 1, 2, 3


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


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2026-12-01T09:00:00Z", param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no time zone: add Z or an offset such as +01:00", param_hint="--now"
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
    the exit code (errors printed, never a traceback)."""
    try:
        report = action()
    except (InputErrors, InputError) as errors:
        for error in errors if isinstance(errors, InputErrors) else [errors]:
            click.echo(f"error: {error}", err=True)
        return EXIT_INPUT
    except LedgerBusy as busy:
        click.echo(f"error: {busy}", err=True)
        return EXIT_BUSY
    if csv_file is not None:
        try:
            csv_file.write_text(to_csv(report), encoding="utf-8", newline="")
        except OSError as error:
            click.echo(f"error: cannot write {csv_file}: {error.strerror}", err=True)
            return EXIT_INPUT
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        render(report, click.echo)
    return EXIT_FAILED if fails and report.failed else EXIT_OK


def selector(
    campaign: str | None, channel: str | None, everything: bool
) -> tuple[Scope, str | None]:
    """The one scope chosen by --campaign, --channel or --all."""
    chosen = [s for s in (campaign, channel, everything or None) if s]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --campaign NAME, --channel NAME or --all")
    if campaign:
        return "campaign", campaign
    if channel:
        return "channel", channel
    return "all", None


def halt(halt_file: Path, scope: Scope, name: str | None, reason: str) -> int:
    since = now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        halts = add_halt(halt_file, str(halt_file), Halt(scope, name, reason, since))
    except (InputErrors, InputError) as errors:
        click.echo(f"error: {errors}", err=True)
        return EXIT_INPUT
    what = "everything" if scope == "all" else f"{scope} {name}"
    click.echo(f"halted {what} ({reason}): `cmbuild push` publishes none of it until resumed")
    click.echo(f"{len(halts)} halt(s) in force in {halt_file}; commit it so that CI sees it")
    return EXIT_OK


def resume(halt_file: Path, scope: Scope, name: str | None) -> int:
    try:
        lifted = lift(halt_file, str(halt_file), scope, name)
    except (InputErrors, InputError) as errors:
        click.echo(f"error: {errors}", err=True)
        return EXIT_INPUT
    if not lifted:
        what = "anything" if scope == "all" else f"{scope} {name}"
        click.echo(f"nothing to resume: {what} is not halted in {halt_file}")
        return EXIT_OK
    for gone in lifted:
        click.echo(f"resumed: {gone.describe()}")
    click.echo("variants more than stale_after_hours late are reported as missed, not published")
    return EXIT_OK
