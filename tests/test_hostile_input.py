"""Hostile input: a clear error naming file, line and key, exit 2, nothing written; never a
traceback, never a hang, never a link that runs code."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from cmbuild.incremental.memo import Memo
from cmbuild.serve.loop import Failed, _rebuild
from cmbuild.serve.server import SiteState
from tests.helpers import cli, edit, tree

POST = "posts/2026-12-01-lancement.md"


def assert_error(root: Path, expected: str, *, same_output: bool = True) -> str:
    before = tree(root / "output") if (root / "output").exists() else {}
    result = cli("build", "--root", str(root))
    assert "Traceback" not in result.err + result.out
    assert result.code == 2, result.err
    assert expected in result.err, result.err
    assert "nothing was written" in result.err
    if same_output:
        assert (tree(root / "output") if (root / "output").exists() else {}) == before
    return result.err


def bilevel_png(path: Path, side: int) -> None:
    """A valid black side×side PNG (one bit per pixel): a few KB that decode to side² pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # filter byte, then the row's bits
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_front_matter_that_is_never_closed(basic: Path) -> None:
    (basic / "posts/open.md").write_text(
        "---\ntitle: Ouvert\nchannels: [x-test]\n\nLe texte.\n", encoding="utf-8"
    )
    assert_error(basic, "posts/open.md:1: the front matter is not closed")


def test_serve_shows_an_unclosed_front_matter_on_the_post(basic: Path) -> None:
    (basic / "posts/open.md").write_text("---\ntitle: Ouvert\n\nLe texte.\n", encoding="utf-8")
    event = _rebuild(basic, basic / "output", SiteState(), 1, Memo())
    assert isinstance(event, Failed)
    assert [(e.file, e.line) for e in event.errors] == [("posts/open.md", 1)]
    assert "not closed" in event.errors[0].message


@pytest.mark.parametrize("side", [40_000, 11_000])
def test_a_decompression_bomb_is_refused_by_the_pixel_cap(
    basic: Path, side: int, recwarn: pytest.WarningsRecorder
) -> None:
    bilevel_png(basic / "media/bomb.png", side)
    edit(basic / POST, "path: media/photo.jpg", "path: media/bomb.png")
    # Refused from its header before the image stage writes anything: no other post's images
    # either (a first build, so every other image would be new).
    err = assert_error(basic, f"{POST}:8: images: image media/bomb.png is {side}×{side}")
    assert "over the 100-megapixel limit" in err
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-12:00", "0001-01-01 00:00", "9999-12-31", "0001-01-01"]
)
def test_a_publish_time_at_the_end_of_the_calendar(basic: Path, value: str) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", f"publish: {value}")
    assert_error(basic, f"{POST}:3: publish: {value} is not a usable publish time")


def test_a_publish_time_written_as_a_number(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", "publish: 20261216")
    assert_error(basic, f"{POST}:3: publish: 20261216 is a number, not a date and time")


def test_a_compact_date_in_quotes_has_no_time_of_day(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", 'publish: "20261216"')
    assert_error(basic, f"{POST}:3: publish: '20261216' has no time of day")


def test_a_publish_number_in_a_channel_override(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-02 08:30", "publish: 202612020830")
    assert_error(basic, f"{POST}:17: channels.linkedin-test.publish: 202612020830 is a number")


def test_an_image_path_too_long_for_a_file_name(basic: Path) -> None:
    edit(basic / POST, "path: media/photo.jpg", f"path: media/{'a' * 300}.jpg")
    assert_error(basic, f"{POST}:8: image.path: the path 'media/aaa")


def test_a_nul_byte_in_an_image_path(basic: Path) -> None:
    edit(basic / POST, "path: media/photo.jpg", 'path: "media/pho\\0to.jpg"')
    assert_error(basic, f"{POST}:8: image.path: the path 'media/pho\\x00to.jpg' contains")


BOMB = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}' if n else 'lol'] * 9)}]\n" for n in range(9))


def test_a_yaml_alias_bomb_is_refused_at_once(basic: Path) -> None:
    edit(basic / POST, "tags: [formation, Bordeaux]\n", BOMB + "tags: *l8\n")
    assert_error(basic, f"{POST}:9: l4: repeats `*name` references into more than 10000 values")


def test_a_value_that_contains_itself(basic: Path) -> None:
    edit(basic / POST, "tags: [formation, Bordeaux]", "tags: &t [formation, *t]")
    assert_error(basic, f"{POST}:5: tags: contains itself through a `*name` reference")


def test_a_few_references_are_still_fine(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-02 08:30", "publish: &later 2026-12-02 08:30")
    edit(basic / POST, "publish: 2026-12-03 18:00", "publish: *later")
    result = cli("build", "--root", str(basic))
    assert result.code == 1, result.err  # the site's own findings, no input error
    manifest = (basic / "output/manifest.json").read_text(encoding="utf-8")
    assert manifest.count("2026-12-02T07:30:00Z") == 2


@pytest.mark.parametrize(
    ("link", "line"),
    [
        ("javascript:alert(1)", 6),
        ("JavaScript:alert(document.cookie)", 6),
        ("data:text/html,<script>alert(1)</script>", 6),
        ("pas une url", 6),
        ("https://", 6),
        ("//testbrand.fr/hiver", 6),
    ],
)
def test_a_link_that_is_not_a_web_address(basic: Path, link: str, line: int) -> None:
    edit(basic / POST, "link: https://testbrand.fr/hiver", f"link: '{link}'")
    assert_error(basic, f"{POST}:{line}: link: {link!r} is not a web address")


def test_a_javascript_link_in_a_channel_override(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-02 08:30", "link: javascript:alert(1)")
    assert_error(basic, f"{POST}:17: channels.linkedin-test.link: 'javascript:alert(1)'")


def test_a_key_written_twice(basic: Path) -> None:
    edit(basic / POST, "status: approved\n", "status: approved\npublish: 2026-12-04 09:00\n")
    assert_error(basic, f"{POST}:11: publish: written twice, on lines 3 and 11")


def test_a_key_written_twice_in_a_channel_override(basic: Path) -> None:
    edit(basic / POST, "  linkedin-test:\n", "  linkedin-test:\n    text: Un\n    text: Deux\n")
    assert_error(
        basic, f"{POST}:18: channels.linkedin-test.text: written twice, on lines 17 and 18"
    )


def test_a_post_that_links_to_nothing_is_a_warning(basic: Path) -> None:
    (basic / "posts/2026-12-20-lien.md").symlink_to(basic / "posts/gone.md")
    result = cli("build", "--root", str(basic))
    assert result.code == 1  # the site's own errors; the link itself is a warning
    line = next(x for x in result.out.splitlines() if "2026-12-20-lien.md" in x)
    assert "warning" in line and "link to a file that does not exist" in line, result.out
    again = cli("build", "--root", str(basic))  # nothing changed: the warning stays
    assert "2026-12-20-lien.md" in again.out
