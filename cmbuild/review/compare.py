"""Build two sides of a change (git revisions, or the working tree) and compare their schedules.

A revision is built from a temporary checkout, the working tree from the repository itself; both
write into temporary output folders, so the user's files and output/ are never touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cmbuild.build import build
from cmbuild.build.summary import Summary
from cmbuild.errors import InputErrors
from cmbuild.model import Variant
from cmbuild.review.diff import ScheduleDiff, schedule_diff
from cmbuild.review.git import RevisionError, checkout, resolve

SideName = Literal["base", "head"]
WORKING_TREE = "working tree"


class SideError(Exception):
    """One side of the diff cannot be built: a bad revision or bad input in it."""

    def __init__(self, side: SideName, problems: list[str], label: str | None = None) -> None:
        self.side = side
        self.problems = problems
        self.label = label  # the revision built, when the problem is in its content
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        where = f"{self.side} ({self.label})" if self.label else self.side
        return [f"{where}: {problem}" for problem in self.problems]


@dataclass(frozen=True)
class Side:
    """One built side: what it is (a revision or the working tree) and what the build made."""

    label: str  # the revision as the user wrote it, or "working tree"
    commit: str | None  # None for the working tree (then "revision" is null in JSON)
    variants: tuple[Variant, ...]
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        return {"revision": self.label if self.commit else None, "commit": self.commit}


@dataclass(frozen=True)
class Review:
    """The schedule diff between base and head, with what each side was."""

    base: Side
    head: Side
    diff: ScheduleDiff

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base.to_dict(), "head": self.head.to_dict(), **self.diff.to_dict()}


def compare(root: Path, base: str, head: str | None = None, *, jobs: int | None = None) -> Review:
    """Build `base` and `head` (None: the working tree) of the repository at `root`; compare them.

    Raises `SideError` naming the side that has a bad revision or bad input.
    """
    root = root.resolve()
    commits = {"base": _resolve("base", root, base)}
    if head is not None:
        commits["head"] = _resolve("head", root, head)
    before = _build_side("base", root, base, commits["base"], jobs)
    after = _build_side("head", root, head or WORKING_TREE, commits.get("head"), jobs)
    return Review(
        before,
        after,
        schedule_diff(before.variants, after.variants, before.summary, after.summary),
    )


def _resolve(side: SideName, root: Path, revision: str) -> str:
    try:
        return resolve(root, revision)
    except RevisionError as error:
        raise SideError(side, [str(error)]) from None


def _build_side(
    side: SideName, root: Path, label: str, commit: str | None, jobs: int | None
) -> Side:
    with tempfile.TemporaryDirectory(prefix="cmbuild-diff-") as temp:
        out = Path(temp) / "output"
        try:
            if commit is None:
                result = build(root, out, jobs=jobs)
            else:
                with checkout(root, commit, Path(temp) / "tree") as content:
                    result = build(content, out, jobs=jobs)
        except InputErrors as errors:
            raise SideError(side, [str(e) for e in errors], label) from None
        except RevisionError as error:
            raise SideError(side, [str(error)], label) from None
    assert result.variants is not None  # a fresh output folder never takes the no-op path
    return Side(label, commit, result.variants, result.summary)
