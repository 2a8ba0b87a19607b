"""The build: posts → variants → checks → outputs, redoing only what changed.

Read everything and check it before writing anything: bad input raises `InputErrors` and leaves
`output/` as it was. Then write variants, manifest, calendar and the build state. When no input
changed since the last build (`stamp.json`), nothing is imported, rendered or written: the no-op
path. Otherwise `cmbuild.build.run` runs every stage.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from cmbuild.build.result import BuildResult, Options, Progress, quiet
from cmbuild.build.summary import Summary
from cmbuild.incremental.inputs import Stat, outputs_present, scan, stat_of
from cmbuild.incremental.memo import Memo
from cmbuild.incremental.stamp import Stamp, read_stamp


def build(
    root: Path,
    out: Path | None = None,
    *,
    jobs: int | None = None,
    write: bool = True,
    preview: bool = True,
    progress: Progress = quiet,
    memo: Memo | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Build the content repository at `root` into `out` (default `root/output`).

    With `write=False` (cmbuild check) everything is validated and nothing is written. With
    `preview=False` the preview site is not rendered (and an earlier one is removed). A `memo`
    (one per long-running process) keeps the build state in memory between calls. `now` is the
    clock the preview's slots page scores up to (by the day; without it the page says so).
    Raises `InputErrors` for bad input.
    """
    start = time.perf_counter()
    out = out if out is not None else root / "output"
    inputs = scan(root)
    # Options that change the outputs count as inputs: switching one is not a no-op.
    inputs[":preview"] = (int(preview), 0)
    if preview and now is not None:  # the slots page scores the weeks before this day
        inputs[":day"] = (now.astimezone(UTC).date().toordinal(), 0)
    if write:
        stamp = read_stamp(out)
        if stamp is not None and _unchanged(root, out, inputs, stamp):
            return BuildResult(
                Summary.from_dict(stamp.summary),
                None,
                unchanged=len(stamp.outputs),
                noop=True,
                seconds=time.perf_counter() - start,
            )
    from cmbuild.build.run import run_trusting_state
    from cmbuild.build.workers import default_jobs

    options = Options(jobs if jobs is not None else default_jobs(), write, preview, progress, now)
    memo = memo if memo is not None else Memo()
    try:
        with _collector_paused():
            return run_trusting_state(root, out, inputs, options, memo, start)
    except BaseException:
        memo.clear()
        raise


@contextmanager
def _collector_paused() -> Iterator[None]:
    # A build allocates hundreds of thousands of objects that live until it ends and hold almost no
    # reference cycles: the cycle collector's repeated passes over them cost more than a tenth of a
    # rebuild and free nothing. It is off while the build runs, and restored after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _unchanged(root: Path, out: Path, inputs: dict[str, Stat], stamp: Stamp) -> bool:
    recorded = stamp.inputs
    for path, stat in inputs.items():
        if recorded.get(path) != stat:
            return False
    for path, stat in recorded.items():
        if path not in inputs and stat_of(root / path) != stat:
            return False  # an image changed, or a post or template disappeared
    return outputs_present(out, stamp.outputs)
