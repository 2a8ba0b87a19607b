"""Every kind of bad input gets a clear error (file:line: key: message), exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli, edit, tree

POST = "posts/2026-12-01-lancement.md"


def build(root: Path) -> tuple[int, str]:
    result = cli("build", "--root", str(root))
    assert "Traceback" not in result.err + result.out
    return result.code, result.err


def assert_error(root: Path, expected: str) -> None:
    before = tree(root / "output") if (root / "output").exists() else {}
    code, err = build(root)
    assert code == 2, err
    assert expected in err, err
    assert "nothing was written" in err
    after = tree(root / "output") if (root / "output").exists() else {}
    assert after == before


def test_malformed_yaml(basic: Path) -> None:
    edit(basic / POST, "campaign: hiver", "campaign: [hiver")
    assert_error(basic, f"{POST}:4: invalid YAML front matter")


def test_yaml_that_is_not_a_mapping(basic: Path) -> None:
    (basic / "posts/list.md").write_text("---\n- a\n- b\n---\nBody\n", encoding="utf-8")
    assert_error(basic, "posts/list.md:2: the front matter must be key: value pairs")


def test_file_without_front_matter(basic: Path) -> None:
    (basic / "posts/nofm.md").write_text("Just text\n", encoding="utf-8")
    assert_error(basic, "posts/nofm.md:1: no front matter")


def test_post_with_no_channels(basic: Path) -> None:
    edit(basic / "posts/2026-12-05-conseil.md", "channels: [x-test, mastodon-test]", "channels: []")
    assert_error(basic, "posts/2026-12-05-conseil.md:7: channels: the post has no channels")


def test_post_missing_channels_key(basic: Path) -> None:
    edit(basic / "posts/2026-12-05-conseil.md", "channels: [x-test, mastodon-test]\n", "")
    assert_error(basic, "posts/2026-12-05-conseil.md:2: channels: missing")


def test_unknown_channel(basic: Path) -> None:
    edit(basic / "posts/2026-12-05-conseil.md", "[x-test, mastodon-test]", "[x-test, tiktok-test]")
    assert_error(
        basic, "posts/2026-12-05-conseil.md:7: channels.tiktok-test: unknown channel 'tiktok-test'"
    )


def test_unknown_channel_in_a_map(basic: Path) -> None:
    edit(basic / POST, "  bluesky-test:\n", "  bluesky-tset:\n")
    assert_error(basic, f"{POST}:14: channels.bluesky-tset: unknown channel 'bluesky-tset'")


def test_unknown_platform(basic: Path) -> None:
    edit(basic / "channels.toml", 'platform = "bluesky"', 'platform = "myspace"')
    assert_error(
        basic, "channels.toml:17: channels.bluesky-test.platform: unknown platform 'myspace'"
    )


def test_no_zone_anywhere(basic: Path) -> None:
    edit(basic / "channels.toml", 'timezone = "Europe/Paris"\n', "")
    assert_error(basic, f"{POST}:3: publish: 2026-12-01 09:00 has no time zone")


def test_nonexistent_local_time(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", "publish: 2026-03-29 02:30")
    assert_error(
        basic,
        f"{POST}:3: publish: 2026-03-29 02:30 does not exist in Europe/Paris "
        "(clocks go forward from 02:00 to 03:00)",
    )


def test_ambiguous_local_time(basic: Path) -> None:
    edit(basic / POST, "    publish: 2026-12-02 08:30", "    publish: 2026-10-25 02:30")
    assert_error(
        basic,
        f"{POST}:17: channels.linkedin-test.publish: "
        "2026-10-25 02:30 happens twice in Europe/Paris",
    )


def test_missing_template(basic: Path) -> None:
    (basic / "brand/templates/bluesky.j2").unlink()
    assert_error(
        basic,
        "channels.toml:16: channels.bluesky-test.template: "
        "template brand/templates/bluesky.j2 not found",
    )


def test_jinja_syntax_error(basic: Path) -> None:
    edit(basic / "brand/templates/linkedin.j2", "{{ post.title }}", "{{ post.title }")
    assert_error(basic, "brand/templates/linkedin.j2:1: template syntax error: unexpected '}'")


def test_jinja_undefined_variable(basic: Path) -> None:
    edit(basic / "brand/templates/linkedin.j2", "{{ post.title }}", "{{ post.titel }}")
    assert_error(basic, "brand/templates/linkedin.j2:1: 'dict object' has no attribute 'titel'")


def test_missing_image(basic: Path) -> None:
    edit(basic / POST, "path: media/photo.jpg", "path: media/absent.jpg")
    assert_error(basic, f"{POST}:8: image: image 'media/absent.jpg' not found")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "./../../../etc/passwd"])
def test_image_outside_the_repository(basic: Path, path: str) -> None:
    edit(basic / POST, "path: media/photo.jpg", f"path: {path}")
    assert_error(basic, f"{POST}:8: image: image path '{path}' points outside the repository")


def test_invalid_toml_in_channels(basic: Path) -> None:
    edit(basic / "channels.toml", 'platform = "x"', 'platform = "x')
    assert_error(basic, "channels.toml:8: invalid TOML")


def test_invalid_toml_in_charter(basic: Path) -> None:
    edit(basic / "brand/charter.toml", "max = 3", "max = = 3")
    assert_error(basic, "brand/charter.toml:15: invalid TOML")


def test_wrong_type_in_charter(basic: Path) -> None:
    edit(basic / "brand/charter.toml", "max = 3", 'max = "three"')
    assert_error(basic, "brand/charter.toml:15: hashtags.max: expected a whole number, got 'three'")


def test_unknown_key_in_channels_is_an_error(basic: Path) -> None:
    edit(basic / "channels.toml", 'handle = "@TestBrand"', 'handel = "@TestBrand"')
    assert_error(basic, "channels.toml:9: channels.x-test.handel: unknown key")


def test_bad_status(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: published")
    assert_error(basic, f"{POST}:10: status: expected one of 'draft', 'review' or 'approved'")


def test_every_error_is_reported_at_once(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: published")
    edit(basic / "posts/2026-12-05-conseil.md", "[x-test, mastodon-test]", "[x-test, nope]")
    code, err = build(basic)
    assert code == 2
    assert "status:" in err and "unknown channel 'nope'" in err
    assert "2 input error(s)" in err


def test_a_bad_edit_after_a_good_build_leaves_the_output_intact(basic: Path) -> None:
    code, err = build(basic)
    assert code in (0, 1), err
    before = tree(basic / "output")
    assert before
    edit(basic / POST, "campaign: hiver", "campaign: [hiver")
    assert_error(basic, "invalid YAML front matter")
    assert tree(basic / "output") == before


def test_unknown_front_matter_key_is_a_warning(basic: Path) -> None:
    edit(basic / POST, "status: approved", "status: approved\npublsh: 2026-12-01")
    result = cli("build", "--root", str(basic))
    assert result.code in (0, 1)
    assert (
        f"{POST}:11: warning: unknown key 'publsh' is ignored (did you mean 'publish'?) "
        "(post.unknown-key)"
    ) in result.out


def test_impossible_date(basic: Path) -> None:
    edit(basic / POST, "publish: 2026-12-01 09:00", "publish: 2026-13-45")
    assert_error(basic, f"{POST}:3: invalid value '2026-13-45' in the front matter")
