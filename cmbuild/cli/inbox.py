"""`cmbuild inbox` and `cmbuild reply` (the library: cmbuild/inbox/, cmbuild/stores/inbox.py).

inbox exits 0 when every channel was read; 1 when one could not be (the others were); 2 on bad
input. reply exits 0 when the answer is (or already was) sent; 1 when it was not (failed, the item
gone, or halted); 2 on bad input; 3 when another push holds the ledger.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import EXIT_FAILED, EXIT_INPUT, EXIT_OK, root_option
from cmbuild.cli.options import guard as _guard
from cmbuild.layout import DEFAULT_OUTPUT

if TYPE_CHECKING:
    from datetime import datetime

    from cmbuild.inbox.answer import Sent
    from cmbuild.inbox.escalate import Escalated
    from cmbuild.inbox.fetch import InboxRun


LISTED = 50  # items a listing prints by default: waiting first, newest first


@click.command()
@root_option
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeat).")
@click.option("--since", help="Read from this time on (ISO, e.g. 2026-12-01T00:00:00Z).")
@click.option("--dry-run", is_flag=True, help="Read the platforms; store, write and alert nothing.")
@click.option("--no-fetch", is_flag=True, help="List what is stored; read no platform.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The output folder inbox.html goes in (default: ROOT/output).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=LISTED,
    show_default=True,
    help="Items listed here, waiting ones first (0: all); inbox.html has the others.",
)
def inbox(
    root: Path,
    channels: tuple[str, ...],
    since: str | None,
    dry_run: bool,
    no_fetch: bool,
    output: Path | None,
    limit: int,
) -> None:
    """Read replies, comments, mentions and quotes into state/inbox.jsonl, then list them.

    Each item shows its intent, the suggested approved reply and the command that sends it;
    output/inbox.html has the same per intent. A complaint or crisis item alerts its
    escalate_to once.

    \b
    Examples:
      cmbuild inbox
      cmbuild inbox --channel bluesky-cmb --since 2026-12-01T00:00:00Z --dry-run
      cmbuild inbox --no-fetch --limit 0
    """
    from cmbuild.cli.build import _check_now
    from cmbuild.cli.push import parse_now
    from cmbuild.cli.show import show_reading
    from cmbuild.inbox.fetch import InboxSettings, read_inbox
    from cmbuild.stores.inbox_cache import ITEMS_CACHE

    now = _check_now()
    output = output or root / DEFAULT_OUTPUT
    settings = InboxSettings(
        root,
        channels,
        parse_now(since, "--since"),
        now=now,
        dry_run=dry_run,
        fetch=not no_fetch,
        cache=output / ITEMS_CACHE,
    )
    code, run = _guard(lambda: read_inbox(settings))
    if run is None:
        sys.exit(code)
    # The store's items (100,000 of them, say) live until the command ends and hold no cycles:
    # the cycle collector leaves them alone from now on, rather than walk them at each pass of
    # what follows (imports, the listing, the page): a fifth of the command on a large store.
    gc.freeze()
    show_reading(run, click.echo)
    sys.exit(work_inbox(root, run, output, now, limit))


def work_inbox(root: Path, run: InboxRun, output: Path, now: datetime, limit: int = 0) -> int:
    """List `run`'s items with their suggested replies, write inbox.html, alert; the exit code."""
    from cmbuild.cli.inbox_list import show_inbox
    from cmbuild.inbox.desk import show_desk
    from cmbuild.notify import send

    code, desk = _guard(
        lambda: show_desk(root, run, output, now.date(), environ=os.environ, send=send)
    )
    if desk is None:
        return code
    show_inbox(desk.rows, click.echo, limit)
    if desk.page is not None:
        click.echo(f"\nwrote {desk.page}")
    _show_escalated(desk.escalated)
    return EXIT_FAILED if run.failed or (desk.escalated and desk.escalated.failures) else EXIT_OK


def scheduled_inbox(root: Path, run: InboxRun, now: datetime | None) -> bool:
    """The inbox step of `cmbuild run`, shown as `cmbuild inbox` shows it; whether it failed."""
    from cmbuild.cli.build import _check_now
    from cmbuild.cli.show import show_reading

    show_reading(run, click.echo)
    return work_inbox(root, run, root / DEFAULT_OUTPUT, now or _check_now(), LISTED) != EXIT_OK


