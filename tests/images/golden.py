"""The golden cases: fixed generated inputs, the sample brand, a few platforms. Not a test module.

Their outputs' digests are committed in golden.json; `python -m tests.images.regenerate` writes
them again after an intended change (or a Pillow upgrade: its codecs decide the bytes).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cmbuild.images import ImageJob, ImageResult, process_images
from tests.images.conftest import CHARTER, REPO, charter_of, job
from tests.images.sources import (
    cmyk_jpeg,
    palette_png_transparent,
    picture,
    rotated,
    with_metadata,
    write,
)

GOLDEN = Path(__file__).with_name("golden.json")
TARGETS: list[tuple[str, tuple[tuple[str, str], ...]]] = [
    ("x", ()),
    ("instagram", (("image_format", "portrait"),)),
    ("pinterest", ()),
    ("mastodon", ()),
    ("bluesky", (("image_type", "webp"),)),
]


def sources(root: Path) -> list[str]:
    return [
        write(root, "media/photo.jpg", with_metadata(picture((900, 600), 3))),
        write(root, "media/portrait.jpg", picture_jpeg((600, 900), 4)),
        write(root, "media/disc.png", palette_png_transparent()),
        write(root, "media/print.jpg", cmyk_jpeg()),
        write(root, "media/turned.jpg", rotated(picture((720, 480), 5), 6)),
    ]


def picture_jpeg(size: tuple[int, int], seed: int) -> bytes:
    from tests.images.sources import jpeg

    return jpeg(picture(size, seed))


def jobs(root: Path) -> list[ImageJob]:
    found = []
    for source in sources(root):
        for platform, options in TARGETS:
            found.append(job(source, platform, options=options, variant=f"{source}#{platform}"))
    title = "Café, crème & « guillemets » : les ateliers reprennent 🎉"
    found.append(job(None, "instagram", title=title, variant="card#instagram"))
    found.append(job(None, "pinterest", title=title, variant="card#pinterest"))
    return found


def build(root: Path) -> ImageResult:
    """Build the golden cases in `root` (a new folder); the outputs land in root/output."""
    shutil.copytree(REPO / "brand" / "assets", root / "brand" / "assets")
    out = root / "output"
    return process_images(
        root, out, jobs(root), charter_of(CHARTER), workers=1, cache_dir=out / ".cmbuild"
    )


def digests(result: ImageResult) -> dict[str, str]:
    return {m.path: m.sha256 for media in result.media.values() for m in media}
