"""The byte limit and the quality search, on images big enough to reach them.

Noise does not compress, so a few hundred thousand pixels of it are over any limit we choose,
and its JPEG size grows with the quality at every step: the best quality that fits is known.
"""

from __future__ import annotations

import io
import random
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image

from cmbuild import platforms
from cmbuild.images.encode import Memo, encode_within, save
from tests.images.conftest import Run, job
from tests.images.sources import png, write

QUALITY, MIN_QUALITY = 85, 50


def noise(size: tuple[int, int], mode: str = "RGB", seed: int = 7) -> Image.Image:
    """Pixels from a seeded random: the same image every run."""
    rng = random.Random(seed)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))


NOISE = noise((600, 600))
SIZES = {q: len(save(NOISE, "jpeg", q)) for q in range(MIN_QUALITY, QUALITY + 1)}


def test_the_noise_grows_with_every_quality_step() -> None:
    """What the tests below rely on: one quality, and only one, is the best that fits a limit."""
    sizes = [SIZES[q] for q in sorted(SIZES)]
    assert all(a < b for a, b in pairwise(sizes))


@pytest.mark.parametrize("wanted", [50, 51, 58, 67, 71, 76, 83, 84])
def test_the_best_quality_that_fits_is_found(wanted: int) -> None:
    for limit in (SIZES[wanted], SIZES[wanted + 1] - 1):  # the size at `wanted`, and just under
        encoded = encode_within(NOISE, "jpeg", limit, QUALITY, MIN_QUALITY, Memo())
        assert encoded is not None
        assert (encoded.quality, encoded.format) == (wanted, "jpeg")
        assert len(encoded.data) <= limit
        assert encoded.data == save(NOISE, "jpeg", wanted)


def test_the_preferred_quality_is_kept_when_it_fits() -> None:
    encoded = encode_within(NOISE, "jpeg", SIZES[QUALITY], QUALITY, MIN_QUALITY, Memo())
    assert encoded is not None and encoded.quality == QUALITY
    assert encode_within(NOISE, "jpeg", None, QUALITY, MIN_QUALITY, Memo()) == encoded


def test_nothing_is_returned_when_even_the_lowest_quality_is_too_big() -> None:
    limit = SIZES[MIN_QUALITY] - 1
    assert encode_within(NOISE, "jpeg", limit, QUALITY, MIN_QUALITY, Memo()) is None
    assert encode_within(NOISE, "webp", 1_000, QUALITY, MIN_QUALITY, Memo()) is None


def test_a_png_over_the_limit_is_refused_and_one_within_it_kept() -> None:
    image = noise((300, 300), "RGBA")
    size = len(save(image, "png", None))
    assert encode_within(image, "png", size - 1, QUALITY, MIN_QUALITY, Memo()) is None
    kept = encode_within(image, "png", size, QUALITY, MIN_QUALITY, Memo())
    assert kept is not None and (kept.format, kept.quality, len(kept.data)) == ("png", None, size)


def outputs(run: Run, repo: Path, source: str, platform: str) -> tuple[bytes, list[str]]:
    result = run([job(source, platform)])
    assert not result.errors
    ((_, (media,)),) = result.media.items()
    notes = [f.rule for f in result.findings]
    return (repo / "output" / media.path).read_bytes(), notes


def test_a_big_photo_comes_out_within_the_platforms_byte_limit(run: Run, repo: Path) -> None:
    """Bluesky takes 1,000,000 bytes: a 2000×2000 noise photo at the brand's quality is about
    three times that, so the quality search (and shrinking) must bring it under."""
    limit = platforms.get("bluesky").media.max_bytes
    assert limit == 1_000_000
    image = noise((2000, 2000))
    assert len(save(image, "jpeg", QUALITY)) > 2 * limit
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    data, _ = outputs(run, repo, write(repo, "media/photo.jpg", buffer.getvalue()), "bluesky")
    assert len(data) <= limit
    # The search keeps the best that fits, not merely one that does.
    assert len(data) > 0.8 * limit
    with Image.open(io.BytesIO(data)) as out:
        assert out.format == "JPEG"


def test_a_transparent_png_over_the_limit_is_flattened_not_sent_whole(run: Run, repo: Path) -> None:
    limit = platforms.get("bluesky").media.max_bytes
    assert limit is not None
    image = noise((1000, 1000), "RGBA")
    assert len(save(image, "png", None)) > 2 * limit
    data, notes = outputs(run, repo, write(repo, "media/cutout.png", png(image)), "bluesky")
    assert len(data) <= limit
    assert "images.flattened" in notes
    with Image.open(io.BytesIO(data)) as out:
        assert out.format == "JPEG"


def test_a_transparent_png_within_the_limit_stays_a_png(run: Run, repo: Path) -> None:
    image = noise((300, 300), "RGBA")
    data, notes = outputs(run, repo, write(repo, "media/small.png", png(image)), "bluesky")
    assert "images.flattened" not in notes
    with Image.open(io.BytesIO(data)) as out:
        assert (out.format, out.mode) == ("PNG", "RGBA")