def _show_escalated(escalated: Escalated | None) -> None:
    if escalated is None:
        return
    for item in escalated.alerted:
        click.echo(f"alerted: {item}")
    for failure in escalated.failures:
        click.echo(f"warning: alert not sent (tried again next run): {failure}", err=True)
    for name in escalated.unset:
        click.echo(f"warning: escalate_to {name} is not set in the environment: no alert", err=True)


@click.command()
@root_option
@click.argument("item")
@click.option("--with", "template", help="The approved reply to send (brand/replies.toml).")
@click.option("--var", "values", multiple=True, help="A placeholder's value: name=value (repeat).")
@click.option(
    "--text", help="Free words instead of an approved reply (a warning names the closest)."
)
@click.option(
    "--private/--public",
    default=None,
    help="Answer in a direct message where the platform can (default: as the reply says).",
)
@click.option(
    "--despite-halt",
    is_flag=True,
    help="Answer this item even though a halt holds its channel, campaign or post.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send nothing.")
def reply(
    root: Path,
    item: str,
    template: str | None,
    values: tuple[str, ...],
    text: str | None,
    private: bool | None,
    despite_halt: bool,
    dry_run: bool,
) -> None:
    """Answer one inbox ITEM now, exactly once, threaded under it on its platform.

    The answer is checked first (placeholders, valid_until, length, charter, direct message):
    an error stops it, a warning is shown. A halt of the item's channel, or of the campaign or
    post it answers, refuses it (exit 1) unless --despite-halt.

    \b
    Examples:
      cmbuild reply 'bsky:at://did:plc:x/app.bsky.feed.post/3l' --with merci --var order=42
      cmbuild reply 'bsky:at://did:plc:x/app.bsky.feed.post/3l' --text 'Merci !'
    """
    from cmbuild.cli.build import _check_now
    from cmbuild.cli.show import finding_line
    from cmbuild.inbox.answer import Outgoing, send_answer
    from cmbuild.inbox.desk import ReplyRequest, compose_reply
    from cmbuild.load.config import load_channels
    from cmbuild.push.session import PushSettings

    if (template is None) == (text is None):
        raise click.UsageError("give --with TEMPLATE (an approved reply) or --text TEXT, not both")
    request = ReplyRequest(item, template, text, _pairs(values), private)
    code, made = _guard(lambda: compose_reply(root, request, _check_now().date()))
    if made is None:
        sys.exit(code)
    found, composed = made
    for finding in composed.findings:
        click.echo(finding_line(finding), err=True)
    if not composed.sendable:
        click.echo("not sent: fix the errors above", err=True)
        sys.exit(EXIT_INPUT)
    settings = PushSettings(root=root, dry_run=dry_run)
    outgoing = Outgoing(
        found.id, found.id, composed.text, composed.private, composed.language, despite_halt
    )

    def act() -> Sent:
        channels = {c.name: c for c in load_channels(root)}
        return send_answer(settings, outgoing, channels)

    code, sent = _guard(act)
    if sent is not None:
        how = "direct message" if composed.private else "public reply"
        click.echo(f"{sent.outcome}: {sent.variant} {sent.detail}")
        click.echo(f"  ({how}) {composed.text}")
        failed = sent.outcome in ("failed", "gone", "halted")
        if sent.outcome == "halted":
            click.echo("  `cmbuild resume` lifts the halt; --despite-halt answers this one item")
        code = EXIT_FAILED if failed else EXIT_OK
    sys.exit(code)


def _pairs(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs: dict[str, str] = {}
    for value in values:
        name, equals, given = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(
                f"{value!r} is not name=value, e.g. order=42", param_hint="--var"
            )
        if name.strip() in pairs:  # which one was meant is not for cmbuild to guess
            raise click.BadParameter(
                f"{name.strip()} is given twice ({pairs[name.strip()]!r} and {given!r}): "
                "give it once",
                param_hint="--var",
            )
        pairs[name.strip()] = given
    return tuple(pairs.items())
