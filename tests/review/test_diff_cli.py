"""`cmbuild diff` end to end on a real git history of the basic site.

The expected Markdown is tests/review/expected/diff.md; after an intended change of the output,
regenerate it with `python -m tests.review.history` and review its diff.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.helpers import cli, edit
from tests.review.history import EXPECTED, git, make_history


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Temporary checkouts and outputs go here, so the tests can see that they are cleaned up.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return make_history(tmp_path)


def _untouched(repo: Path) -> None:
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / "output").exists()
    worktrees = git(repo, "worktree", "list", "--porcelain")
    assert [line for line in worktrees.splitlines() if line.startswith("worktree ")] == [
        f"worktree {repo}"
    ]
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


def test_markdown_matches_the_expected_comment(repo: Path) -> None:
    result = cli("diff", "HEAD~1", "HEAD", "--root", str(repo))
    assert result.code == 0, result.err
    assert result.out == EXPECTED.read_text(encoding="utf-8")
    _untouched(repo)


def test_json_has_the_same_diff_as_data(repo: Path) -> None:
    result = cli("diff", "HEAD~1", "HEAD", "--root", str(repo), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["base"] == {
        "revision": "HEAD~1",
        "commit": git(repo, "rev-parse", "HEAD~1").strip(),
    }
    assert data["head"] == {"revision": "HEAD", "commit": git(repo, "rev-parse", "HEAD").strip()}
    assert data["counts"] == {
        "added": 1,
        "removed": 1,
        "status_changed": 1,
        "rescheduled": 2,
        "text_changed": 3,
        "image_changed": 2,
        "new_findings": 2,
        "resolved_findings": 5,
    }
    changes = {
        (c["channel"], change["key"]): change for c in data["channels"] for change in c["changes"]
    }
    moved = changes["x-test", "posts/2026-12-05-conseil.md#x-test"]
    assert moved["change"] == "changed"
    assert moved["rescheduled"] == {
        "old": "2026-12-05T09:00:00+01:00",
        "new": "2026-12-07T09:00:00+01:00",
    }
    assert moved["text"] is None
    assert moved["status"] == {"old": "review", "new": "approved"}
    assert data["posts"][1] == {
        "source": "posts/2026-12-05-conseil.md",
        "title": "Conseil : écrire pour chaque réseau",
        "status": {"old": "review", "new": "approved"},
        "channels": ["mastodon-test", "x-test"],
    }
    assert [m["path"] for m in moved["image"]["new"]] == ["x-test/2026-12-05-conseil-1.jpg"]
    edited = changes["linkedin-test", "posts/2026-12-01-lancement.md#linkedin-test"]
    assert {"op": "delete", "text": "huit"} in edited["text"]["diff"]
    assert {"op": "insert", "text": "dix"} in edited["text"]["diff"]
    assert "dix semaines" in edited["text"]["new"]
    removed = changes["bluesky-test", "posts/2026-12-12-problemes.md#bluesky-test"]
    assert removed["change"] == "removed"
    assert (
        changes["mastodon-test", "posts/2026-12-15-nouveau.md#mastodon-test"]["change"] == "added"
    )
    assert sorted((f["file"], f["channel"], f["rule"]) for f in data["new_findings"]) == [
        ("posts/2026-12-01-lancement.md", "bluesky-test", "charter.banned-wording"),
        ("posts/2026-12-05-conseil.md", "x-test", "images.small"),  # a 40×30 image on X
    ]
    _untouched(repo)


def test_working_tree_includes_uncommitted_edits(repo: Path) -> None:
    post = repo / "posts/2026-12-05-conseil.md"
    edit(post, "adaptez le ton", "adaptez le style")
    result = cli("diff", "HEAD", "--root", str(repo))
    assert result.code == 0, result.err
    assert "→ the working tree" in result.out.splitlines()[0]
    assert "~~ton~~ **style**" in result.out
    assert result.out.count("### `posts/2026-12-05-conseil.md`") == 1  # one post
    assert "- **text** on mastodon-test, x-test: " in result.out  # on two channels
    assert git(repo, "status", "--porcelain") == " M posts/2026-12-05-conseil.md\n"
    assert not (repo / "output").exists()
    assert list(Path(tempfile.gettempdir()).iterdir()) == []


def test_same_revision_has_no_change(repo: Path) -> None:
    result = cli("diff", "HEAD", "HEAD", "--root", str(repo))
    assert result.code == 0
    assert "No change to the schedule." in result.out
    assert "| 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in result.out


def test_user_output_folder_is_left_alone(repo: Path) -> None:
    (repo / "output").mkdir()
    mine = repo / "output/notes.txt"
    mine.write_text("mine", encoding="utf-8")
    assert cli("diff", "HEAD~1", "--root", str(repo)).code == 0
    assert [p.name for p in (repo / "output").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("args", "side"),
    [(("no-such-branch",), "base"), (("HEAD~1", "no-such-branch"), "head")],
)
def test_bad_revision_exits_2_naming_the_side(repo: Path, args: tuple[str, ...], side: str) -> None:
    result = cli("diff", *args, "--root", str(repo))
    assert result.code == 2
    assert result.out == ""
    assert f"error: {side}: unknown revision 'no-such-branch'" in result.err
    _untouched(repo)


def test_bad_input_in_the_working_tree_exits_2_naming_the_side(repo: Path) -> None:
    post = repo / "posts/2026-12-05-conseil.md"
    edit(post, "channels: [x-test, mastodon-test]", "channels: [x-test, nowhere]")
    result = cli("diff", "HEAD", "--root", str(repo), "--json")
    assert result.code == 2
    assert "error: head (working tree): posts/2026-12-05-conseil.md" in result.err
    data = json.loads(result.out)
    assert data["ok"] is False
    assert data["side"] == "head"


def test_bad_input_in_a_revision_exits_2_naming_it(repo: Path) -> None:
    (repo / "channels.toml").write_text("[channels.x-test]\nplatform = 3\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "--all", "--message", "Break channels")
    result = cli("diff", "HEAD", "HEAD~1", "--root", str(repo))
    assert result.code == 2
    assert "error: base (HEAD): channels.toml" in result.err
    _untouched(repo)


def test_not_a_git_repository(basic: Path) -> None:
    result = cli("diff", "HEAD", "--root", str(basic))
    assert result.code == 2
    assert "is not inside a git working tree" in result.err


def test_content_repository_in_a_subfolder(tmp_path: Path) -> None:
    repo = make_history(tmp_path)
    site = tmp_path / "monorepo"
    site.mkdir()
    git(site, "init", "--quiet")
    repo.rename(site / "content")
    (site / "content/.git").rename(tmp_path / "old-git")  # keep only the outer repository
    git(site, "add", "--all")
    git(site, "commit", "--quiet", "--message", "Site in a folder")
    edit(site / "content/posts/2026-12-05-conseil.md", "adaptez le ton", "adaptez le style")
    result = cli("diff", "HEAD", "--root", str(site / "content"))
    assert result.code == 0, result.err
    assert "~~ton~~ **style**" in result.out
