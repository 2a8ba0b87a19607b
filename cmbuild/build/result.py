"""What a build is asked to do, and what it gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from cmbuild.build.summary import Summary
from cmbuild.model import Variant

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def quiet(stage: str, done: int, total: int) -> None:
    """The progress callback that shows nothing."""
    del stage, done, total


@dataclass(frozen=True)
class Options:
    """How a build runs: its worker processes, whether it writes and draws the preview."""

    jobs: int
    write: bool = True
    preview: bool = True
    progress: Progress = quiet
    now: datetime | None = None  # the preview's slots page scores the weeks before its day


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
