"""Bad images: a clear error naming the post and the image, and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from cmbuild import platforms
from tests.images.conftest import CHARTER, Run, job
from tests.images.probe import metadata, pixel
from tests.images.sources import (
    animated_gif,
    cmyk_jpeg,
    huge_png_header,
    jpeg,
    palette_png_transparent,
    picture,
    png16,
    write,
)

POST = "posts/2027-01-04-test.md"


def test_not_an_image(run: Run, repo: Path) -> None:
    source = write(repo, "media/broken.jpg", b"<html>this is not an image</html>")
    result = run([job(source, "x", line=6)])
    [error] = result.errors
    assert (error.file, error.line, error.key) == (POST, 6, "images")
    assert str(error) == (
        f"{POST}:6: images: image media/broken.jpg is not an image cmbuild can read (corrupt, or"
        " not JPEG, PNG, GIF, WebP, TIFF, BMP or AVIF) (open it in an image editor and export it"
        " again as JPEG or PNG)"
    )
    assert result.media[f"{POST}#x-test"] == ()
    assert not (repo / "output" / "x-test").exists()


def test_corrupt_file(run: Run, repo: Path) -> None:
    source = write(repo, "media/broken.jpg", b"\xff\xd8\xff\xe0 a JPEG start, then nothing")
    [error] = run([job(source, "x")]).errors
    assert error.message == "image media/broken.jpg is truncated or corrupt (Truncated File Read)"
    assert error.hint == "copy it again from the original, or export it again"


def test_truncated_file_writes_none_of_its_outputs(run: Run, repo: Path) -> None:
    whole = jpeg(picture((1200, 800)))
    source = write(repo, "media/cut.jpg", whole[: len(whole) // 2])
    good = write(repo, "media/good.jpg", whole)
    result = run([job(source, "x"), job(source, "mastodon"), job(good, "bluesky")])
    [error] = result.errors  # one per place the post uses it, whatever the channels
    assert error.message.startswith(
        "image media/cut.jpg is truncated or corrupt (image file is truncated"
    )
    assert error.hint == "copy it again from the original, or export it again"
    assert not (repo / "output" / "x-test").exists()
    assert not (repo / "output" / "mastodon-test").exists()
    assert result.outputs == {"bluesky-test/good-1.jpg"}  # the good image is not held back


def test_decompression_bomb_is_refused_before_decoding(run: Run, repo: Path) -> None:
    source = write(repo, "media/bomb.png", huge_png_header((30000, 30000)))
    result = run([job(source, "x")])
    [error] = result.errors
    assert error.message == (
        "image media/bomb.png is 30000×30000 (900.0 megapixels), over the 100-megapixel limit"
        " (refused before decoding)"
    )
    assert error.hint == (
        "downscale it before adding it, or raise images.max_source_pixels in the charter"
    )


def test_pixel_cap_comes_from_the_charter(run: Run, repo: Path) -> None:
    source = write(repo, "media/big.jpg", jpeg(picture((1500, 1000))))
    charter = {**CHARTER, "images": {"max_source_pixels": 1_000_000}}
    [error] = run([job(source, "x")], charter).errors
    assert error.message == (
        "image media/big.jpg is 1500×1000 (1.5 megapixels), over the 1-megapixel limit (refused"
        " before decoding)"
    )


def test_missing_file(run: Run, repo: Path) -> None:
    [error] = run([job("media/absent.jpg", "x")]).errors
    assert error.message == "image media/absent.jpg not found"


def test_path_outside_the_repository(run: Run, repo: Path) -> None:
    (repo.parent / "elsewhere.jpg").write_bytes(jpeg(picture((300, 200))))
    [error] = run([job("../elsewhere.jpg", "x")]).errors
    assert error.message == "image ../elsewhere.jpg points outside the repository"


def test_cmyk_jpeg_is_converted(run: Run, repo: Path) -> None:
    source = write(repo, "media/print.jpg", cmyk_jpeg())
    result = run([job(source, "x", options=(("overlay", "false"),))])
    assert result.errors == []
    [media] = result.media[f"{POST}#x-test"]
    with Image.open(repo / "output" / media.path) as image:
        assert image.mode == "RGB"
        original = pixel(picture((600, 400), 7).convert("CMYK").convert("RGB"), (300, 200))
        assert all(abs(a - b) < 24 for a, b in zip(pixel(image, (300, 200)), original, strict=True))


def test_16_bit_png_is_scaled_not_clipped(run: Run, repo: Path) -> None:
    source = write(repo, "media/ramp.png", png16((320, 240)))
    result = run([job(source, "mastodon", options=(("overlay", "false"),))])
    assert result.errors == []
    [media] = result.media[f"{POST}#mastodon-test"]
    with Image.open(repo / "output" / media.path) as image:
        [middle] = pixel(image.convert("LA"), (160, 120))[:1]
        assert 110 < middle < 145  # mid-grey, where clipping would have made it white


def test_transparent_palette_png_stays_transparent_where_png_is_taken(run: Run, repo: Path) -> None:
    source = write(repo, "media/disc.png", palette_png_transparent())
    result = run([job(source, "mastodon"), job(source, "instagram")])
    assert result.errors == []
    [kept] = result.media[f"{POST}#mastodon-test"]
    [flat] = result.media[f"{POST}#instagram-test"]
    assert kept.path.endswith(".png") and flat.path.endswith(".jpg")
    with Image.open(repo / "output" / kept.path) as image:
        assert image.mode == "RGBA" and pixel(image, (5, 5))[3] == 0
        assert metadata((repo / "output" / kept.path).read_bytes()) == []
    with Image.open(repo / "output" / flat.path) as image:
        corner = pixel(image, (2, 2))
        assert all(abs(a - b) < 6 for a, b in zip(corner, (0xF7, 0xF3, 0xEE), strict=True))
    [note] = [f for f in result.findings if f.rule == "images.flattened"]
    assert note.message == (
        "transparent areas are filled with the brand background #F7F3EE for Instagram (its images"
        " cannot keep transparency here)"
    )
    assert note.channel == "instagram-test"


def test_animated_gif_keeps_its_first_frame(run: Run, repo: Path) -> None:
    source = write(repo, "media/loop.gif", animated_gif())
    result = run([job(source, "x", options=(("overlay", "false"),))])
    assert result.errors == []
    [note] = [f for f in result.findings if f.rule == "images.animated"]
    assert note.message == "image media/loop.gif is animated: only its first frame is used"
    assert note.severity == "info"
    [media] = result.media[f"{POST}#x-test"]
    with Image.open(repo / "output" / media.path) as image:
        red, green, _ = pixel(image, (150, 100))
        assert red > 150 and green < 100


def test_more_images_than_the_platform_takes(run: Run, repo: Path) -> None:
    sources = [write(repo, f"media/p{n}.jpg", jpeg(picture((600, 400), n))) for n in range(6)]
    result = run([job(s, "x", number=n + 1, line=4 + n) for n, s in enumerate(sources)])
    assert len(result.media[f"{POST}#x-test"]) == 4
    [note] = [f for f in result.findings if f.rule == "images.too-many"]
    assert note.message == "X takes at most 4 images: only the first 4 are published"
    assert note.line == 8  # the first image left out


def test_missing_alt_text_is_passed_on_for_the_charter_rule(run: Run, repo: Path) -> None:
    """charter.alt-text reports it (tests/check/test_charter.py); the image is still made."""
    source = write(repo, "media/a.jpg", jpeg(picture((600, 400))))
    result = run([job(source, "x", alt=None)])
    [media] = result.media[f"{POST}#x-test"]
    assert media.alt is None and result.errors == []


def test_alt_text_over_the_platform_limit_is_a_platform_finding() -> None:
    [problem] = platforms.get("pinterest").check("Un texte.", {"title": "Un titre"}, ["a" * 501])
    assert problem.rule == "platform.alt-text"
    assert problem.message == "image 1: alt text is 501/500 characters: 1 over"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((("image_format", "panorama"),), "'panorama' is not an image format of Instagram"),
        ((("image_type", "gif"),), "Instagram does not take 'gif' images"),
        ((("overlay", "maybe"),), "expected true or false, got 'maybe'"),
    ],
)
def test_bad_channel_options(
    run: Run, repo: Path, options: tuple[tuple[str, str], ...], message: str
) -> None:
    source = write(repo, "media/a.jpg", jpeg(picture((600, 400))))
    [error] = run([job(source, "instagram", channel="instagram-cmb", options=options)]).errors
    assert error.file == "channels.toml"
    assert error.key == f"channels.instagram-cmb.options.{options[0][0]}"
    assert error.message == message


def test_unreadable_colour_profile_is_taken_as_srgb(run: Run, repo: Path) -> None:
    source = write(repo, "media/odd.jpg", jpeg(picture((600, 400)), icc_profile=b"not a profile"))
    result = run([job(source, "x")])
    assert result.errors == []
    [note] = [f for f in result.findings if f.rule == "images.color-profile"]
    assert note.message == (
        "image media/odd.jpg has a colour profile that cannot be used: its colours are taken as"
        " sRGB"
    )
