"""`cmbuild init`: the starter repository is complete, valid, and never overwrites anything."""

from __future__ import annotations

import tomllib
from pathlib import Path

import frontmatter
import jinja2
import pytest

from cmbuild.scaffold import scaffold

PLATFORMS = (
    "x",
    "mastodon",
    "bluesky",
    "threads",
    "linkedin",
    "facebook",
    "instagram",
    "pinterest",
    "youtube",
    "tumblr",
)
TEMPLATES = {f"{name}.j2" for name in PLATFORMS} | {"blog.html.j2", "newsletter.html.j2"}


@pytest.fixture
def starter(tmp_path: Path) -> tuple[Path, list[Path]]:
    dest = tmp_path / "my-brand"
    return dest, scaffold(dest)


def test_writes_a_complete_repository(starter: tuple[Path, list[Path]]) -> None:
    dest, written = starter
    expected = {
        "README.md",
        ".gitignore",
        ".github/CODEOWNERS",
        ".github/workflows/publish.yml",
        ".github/workflows/review.yml",
        "channels.toml",
        "brand/charter.toml",
        "brand/kpis.toml",
        "brand/replies.toml",
        "posts/hello.md",
        "media/welcome.jpg",
        *(f"brand/templates/{name}" for name in TEMPLATES),
    }
    relative = {path.relative_to(dest).as_posix() for path in written}
    assert relative == expected
    assert written == sorted(written)
    assert all(path.is_file() and path.stat().st_size > 0 for path in written)


def test_output_is_ignored_by_git(starter: tuple[Path, list[Path]]) -> None:
    dest, _ = starter
    assert "output/" in (dest / ".gitignore").read_text(encoding="utf-8").split()


def test_every_toml_file_parses(starter: tuple[Path, list[Path]]) -> None:
    dest, written = starter
    tomls = [path for path in written if path.suffix == ".toml"]
    assert len(tomls) == 4
    channels = tomllib.loads((dest / "channels.toml").read_text(encoding="utf-8"))
    charter = tomllib.loads((dest / "brand/charter.toml").read_text(encoding="utf-8"))
    assert {channel["platform"] for channel in channels["channels"].values()} == {
        "x",
        "linkedin",
        "blog",
    }
    assert charter["brand"]["name"]


def test_every_template_compiles(starter: tuple[Path, list[Path]]) -> None:
    dest, _ = starter
    env = jinja2.Environment()
    found = sorted((dest / "brand/templates").iterdir())
    assert {path.name for path in found} == TEMPLATES
    for path in found:
        env.parse(path.read_text(encoding="utf-8"), name=path.name)


def test_the_example_post_is_consistent(starter: tuple[Path, list[Path]]) -> None:
    dest, _ = starter
    post = frontmatter.load(dest / "posts/hello.md")
    channels = tomllib.loads((dest / "channels.toml").read_text(encoding="utf-8"))["channels"]
    assert post["title"]
    assert set(post["channels"]) <= set(channels)
    image = post["image"]
    assert (dest / image["path"]).is_file()
    assert image["alt"]
    assert post.content.strip()


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="busy"):
        scaffold(dest)
    assert [path.name for path in dest.iterdir()] == ["notes.txt"]
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_refuses_a_file(tmp_path: Path) -> None:
    dest = tmp_path / "a-file"
    dest.write_text("", encoding="utf-8")
    with pytest.raises(FileExistsError, match="a-file"):
        scaffold(dest)


def test_accepts_an_empty_folder_and_creates_parents(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert scaffold(empty)
    nested = tmp_path / "a" / "b" / "site"
    assert (nested / "channels.toml") in scaffold(nested)


def test_the_starter_targets_read_and_report_nothing_measured_yet(
    starter: tuple[Path, list[Path]],
) -> None:
    from cmbuild.load.config import load_channels
    from cmbuild.load.kpis import load_kpis
    from tests.helpers import cli

    dest, _ = starter
    names = [c.name for c in load_channels(dest)]
    assert [k.metric for k in load_kpis(dest, names, [])] == [
        "impressions",
        "engagement_rate",
        "clicks",
    ]
    run = cli("report", "--root", str(dest), "--period", "2026-12")
    assert run.code == 0 and "nothing measured in 2026-12" in run.out
