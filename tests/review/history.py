"""A git history of the basic site for the diff tests; `python -m tests.review.history` regenerates
tests/review/expected/diff.md (review its diff before committing).

Commit 1 is tests/sites/basic as it is. Commit 2 is a typical editorial change: a post moved to
another day, given an image and approved, a body edited, a channel dropped from a post, a banned
word added to a channel's text, and a new post.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.helpers import cli, edit

HERE = Path(__file__).parent
SITES = HERE.parent / "sites"
EXPECTED = HERE / "expected" / "diff.md"

# Tests run where git may have no identity, or sign commits: pin both for every git call.
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Writer",
    "GIT_AUTHOR_EMAIL": "writer@testbrand.example",
    "GIT_COMMITTER_NAME": "Test Writer",
    "GIT_COMMITTER_EMAIL": "writer@testbrand.example",
    "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+01:00",
    "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+01:00",
}

NEW_POST = """\
---
title: "Nouvel atelier : les visuels"
publish: 2026-12-15 12:30
campaign: ateliers
status: approved
channels: [mastodon-test]
---
Un atelier pour apprendre à choisir et légender ses visuels.
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            f"user.name={IDENTITY['GIT_AUTHOR_NAME']}",
            "-c",
            f"user.email={IDENTITY['GIT_AUTHOR_EMAIL']}",
            "-c",
            "commit.gpgsign=false",
            "-C",
            str(root),
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **IDENTITY},
    )
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", message)


def editorial_change(root: Path) -> None:
    """The second commit's edits (left uncommitted)."""
    from PIL import Image

    Image.new("RGB", (40, 30), "navy").save(root / "media/carnet.png")
    conseil = root / "posts/2026-12-05-conseil.md"
    edit(conseil, "publish: 2026-12-05\n", "publish: 2026-12-07\n")
    edit(conseil, "status: review\n", "status: approved\n")
    edit(
        conseil,
        "tags: [conseil]\n",
        'tags: [conseil]\nimage:\n  path: media/carnet.png\n  alt: "Un carnet ouvert."\n',
    )
    lancement = root / "posts/2026-12-01-lancement.md"
    edit(lancement, "huit semaines pour apprendre", "dix semaines pour apprendre")
    edit(lancement, "ouvre ses portes ! 🎉", "ouvre ses portes, accès gratuit ! 🎉")
    edit(
        root / "posts/2026-12-12-problemes.md",
        '  bluesky-test:\n    text: "Un atelier gratuit, ouvert à tous 🎉🎉🎉 sur '
        'https://testbrand.fr/ateliers et @[inconnu]"\n',
        "",
    )
    (root / "posts/2026-12-15-nouveau.md").write_text(NEW_POST, encoding="utf-8")


def make_history(into: Path) -> Path:
    """A git repository of the basic site with two commits; returns its root."""
    root = into / "repo"
    shutil.copytree(SITES / "basic", root)
    git(root, "init", "--quiet")
    commit(root, "Basic site")
    editorial_change(root)
    commit(root, "Editorial changes")
    return root


def main() -> int:
    with tempfile.TemporaryDirectory() as temp:
        root = make_history(Path(temp))
        result = cli("diff", "HEAD~1", "HEAD", "--root", str(root))
    if result.code != 0:
        print(result.err, file=sys.stderr)
        return 1
    EXPECTED.write_text(result.out, encoding="utf-8")
    print(f"{EXPECTED.relative_to(HERE.parent.parent)}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
