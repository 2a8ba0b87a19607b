"""A small content repository with the sample brand's logo and font, and a job factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cmbuild.images import ImageJob, ImageResult, process_images
from cmbuild.load.charter import parse_charter
from cmbuild.model import Charter

REPO = Path(__file__).resolve().parents[2]

# The brand the image tests use: the sample brand's assets, its own settings (so that a change
# to the sample charter's colours does not change these tests' expected bytes).
CHARTER: dict[str, Any] = {
    "colors": {
        "primary": "#1F4E79",
        "secondary": "#E07A5F",
        "text": "#1B1B1F",
        "background": "#F7F3EE",
    },
    "logo": {
        "path": "brand/assets/logo.png",
        "position": "bottom-right",
        "width": 0.18,
        "margin": 0.04,
        "opacity": 0.9,
    },
    "fonts": {"title": "brand/assets/fonts/DejaVuSans-Bold.ttf"},
    "images": {"alt_required": True},
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty content repository holding the brand assets."""
    root = tmp_path / "repo"
    (root / "brand").mkdir(parents=True)
    shutil.copytree(REPO / "brand" / "assets", root / "brand" / "assets")
    return root


def job(
    source: str | None,
    platform: str,
    *,
    channel: str | None = None,
    options: tuple[tuple[str, str], ...] = (),
    focus: tuple[float, float] = (0.5, 0.5),
    alt: str | None = "Une image.",
    title: str = "Un titre",
    post: str = "posts/2027-01-04-test.md",
    line: int | None = 4,
    number: int = 1,
    variant: str | None = None,
) -> ImageJob:
    channel = channel or f"{platform}-test"
    stem = Path(source).stem if source else "card"
    return ImageJob(
        variant_id=variant or f"{post}#{channel}",
        channel=channel,
        platform=platform,
        options=options,
        source=source,
        focus=focus,
        alt=alt,
        title=title,
        output=f"{channel}/{stem}-{number}",
        post=post,
        line=line,
    )


Run = Callable[..., ImageResult]


@pytest.fixture
def run(repo: Path) -> Run:
    """Run the image stage on `repo` (output in repo/output), with the test brand by default."""

    def go(
        jobs: list[ImageJob], charter: dict[str, Any] | None = None, workers: int = 1
    ) -> ImageResult:
        out = repo / "output"
        return process_images(
            repo,
            out,
            jobs,
            charter_of(CHARTER if charter is None else charter),
            workers=workers,
            cache_dir=out / ".cmbuild",
        )

    return go


def charter_of(data: dict[str, Any]) -> Charter:
    """The Charter of a charter file's tables (no channels to check names against)."""
    return parse_charter(data, {}, None)
