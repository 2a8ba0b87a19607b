"""Every platform, every source shape: outputs within the platform's rules, and nothing else."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from cmbuild import platforms
from cmbuild.images import ImageJob, ImageResult
from tests.images.conftest import CHARTER, Run, charter_of, job
from tests.images.probe import metadata, pixel
from tests.images.sources import SHAPES, jpeg, picture, with_metadata, write

FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImageResult]:
    """Every source shape for every platform, built once (with two worker processes)."""
    import shutil

    from cmbuild.images import process_images
    from tests.images.conftest import REPO

    root = tmp_path_factory.mktemp("matrix")
    shutil.copytree(REPO / "brand" / "assets", root / "brand" / "assets")
    jobs: list[ImageJob] = []
    for number, (shape, size) in enumerate(SHAPES.items()):
        source = write(root, f"media/{shape}.jpg", with_metadata(picture(size, number)))
        jobs.extend(job(source, name, variant=f"{shape}#{name}") for name in platforms.names())
    out = root / "output"
    result = process_images(
        root, out, jobs, charter_of(CHARTER), workers=2, cache_dir=out / ".cmbuild"
    )
    assert not result.errors
    return out, result


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("name", sorted(platforms.names()))
def test_output_within_platform_rules(
    matrix: tuple[Path, ImageResult], name: str, shape: str
) -> None:
    out, result = matrix
    spec = platforms.get(name).media
    (media,) = result.media[f"{shape}#{name}"]
    data = (out / media.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == media.sha256
    assert len(data) == media.bytes
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (media.width, media.height)
        # The sources are opaque JPEGs: they come out as JPEG wherever the platform takes it,
        # with no transparency channel added.
        expected = "jpeg" if "jpeg" in spec.formats else spec.formats[0]
        assert FORMATS[image.format or ""] == expected
        assert image.mode == "RGB"
    width, height = image.size
    if spec.max_bytes is not None:
        assert len(data) <= spec.max_bytes
    if spec.max_width is not None:
        assert width <= spec.max_width
    if spec.max_height is not None:
        assert height <= spec.max_height
    if spec.max_pixels is not None:
        assert width * height <= spec.max_pixels
    if spec.min_width is not None:
        assert width >= spec.min_width
    if spec.aspect_min is not None:
        assert width / height >= spec.aspect_min - 1e-9
    if spec.aspect_max is not None:
        assert width / height <= spec.aspect_max + 1e-9
    if spec.recommended is not None:
        assert max(width, height) <= max(spec.recommended)  # never larger than recommended


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_metadata_survives(matrix: tuple[Path, ImageResult], shape: str) -> None:
    """The sources carry GPS EXIF, XMP, an ICC profile and a comment; outputs carry nothing."""
    out, result = matrix
    for name in platforms.names():
        (media,) = result.media[f"{shape}#{name}"]
        data = (out / media.path).read_bytes()
        assert metadata(data) == [], media.path
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif()
            assert "icc_profile" not in image.info


def test_small_source_is_not_enlarged(matrix: tuple[Path, ImageResult]) -> None:
    _, result = matrix
    (media,) = result.media["tiny#x"]
    assert (media.width, media.height) == (400, 300)
    [warning] = [f for f in result.findings if f.rule == "images.small" and f.channel == "x-test"]
    assert warning.message == (
        "image media/tiny.jpg is 400×300 as cropped for X, smaller than the 1600×900 it"
        " recommends: used as is, not enlarged"
    )
    assert warning.severity == "warning"
    assert (warning.file, warning.line) == ("posts/2027-01-04-test.md", 4)


def test_ratio_kept_when_the_platform_accepts_it(matrix: tuple[Path, ImageResult]) -> None:
    _, result = matrix
    assert [(m.width, m.height) for m in result.media["landscape#x"]] == [(1600, 1067)]
    assert [(m.width, m.height) for m in result.media["landscape#mastodon"]] == [(3000, 2000)]
    assert [(m.width, m.height) for m in result.media["portrait#instagram"]] == [(1080, 1350)]
    assert [(m.width, m.height) for m in result.media["panorama#instagram"]] == [(1350, 707)]


def test_channel_shape_crops_to_that_ratio(run: Run, repo: Path) -> None:
    source = write(repo, "media/landscape.jpg", jpeg(picture((3000, 2000))))
    options = (("image_format", "square"),)
    result = run([job(source, "instagram", options=options)])
    [media] = next(iter(result.media.values()))
    assert (media.width, media.height) == (1080, 1080)


def test_focus_point_decides_the_crop(run: Run, repo: Path) -> None:
    """A red left half and a blue right half: focusing right keeps the blue."""
    image = Image.new("RGB", (3000, 1000), (220, 20, 20))
    image.paste((20, 20, 220), (1500, 0, 3000, 1000))
    source = write(repo, "media/halves.jpg", with_metadata(image))
    options = (("image_format", "square"), ("overlay", "false"))
    result = run(
        [
            job(source, "instagram", options=options, focus=(0.95, 0.5), channel="right"),
            job(source, "instagram", options=options, focus=(0.05, 0.5), channel="left"),
        ]
    )
    out = repo / "output"
    right, left = (result.media[f"posts/2027-01-04-test.md#{c}"][0] for c in ("right", "left"))
    with Image.open(out / right.path) as picture_right, Image.open(out / left.path) as picture_left:
        assert pixel(picture_right, (540, 540))[2] > 180  # blue
        assert pixel(picture_left, (540, 540))[0] > 180  # red


def test_exif_orientation_is_applied(run: Run, repo: Path) -> None:
    """Pixels stored landscape with orientation 6 (turned a quarter) are a portrait picture."""
    from tests.images.sources import rotated

    source = write(repo, "media/turned.jpg", rotated(picture((1200, 800)), 6))
    result = run([job(source, "mastodon")])
    [media] = next(iter(result.media.values()))
    assert (media.width, media.height) == (800, 1200)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_pinterest_pins_are_two_by_three_portrait_by_default(
    matrix: tuple[Path, ImageResult], shape: str
) -> None:
    # Pinterest recommends 2:3; a landscape source used to stay landscape.
    (media,) = matrix[1].media[f"{shape}#pinterest"]
    assert media.width is not None and media.height is not None
    assert media.height > media.width
    assert abs(media.width / media.height - 2 / 3) <= 1 / media.height  # whole-pixel rounding


def test_original_keeps_the_source_ratio_and_unknown_formats_list_it() -> None:
    from cmbuild.images.targets import Target, resolve_target

    pinterest = platforms.get("pinterest")
    kept = resolve_target(pinterest, "pinterest-cmb", {"image_format": "original"})
    assert isinstance(kept, Target) and kept.limits.shape is None
    default = resolve_target(pinterest, "pinterest-cmb", {})
    assert isinstance(default, Target) and default.limits.shape == (1000, 1500)
    wrong = resolve_target(pinterest, "pinterest-cmb", {"image_format": "wide"})
    assert isinstance(wrong, list) and "portrait, square, original" in str(wrong[0])
