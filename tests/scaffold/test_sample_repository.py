"""The sample content repository at the project's root (CM Bordeaux) stays valid and consistent.

These checks read the files directly, without the build, so that a broken sample is caught even
while a build stage is being reworked.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import frontmatter
import jinja2
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
POSTS = sorted((ROOT / "posts").rglob("*.md"))
TEMPLATES = {
    f"{name}.j2"
    for name in (
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
} | {"blog.html.j2", "newsletter.html.j2"}
MENTION = re.compile(r"@\[([^\]]*)\]")


def _toml(relative: str) -> dict[str, Any]:
    return tomllib.loads((ROOT / relative).read_text(encoding="utf-8"))


CHANNELS: dict[str, Any] = _toml("channels.toml")["channels"]
DEFAULT_LANG: str = _toml("channels.toml")["defaults"]["lang"]
CHARTER: dict[str, Any] = _toml("brand/charter.toml")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.casefold().replace("’", "'"))
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def _texts(post: frontmatter.Post) -> list[str]:
    texts = [post.content, str(post["title"])]
    for override in (post["channels"] or {}).values():
        for key in ("text", "title", "description"):
            if override and key in override:
                texts.append(str(override[key]))
    return texts


def _images(data: dict[str, Any]) -> list[dict[str, Any]]:
    if "images" in data:
        return list(data["images"])
    return [data["image"]] if "image" in data else []


def test_there_is_enough_to_show() -> None:
    posts = [frontmatter.load(path) for path in POSTS]
    assert len(posts) >= 18
    statuses = [post["status"] for post in posts]
    assert statuses.count("review") == 2
    assert statuses.count("draft") == 2
    assert 3 <= sum(post.get("lang") == "en" for post in posts) <= 4
    assert sum(bool(post.get("sponsored")) for post in posts) == 1


@pytest.mark.parametrize("path", POSTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_post_is_consistent(path: Path) -> None:
    post = frontmatter.load(path)
    assert post["title"] and post["campaign"] and post.content.strip()
    assert post["status"] in {"draft", "review", "approved"}
    lang = post.get("lang", CHARTER["brand"]["lang"])
    channels = post["channels"]
    handles = CHARTER["handles"]
    for text in _texts(post):
        for key in MENTION.findall(text):
            assert key in handles, f"@[{key}] is not in brand/charter.toml [handles]"
        folded = _fold(text)
        for banned in CHARTER["wording"]["banned"]:
            expression = _fold(banned["expression"])
            assert not re.search(rf"\b{re.escape(expression)}\b", folded), banned["expression"]
    for image in _images(post.metadata):
        assert (ROOT / image["path"]).is_file(), image["path"]
        assert image.get("alt"), f"{image['path']}: alt text"
    for name, override in channels.items():
        assert name in CHANNELS, f"unknown channel {name}"
        channel = CHANNELS[name]
        channel_lang = channel.get("lang", DEFAULT_LANG)
        assert lang == channel_lang, f"{name}: a post in {lang} on a channel in {channel_lang}"
        images = _images(override or {}) or _images(post.metadata)
        for image in images:
            assert (ROOT / image["path"]).is_file(), image["path"]
            assert image.get("alt")
        if channel["platform"] in {"instagram", "pinterest"}:
            assert images, f"{name} requires an image"
        if channel["platform"] == "pinterest":
            assert len((override or {}).get("title", post["title"])) <= 100
            assert len((override or {}).get("description", "")) <= 500


def test_configuration_is_consistent() -> None:
    names = set(CHANNELS)
    for group in CHARTER["complementarity"]["exempt"]:
        assert set(group) <= names
    for handle in CHARTER["handles"]:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", handle)
    for channel in CHANNELS.values():
        for variable in channel.get("credentials", {}).values():
            assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", variable)
    assert (ROOT / CHARTER["logo"]["path"]).is_file()
    assert (ROOT / CHARTER["fonts"]["title"]).is_file()


def test_templates_compile() -> None:
    folder = ROOT / "brand/templates"
    assert {path.name for path in folder.iterdir()} >= TEMPLATES
    env = jinja2.Environment()
    for name in TEMPLATES:
        env.parse((folder / name).read_text(encoding="utf-8"), name=name)


def test_media_are_light_jpegs_and_the_logo_is_transparent() -> None:
    photos = sorted((ROOT / "media").glob("*.jpg"))
    assert 8 <= len(photos) <= 12
    for photo in photos:
        assert photo.stat().st_size < 800_000, photo.name
        with Image.open(photo) as image:
            assert image.format == "JPEG"
    with Image.open(ROOT / "brand/assets/logo.png") as logo:
        assert logo.mode == "RGBA" and logo.width == 600
