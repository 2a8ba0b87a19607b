"""One line per serve event, for the terminal."""

from __future__ import annotations

from cmbuild.serve.loop import Event, Failed, Rebuilt, Serving


def line(event: Event) -> str:
    """`rebuilt in 0.12 s: 3 files written`, `build failed: 2 errors`, or where it serves."""
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
