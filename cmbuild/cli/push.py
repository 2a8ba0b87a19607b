"""`cmbuild push`, `plan`, `halt`, `resume`, `retract` and `resolve` (the library: cmbuild/push/).

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
    selector_options,
    state_options,
)

if TYPE_CHECKING:
    from cmbuild.push.report import Report
    from cmbuild.push.session import PushSettings
    from cmbuild.stores.halts import Scope


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
@selector_options
@click.option("--reason", required=True, help="Why: shown by every push it stops.")
def halt(
    root: Path,
    halt_file: Path | None,
    campaign: str | None,
    channel: str | None,
    everything: bool,
    reason: str,
) -> None:
    """Stop publishing a campaign, a channel, or everything, at once, until `cmbuild resume`.

    A running push reads the halt file before each send. Commit state/halt.toml so CI sees it.

    \b
    Examples:
      cmbuild halt --campaign meetup-decembre --reason "venue cancelled"
      cmbuild halt --all --reason "national mourning"
    """
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.layout import DEFAULT_OUTPUT, HALT_FILE, MANIFEST_FILE
    from cmbuild.stores.halts import Halt, add_halt
    from cmbuild.stores.ledger import now_utc

    scope, name = selector(campaign, channel, everything)
    path = halt_file or root / HALT_FILE
    require_target(root, root / DEFAULT_OUTPUT / MANIFEST_FILE, scope, name, path)
    since = now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        halts = add_halt(path, str(path), Halt(scope, name, reason, since))
    except (InputErrors, InputError) as errors:
        click.echo(f"error: {errors}", err=True)
        sys.exit(EXIT_INPUT)
    what = "everything" if scope == "all" else f"{scope} {name}"
    click.echo(f"halted {what} ({reason}): `cmbuild push` publishes none of it until resumed")
    click.echo(f"{len(halts)} halt(s) in force in {path}; commit it so that CI sees it")
    sys.exit(EXIT_OK)


@click.command()
@selector_options
@click.option(
    "--post", default=None, help="One post held by veille: its file, its slug or a variant id."
)
@click.option("--dry-run", is_flag=True, help="Show what would be lifted; change nothing.")
def resume(
    root: Path,
    halt_file: Path | None,
    campaign: str | None,
    channel: str | None,
    everything: bool,
    post: str | None,
    dry_run: bool,
) -> None:
    """Lift a halt (--all lifts every halt). Variants now stale are reported as missed.

    --post lifts the hold veille put on a `sensitive:` post when its topic was in crisis.

    \b
    Examples:
      cmbuild resume --campaign meetup-decembre
      cmbuild resume --post posts/2026-12-05-fete.md --dry-run
    """
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.layout import HALT_FILE
    from cmbuild.stores.halts import lift, read_halts, selected

    scope, name = selector(campaign, channel, everything, post, posts=True)
    path = halt_file or root / HALT_FILE
    try:
        name = _target(root, scope, name, path)
        if dry_run:
            lifted = selected(read_halts(path, str(path)), scope, name)
        else:
            lifted = lift(path, str(path), scope, name)
    except (InputErrors, InputError) as errors:
        click.echo(f"error: {errors}", err=True)
        sys.exit(EXIT_INPUT)
    if not lifted:
        what = "anything" if scope == "all" else f"{scope} {name}"
        click.echo(f"nothing to resume: {what} is not halted in {path}")
        sys.exit(EXIT_OK)
    for gone in lifted:
        click.echo(f"{'would resume' if dry_run else 'resumed'}: {gone.describe()}")
    if dry_run:
        click.echo(f"dry run: {path} is unchanged")
    click.echo("variants more than stale_after_hours late are reported as missed, not published")
    sys.exit(EXIT_OK)


def _target(root: Path, scope: Scope, name: str | None, halt_file: Path) -> str | None:
    """The name resume lifts: a post's source for --post (its file, slug or variant id), else
    `name` once checked (exit 2 with a suggestion if it names nothing)."""
    from cmbuild.layout import DEFAULT_OUTPUT, MANIFEST_FILE
    from cmbuild.stores.halts import resolve_post

    manifest = root / DEFAULT_OUTPUT / MANIFEST_FILE
    if scope == "post" and name is not None:
        return resolve_post(root, manifest, name, halt_file)
    require_target(root, manifest, scope, name, halt_file)
    return name


@click.command()
@state_options
@WAIT
@click.option("--campaign", required=True, help="The campaign whose posts to delete.")
@click.option("--reason", default="retracted", show_default=True, help="Recorded with the halt.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; change nothing.")
def retract(
    root: Path,
    manifest: Path | None,
    ledger: Path | None,
    halt_file: Path | None,
    channels: tuple[str, ...],
    wait: bool,
    campaign: str,
    reason: str,
    dry_run: bool,
) -> None:
    """Halt a campaign and delete its published posts wherever the platform allows it.

    Uses the ledger's remote ids; records each deletion in the ledger. Exit 1 if a post could not
    be deleted (the table says where it is, to remove by hand).

    \b
    Examples:
      cmbuild retract --campaign meetup-decembre --dry-run
      cmbuild retract --campaign meetup-decembre --reason "wrong date"
    """
    from cmbuild.push import retract as retracting

    chosen = settings(root, manifest, ledger, halt_file, None, channels, wait=wait, dry_run=dry_run)
    where = (chosen.halt_path, chosen.ledger_path)
    require_target(root, chosen.manifest_path, "campaign", campaign, *where)
    sys.exit(run(lambda: retracting.retract(chosen, campaign, reason), fails=not dry_run))


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


def selector(
    campaign: str | None,
    channel: str | None,
    everything: bool,
    post: str | None = None,
    *,
    posts: bool = False,
) -> tuple[Scope, str | None]:
    """The one scope chosen by --campaign, --channel, --all (or --post, for resume)."""
    chosen = [s for s in (campaign, channel, everything or None, post) if s]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --campaign NAME, --channel NAME or --all"
            if not posts
            else "give exactly one of --campaign NAME, --channel NAME, --post FILE or --all"
        )
    if campaign:
        return "campaign", campaign
    if channel:
        return "channel", channel
    if post:
        return "post", post
    return "all", None


def require_target(
    root: Path,
    manifest: Path,
    scope: Scope,
    name: str | None,
    halt_file: Path,
    ledger: Path | None = None,
) -> None:
    """Exit 2 with a suggestion unless `name` names a campaign or channel there is (the halt
    file's and the ledger's campaigns count too), or outside a content repository."""
    from cmbuild.errors import InputError, InputErrors
    from cmbuild.stores.halts import check_target, named_in

    try:
        check_target(root, manifest, scope, name, also=named_in(halt_file, ledger))
    except (InputErrors, InputError) as errors:
        for error in errors if isinstance(errors, InputErrors) else [errors]:
            click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INPUT)
