"""End-to-end builds of the test sites: golden trees, determinism, incremental rebuilds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cmbuild.build import build
from tests.golden_update import HERE, build_site
from tests.helpers import cli, edit, tree

SITES = sorted(p.name for p in (HERE / "sites").iterdir() if p.is_dir())


@pytest.mark.parametrize("name", SITES)
def test_golden(name: str, tmp_path: Path) -> None:
    """The whole output tree matches tests/golden/<site> (regenerate with `make golden`)."""
    produced = build_site(name, tmp_path)
    expected = tree(HERE / "golden" / name)
    assert sorted(produced) == sorted(expected)
    for relative, data in expected.items():
        assert produced[relative] == data, f"{relative} differs from tests/golden/{name}"


def test_same_inputs_give_byte_identical_outputs(basic: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    shutil.copytree(basic, other)
    build(basic, jobs=1)
    build(other, jobs=2)
    assert tree(basic / "output") == tree(other / "output")


def test_parallel_and_serial_builds_agree(basic: Path) -> None:
    serial = build(basic, basic / "serial", jobs=1)
    parallel = build(basic, basic / "parallel", jobs=2)
    assert tree(basic / "serial") == tree(basic / "parallel")
    assert serial.summary == parallel.summary


def test_noop_rebuild_writes_nothing(basic: Path) -> None:
    first = build(basic)
    assert first.written
    second = build(basic)
    assert second.noop
    assert second.written == ()
    assert second.summary == first.summary


def test_touching_a_file_without_changing_it_rewrites_nothing(basic: Path) -> None:
    build(basic)
    post = basic / "posts/2026-12-05-conseil.md"
    post.write_bytes(post.read_bytes())
    again = build(basic)
    assert not again.noop
    assert again.written == ()
    assert again.rendered == 0


def test_editing_one_post_rerenders_only_that_post(basic: Path) -> None:
    build(basic)
    edit(basic / "posts/2026-12-05-conseil.md", "adaptez le ton", "adaptez le ton, le format")
    again = build(basic)
    assert again.rendered == 1
    assert sorted(again.written) == [
        "calendar.ics",
        "manifest.json",
        "mastodon-test/2026-12-05-conseil.txt",
        "preview/posts/2026-12-05-conseil.html",  # the post's preview page; the calendar
        "x-test/2026-12-05-conseil.txt",  # shows titles only, so index.html is unchanged
    ]


def test_editing_a_template_rerenders_every_post(basic: Path) -> None:
    first = build(basic)
    edit(basic / "brand/templates/linkedin.j2", "→", "👉")
    again = build(basic)
    assert again.rendered == first.rendered
    assert "linkedin-test/2026-12-01-lancement.txt" in again.written


def test_changing_an_image_rerenders_its_posts(basic: Path) -> None:
    build(basic)
    before = json.loads((basic / "output/manifest.json").read_text())
    from PIL import Image

    Image.new("RGB", (800, 400), "red").save(basic / "media/photo.jpg")
    again = build(basic)
    assert again.rendered == 2  # the two posts that use it
    after = json.loads((basic / "output/manifest.json").read_text())
    old = {v["id"]: [m["sha256"] for m in v["media"]] for v in before["variants"]}
    for variant in after["variants"]:
        if variant["media"]:
            assert [m["sha256"] for m in variant["media"]] != old[variant["id"]]
            assert all(m["width"] <= 800 for m in variant["media"])


def test_removed_post_outputs_are_pruned(basic: Path) -> None:
    build(basic)
    assert (basic / "output/x-test/2026-12-05-conseil.txt").exists()
    (basic / "posts/2026-12-05-conseil.md").unlink()
    again = build(basic)
    assert "x-test/2026-12-05-conseil.txt" in again.pruned
    assert not (basic / "output/x-test/2026-12-05-conseil.txt").exists()


def test_deleted_output_is_restored(basic: Path) -> None:
    build(basic)
    (basic / "output/x-test/2026-12-05-conseil.txt").unlink()
    again = build(basic)
    assert not again.noop
    assert (basic / "output/x-test/2026-12-05-conseil.txt").exists()


def test_files_not_produced_by_cmbuild_are_left_alone(basic: Path) -> None:
    build(basic)
    mine = basic / "output/notes.txt"
    mine.write_text("mine")
    edit(basic / "posts/2026-12-05-conseil.md", "adaptez", "adaptez bien")
    build(basic)
    assert mine.read_text() == "mine"


def test_drafts_are_built_but_not_in_the_manifest(basic: Path) -> None:
    result = build(basic)
    assert (basic / "output/linkedin-test/2026-12-10-brouillon.txt").exists()
    manifest = json.loads((basic / "output/manifest.json").read_text())
    assert all(v["source"] != "posts/2026-12-10-brouillon.md" for v in manifest["variants"])
    assert result.summary.drafts == (
        ("posts/2026-12-10-brouillon.md", "Brouillon : bilan de l’année"),
    )
    assert (
        "UID:" + _id("posts/2026-12-10-brouillon.md", "linkedin-test")
        not in (basic / "output/calendar.ics").read_text()
    )


def test_check_writes_nothing(basic: Path) -> None:
    result = cli("check", "--root", str(basic))
    assert result.code in (0, 1)
    assert not (basic / "output").exists()


def test_cli_summary_and_json(basic: Path) -> None:
    result = cli("build", "--root", str(basic))
    assert "x-test" in result.out and "variants" in result.out
    again = cli("build", "--root", str(basic), "--json")
    data = json.loads(again.out)
    assert data["build"]["noop"] is True
    assert data["posts"] == 5
    assert {c["name"] for c in data["channels"]} >= {"x-test", "blog"}


def _id(source: str, channel: str) -> str:
    from cmbuild.render.variant import variant_id

    return variant_id(source, channel)


def test_outputs_are_readable_by_everyone_like_any_new_file(basic: Path) -> None:
    import os
    import stat

    previous = os.umask(0o022)
    try:
        build(basic)
    finally:
        os.umask(previous)
    for name in ("manifest.json", "calendar.ics", "x-test/2026-12-05-conseil.txt"):
        assert stat.S_IMODE((basic / "output" / name).stat().st_mode) == 0o644, name


def test_readme_and_underscore_files_in_posts_are_not_posts(basic: Path) -> None:
    (basic / "posts/README.md").write_text("# How we write\n", encoding="utf-8")
    (basic / "posts/_idea.md").write_text("an idea, no front matter\n", encoding="utf-8")
    (basic / "posts/_archive").mkdir()
    (basic / "posts/_archive/old.md").write_text("old\n", encoding="utf-8")
    assert build(basic).summary.posts == 5


def test_no_preview_skips_and_removes_the_preview_and_is_not_a_noop(basic: Path) -> None:
    build(basic)
    assert (basic / "output/index.html").exists()
    without = build(basic, preview=False)
    assert not without.noop
    assert not (basic / "output/index.html").exists()
    assert (basic / "output/manifest.json").exists()
    again = build(basic)
    assert not again.noop
    assert (basic / "output/index.html").exists()
