"""A rebuild with background posts re-renders only the posts whose placement changed.

The queue places every background post again at each build (its slots depend on all the others),
but a post keeps its render key while its times and reasons stay the same: editing one post
renders that post, and the posts it pushed to another slot, and no other.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cmbuild.build import build
from tests.helpers import edit, tree

TIPS = ("a", "b", "c", "d", "e")
FIRSTS = ("2026-12-14", "2026-12-14", "2026-12-15", "2026-12-20", "2026-12-21")


def _site(root: Path) -> None:
    edit(root / "channels.toml", "[defaults]\n", "[queue]\nmax_per_day = 1\n\n[defaults]\n")
    for name, first in zip(TIPS, FIRSTS, strict=True):
        (root / f"posts/tip-{name}.md").write_text(
            f'---\ntitle: "Astuce {name}"\npublish: {first}\nkind: evergreen\n'
            f"status: approved\nchannels: [x-test]\n---\nAstuce {name} : écrire court.\n",
            encoding="utf-8",
        )


def _placements(root: Path) -> dict[str, tuple[tuple[str, str, str], ...]]:
    manifest = json.loads((root / "output/manifest.json").read_text(encoding="utf-8"))
    found: dict[str, list[tuple[str, str, str]]] = {}
    for v in manifest["variants"]:
        found.setdefault(v["source"], []).append((v["id"], v["scheduled"], v.get("plan") or ""))
    return {source: tuple(sorted(rows)) for source, rows in found.items()}


def test_only_the_posts_whose_placement_changed_are_rendered_again(
    basic: Path, tmp_path: Path
) -> None:
    _site(basic)
    first = build(basic, jobs=1)
    assert first.rendered == len(list((basic / "posts").glob("*.md")))
    before = _placements(basic)
    days = {name: before[f"posts/tip-{name}.md"][0][1][:10] for name in TIPS}
    assert days == {"a": "2026-12-14", "b": "2026-12-15", "c": "2026-12-16", "d": "2026-12-20",
                    "e": "2026-12-21"}  # fmt: skip

    # New words, the same first day: the post is rendered again, its place is kept.
    edit(basic / "posts/tip-d.md", "écrire court.", "écrire court et clair.")
    assert build(basic, jobs=1).rendered == 1
    assert _placements(basic) == before

    # b starts later: c takes the day b left, b a day of its own; a, d and e stay where they are.
    edit(basic / "posts/tip-b.md", "publish: 2026-12-14", "publish: 2026-12-17")
    again = build(basic, jobs=1)
    after = _placements(basic)
    moved = {source for source in after if after[source] != before.get(source)}
    assert moved == {"posts/tip-b.md", "posts/tip-c.md"}
    assert again.rendered == len(moved)

    # And the rebuilt output is the one a build from scratch gives.
    fresh = tmp_path / "fresh"
    shutil.copytree(basic, fresh, ignore=shutil.ignore_patterns("output"))
    build(fresh, jobs=1)
    assert tree(fresh / "output") == tree(basic / "output")
