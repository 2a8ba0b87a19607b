"""`cmbuild serve`: build, serve, rebuild on save; one line per serve event on the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cmbuild.cli.options import EXIT_INPUT, EXIT_OK, root_option

if TYPE_CHECKING:
    from cmbuild.serve.loop import Event


def line(event: Event) -> str:
    """`rebuilt in 0.12 s: 3 files written`, `build failed: 2 errors`, or where it serves."""
    from cmbuild.serve.loop import Failed, Rebuilt, Serving

    if isinstance(event, Serving):
        return f"serving {event.url} (Ctrl-C to stop)"
    if isinstance(event, Failed):
        count = len(event.errors)
        return f"build failed: {count} error{'' if count == 1 else 's'}"
    assert isinstance(event, Rebuilt)
    result = event.result
    if result.noop:
        return f"nothing changed ({result.seconds:.2f} s)"
    written = len(result.written)
    return f"rebuilt in {result.seconds:.2f} s: {written} file{'' if written == 1 else 's'} written"


@click.command()
@root_option
@click.option(
    "--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any."
)
def serve(root: Path, port: int) -> None:
    """Build, serve output/ on 127.0.0.1, rebuild on every save and reload the browser.

    Watches posts/, brand/ and channels.toml. A failed build shows its errors in the browser
    until the next successful one. Ctrl-C stops.

    \b
    Examples:
      cmbuild serve                      then open http://127.0.0.1:8000/
      cmbuild serve -C ../other-brand --port 8001
    """
    import os
    import threading
    from datetime import UTC, datetime

    from cmbuild.cli.push import parse_now
    from cmbuild.serve.loop import serve as run_serve

    def clock() -> datetime:  # CMBUILD_NOW (tests, replays), else the clock, as `build` does
        return parse_now(os.environ.get("CMBUILD_NOW")) or datetime.now(UTC)

    try:
        run_serve(
            root,
            port=port,
            stop=threading.Event(),
            report=lambda e: click.echo(line(e)),
            clock=clock,
        )
    except KeyboardInterrupt:
        sys.exit(EXIT_OK)
    except OSError as error:
        click.echo(f"error: cannot serve on 127.0.0.1:{port}: {error}", err=True)
        sys.exit(EXIT_INPUT)
