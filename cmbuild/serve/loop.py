"""The serve loop: build, serve, then rebuild once per batch of changes until `stop` is set.

A failed build does not stop anything: the server shows the errors until a build succeeds again.
Events go to a `report` callback; the caller decides how to show them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cmbuild.build import build as run_build
from cmbuild.build.result import BuildResult
from cmbuild.errors import InputError, InputErrors
from cmbuild.incremental.memo import Memo
from cmbuild.serve.server import SiteState, make_server
from cmbuild.serve.watcher import Watcher


@dataclass(frozen=True)
class Serving:
    """The server is listening at `url` and the first build is done."""

    url: str


@dataclass(frozen=True)
class Rebuilt:
    result: BuildResult
    version: int


@dataclass(frozen=True)
class Failed:
    errors: tuple[InputError, ...]
    seconds: float
    version: int


Event = Serving | Rebuilt | Failed
Report = Callable[[Event], None]


def _ignore(event: Event) -> None:
    del event


def serve(
    root: Path,
    *,
    port: int = 8000,
    stop: threading.Event,
    report: Report = _ignore,
    out: Path | None = None,
    jobs: int | None = None,
    debounce: float = 0.15,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Build `root`, serve its output on 127.0.0.1:`port` and rebuild on changes until `stop`.

    Port 0 takes any free port (the `Serving` event gives the address). Raises OSError when the
    port is taken. `clock` gives each build its `now` (the preview's slots page).
    """
    out = out if out is not None else root / "output"
    state = SiteState()
    memo = Memo()  # the build state, kept in memory between rebuilds
    server = make_server(out if out.is_dir() else _make(out), state, port)
    watcher = Watcher(root, out, debounce=debounce)
    # Watch before the first build so that a save during it is not lost.
    watcher.start()
    closer = threading.Thread(target=_close_on, args=(stop, watcher), daemon=True)
    closer.start()
    thread = threading.Thread(target=server.serve_forever, name="cmbuild-serve", daemon=True)
    try:
        report(_rebuild(root, out, state, jobs, memo, clock))
        thread.start()
        host, bound = server.server_address[:2]
        report(Serving(f"http://{host!s}:{bound}/"))
        for _batch in watcher.batches():
            if stop.is_set():
                break
            report(_rebuild(root, out, state, jobs, memo, clock))
    finally:
        stop.set()
        watcher.close()
        if thread.is_alive():
            server.shutdown()
        server.server_close()


def _make(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


def _close_on(stop: threading.Event, watcher: Watcher) -> None:
    stop.wait()
    watcher.close()


def _rebuild(
    root: Path,
    out: Path,
    state: SiteState,
    jobs: int | None,
    memo: Memo,
    clock: Callable[[], datetime] | None = None,
) -> Event:
    start = time.perf_counter()
    try:
        result = run_build(root, out, jobs=jobs, memo=memo, now=clock() if clock else None)
    except InputErrors as errors:
        state.failed(list(errors))
        return Failed(tuple(errors), time.perf_counter() - start, state.version)
    except Exception as error:  # a bug must not take the server down: show it like bad input
        problem = InputError(file="(build)", message=f"{type(error).__name__}: {error}")
        state.failed([problem])
        return Failed((problem,), time.perf_counter() - start, state.version)
    state.succeeded(changed=not result.noop)
    return Rebuilt(result, state.version)
