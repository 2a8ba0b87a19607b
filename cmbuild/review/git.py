"""A git revision of the content repository, checked out where the user's working tree is safe.

The revision is checked out as a detached worktree in a temporary folder rather than extracted with
`git archive`: a checkout applies the repository's filters (Git LFS images, line endings) exactly
as the user's own checkout does, so both sides of a diff are built from the same kind of files.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RevisionError(Exception):
    """A revision that cannot be checked out: unknown name, not a git repository, no git."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise RevisionError("git is not installed (or not on PATH)") from None


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "git failed"


def resolve(root: Path, revision: str) -> str:
    """The full commit id of `revision` (a branch, tag, `HEAD~1`, a sha...)."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise RevisionError(f"{root} is not inside a git working tree")
    found = _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if found.returncode != 0:
        raise RevisionError(f"unknown revision {revision!r}: git knows no commit by that name")
    return found.stdout.strip()


def prefix(root: Path) -> str:
    """Where `root` is inside its git repository ("" at the top, else e.g. "site/")."""
    found = _git(root, "rev-parse", "--show-prefix")
    if found.returncode != 0:
        raise RevisionError(_first_line(found.stderr))
    return found.stdout.strip()


@contextmanager
def checkout(root: Path, commit: str, into: Path) -> Iterator[Path]:
    """Check `commit` out at `into` (which must not exist yet); remove the worktree afterwards.

    Yields the folder of the content repository in that checkout: `root`'s place in the repository
    is kept, so a content repository in a subfolder of a larger repository works too.
    """
    where = prefix(root)
    try:
        # Hooks are skipped: a post-checkout hook has no business in a throwaway checkout.
        added = _git(
            root,
            "-c",
            "core.hooksPath=/dev/null",
            "worktree",
            "add",
            "--detach",
            "--quiet",
            str(into),
            commit,
        )
        if added.returncode != 0:
            raise RevisionError(f"cannot check out {commit[:12]}: {_first_line(added.stderr)}")
        yield into / where if where else into
    finally:
        removed = _git(root, "worktree", "remove", "--force", str(into))
        if removed.returncode != 0:
            shutil.rmtree(into, ignore_errors=True)
            _git(root, "worktree", "prune")
