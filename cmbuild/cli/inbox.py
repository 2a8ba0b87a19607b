"""`cmbuild inbox` and `cmbuild reply` (the library: cmbuild/inbox/, cmbuild/stores/inbox.py).

inbox exits 0 when every channel was read; 1 when one could not be (the others were); 2 on bad
input. reply exits 0 when the answer is (or already was) sent; 1 when it could not be; 2 on bad
input; 3 when another push holds the ledger.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cmbuild.cli.options import EXIT_FAILED, EXIT_OK, root_option


@click.command()
@root_option
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeat).")
@click.option("--since", help="Read from this time on (ISO, e.g. 2026-12-01T00:00:00Z).")
@click.option("--dry-run", is_flag=True, help="Read the platforms, store nothing.")
@click.option("--no-fetch", is_flag=True, help="List what is stored; read no platform.")
def inbox(
    root: Path, channels: tuple[str, ...], since: str | None, dry_run: bool, no_fetch: bool
) -> None:
    """Read replies, comments, mentions and quotes into state/inbox.jsonl, then list them.

    \b
    Examples:
      cmbuild inbox
      cmbuild inbox --channel bluesky-cmb --since 2026-12-01T00:00:00Z --dry-run
    """
    from cmbuild.cli.collect import _guard
    from cmbuild.cli.push import parse_now
    from cmbuild.inbox.fetch import InboxSettings, read_inbox

    settings = InboxSettings(root, channels, parse_now(since), dry_run=dry_run, fetch=not no_fetch)
    code, run = _guard(lambda: read_inbox(settings))
    if run is not None:
        from cmbuild.cli.show import show_inbox

        show_inbox(run, click.echo)
        code = EXIT_FAILED if run.failed else EXIT_OK
    sys.exit(code)


@click.command()
@root_option
@click.argument("item")
@click.option("--text", required=True, help="The answer's text.")
@click.option("--private", is_flag=True, help="Answer in a direct message where the platform can.")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send nothing.")
def reply(root: Path, item: str, text: str, private: bool, dry_run: bool) -> None:
    """Answer one inbox ITEM now, exactly once, threaded under it on its platform.

    \b
    Examples:
      cmbuild reply 'bluesky-cmb:at://did:plc:x/app.bsky.feed.post/3l' --text 'Merci !'
    """
    from cmbuild.cli.collect import _guard
    from cmbuild.inbox.answer import Outgoing, send_answer
    from cmbuild.load.config import load_channels
    from cmbuild.push.session import PushSettings

    settings = PushSettings(root=root, dry_run=dry_run)
    outgoing = Outgoing(item, item, text, private)

    def act() -> object:
        channels = {c.name: c for c in load_channels(root)}
        return send_answer(settings, outgoing, channels)

    code, sent = _guard(act)
    if sent is not None:
        click.echo(f"{sent.outcome}: {sent.variant} {sent.detail}")  # type: ignore[attr-defined]
        failed = sent.outcome in ("failed", "gone")  # type: ignore[attr-defined]
        code = EXIT_FAILED if failed else EXIT_OK
    sys.exit(code)
