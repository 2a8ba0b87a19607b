"""The build: posts → variants → checks → outputs, redoing only what changed.

Read everything and check it before writing anything: bad input raises `InputErrors` and leaves
`output/` as it was. Then write variants, manifest, calendar and the build state.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cmbuild.build.summary import Summary
from cmbuild.incremental.index import Memo, Stamp, read_stamp
from cmbuild.incremental.inputs import outputs_present, scan, stat_of
from cmbuild.model import Variant

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _quiet(stage: str, done: int, total: int) -> None:
    del stage, done, total


@dataclass(frozen=True)
class BuildResult:
    summary: Summary
    # Gives every variant (read back from the build state when needed); None on the no-op path.
    load: Callable[[], tuple[Variant, ...]] | None
    written: tuple[str, ...] = ()
    unchanged: int = 0
    pruned: tuple[str, ...] = ()
    rendered: int = 0
    reused: int = 0
    noop: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @cached_property
    def variants(self) -> tuple[Variant, ...] | None:
        """Every variant of the build, final (None when nothing changed: the no-op path)."""
        return self.load() if self.load is not None else None


def build(
    root: Path,
    out: Path | None = None,
    *,
    jobs: int | None = None,
    write: bool = True,
    preview: bool = True,
    progress: Progress = _quiet,
    memo: Memo | None = None,
) -> BuildResult:
    """Build the content repository at `root` into `out` (default `root/output`).

    With `write=False` (cmbuild check) everything is validated and nothing is written. With
    `preview=False` the preview site is not rendered (and an earlier one is removed). A `memo`
    (one per long-running process) keeps the build state in memory between calls.
    Raises `InputErrors` for bad input.
    """
    start = time.perf_counter()
    out = out if out is not None else root / "output"
    inputs = scan(root)
    # Options that change the outputs count as inputs: switching one is not a no-op.
    inputs[":preview"] = (int(preview), 0)
    if write:
        stamp = read_stamp(out)
        if stamp is not None and _unchanged(root, out, inputs, stamp):
            summary = Summary.from_dict(stamp.summary)
            return BuildResult(
                summary,
                None,
                unchanged=len(stamp.outputs),
                noop=True,
                seconds=time.perf_counter() - start,
            )
    from cmbuild.build.run import Pipeline, StateLost

    pipeline = Pipeline(root, out, jobs=jobs, progress=progress, preview=preview, memo=memo)
    # A build allocates hundreds of thousands of objects that live until it ends and hold almost no
    # reference cycles: the cycle collector's repeated passes over them cost more than a tenth of a
    # rebuild and free nothing. It is off while the pipeline runs, and restored after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            return pipeline.run(inputs, write=write, start=start)
        except StateLost:
            pipeline.fresh = True  # part of the build state is gone: do not trust the rest
            return pipeline.run(inputs, write=write, start=start)
    except BaseException:
        if memo is not None:
            memo.clear()
        raise
    finally:
        if collecting:
            gc.enable()
        pipeline.close()


def _unchanged(root: Path, out: Path, inputs: dict[str, tuple[int, int]], stamp: Stamp) -> bool:
    recorded = stamp.inputs
    for path, stat in inputs.items():
        if recorded.get(path) != stat:
            return False
    for path, stat in recorded.items():
        if path not in inputs and stat_of(root / path) != stat:
            return False  # an image changed, or a post or template disappeared
    return outputs_present(out, stamp.outputs)
