"""`cmbuild halt`, `resume` and `retract`: stopping a campaign, a channel or everything.

Each command exits 0 when done; 1 when a post could not be deleted (retract); 2 on bad input
(manifest, ledger, halt file, an unknown campaign or channel); 3 when another push holds the ledger.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import EXIT_INPUT, EXIT_OK, WAIT, selector_options, state_options
from cmbuild.cli.push import run, settings

if TYPE_CHECKING:
    from cmbuild.stores.halts import Scope


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
