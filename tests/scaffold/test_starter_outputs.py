"""What the starter templates make of a post: its language's words, the link once, wrapped lines
joined."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmbuild.build import build
from cmbuild.scaffold import scaffold

CHANNELS = """
[channels.instagram-main]
platform = "instagram"

[channels.mastodon-main]
platform = "mastodon"
options = { instance = "https://mastodon.social" }
"""

POST = """\
---
title: "Marché de Noël"
publish: 2027-01-16 09:00
lang: {lang}
link: https://example.com/noel
image:
  path: media/welcome.jpg
  alt: "Des collines vertes."
status: approved
channels: [instagram-main, mastodon-main, linkedin-main, x-main, blog]
---
Au menu : chocolat chaud,
café filtre et [le programme](https://example.com/noel).
"""


@pytest.fixture
def built(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    root = tmp_path / "brand"
    scaffold(root)
    with (root / "channels.toml").open("a", encoding="utf-8") as file:
        file.write(CHANNELS)
    (root / "posts/noel.md").write_text(POST.format(lang=request.param), encoding="utf-8")
    build(root, jobs=1)
    return root / "output"


@pytest.mark.parametrize(("built", "words"), [("fr", "Lien en bio."), ("en", "Link in bio.")],
                         indirect=["built"])  # fmt: skip
def test_instagram_points_to_the_bio_in_the_posts_language(built: Path, words: str) -> None:
    caption = (built / "instagram-main/noel.txt").read_text(encoding="utf-8")
    assert words in caption
    assert ("Link in bio." if words == "Lien en bio." else "Lien en bio.") not in caption


@pytest.mark.parametrize("built", ["fr"], indirect=True)
def test_a_link_the_writer_already_gave_is_not_added_twice(built: Path) -> None:
    for channel in ("linkedin-main", "mastodon-main", "x-main"):
        text = (built / channel / "noel.txt").read_text(encoding="utf-8")
        assert text.count("https://example.com/noel") == 1, (channel, text)


@pytest.mark.parametrize("built", ["fr"], indirect=True)
def test_a_wrapped_line_is_one_line_in_the_post(built: Path) -> None:
    for channel in ("instagram-main", "mastodon-main", "linkedin-main", "x-main"):
        text = (built / channel / "noel.txt").read_text(encoding="utf-8")
        assert "chocolat chaud, café filtre" in text, (channel, text)
