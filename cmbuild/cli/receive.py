"""`cmbuild watch-receive`: receive Apprise `json://` notifications into an inbox folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cmbuild.cli.options import EXIT_INPUT, EXIT_OK, root_option


@click.command("watch-receive")
@root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), required=True, help="0: any.")
@click.option(
    "--folder", required=True, help='The inbox folder (a `kind = "inbox"` source\'s `folder`).'
)
@click.option(
    "--token-env",
    default=None,
    help="A variable holding a shared token the sender must give in X-Cmbuild-Token.",
)
@click.option(
    "--max-bytes", type=click.IntRange(1), default=1_000_000, show_default=True,
    help="The largest notification accepted.",
)  # fmt: skip
def watch_receive(
    root: Path, host: str, port: int, folder: str, token_env: str | None, max_bytes: int
) -> None:
    """Receive notifications from changedetection.io (or any Apprise sender) as inbox files.

    Give the sender the Apprise URL json://HOST:PORT/ (with ?+X-Cmbuild-Token=TOKEN when
    --token-env is set). Each notification becomes one file of FOLDER, which the veille's inbox
    source reads at the next `cmbuild watch`. Ctrl-C stops.

    \b
    Examples:
      cmbuild watch-receive --port 8089 --folder state/watch/inbox
      CMB_INBOX_TOKEN=... cmbuild watch-receive --host 0.0.0.0 --port 8089 \\
          --folder state/watch/inbox --token-env CMB_INBOX_TOKEN
    """
    from cmbuild.watch.receiver import Receiver, ReceiverSettings

    token = None
    if token_env is not None:
        token = os.environ.get(token_env) or None
        if token is None:
            click.echo(f"error: the environment variable {token_env} is not set", err=True)
            sys.exit(EXIT_INPUT)
    target = Path(folder) if Path(folder).is_absolute() else root / folder
    settings = ReceiverSettings(target, host, port, token, max_bytes)
    try:
        receiver = Receiver(settings)
    except (ValueError, OSError) as error:
        click.echo(f"error: cannot listen on {host}:{port}: {error}", err=True)
        sys.exit(EXIT_INPUT)
    address = receiver.url.removeprefix("http://")
    click.echo(f"receiving on json://{address}/ into {target} (Ctrl-C to stop)")
    try:
        receiver.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        sys.exit(EXIT_OK)
    finally:
        receiver.server_close()
