"""Incremental builds: no change re-encodes nothing; a change re-renders exactly its images."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from tests.images.conftest import CHARTER, Run, job
from tests.images.sources import jpeg, picture, write

CHANNELS = ("x", "instagram", "pinterest")


def _jobs(repo: Path) -> list:  # type: ignore[type-arg]
    first = write(repo, "media/one.jpg", jpeg(picture((1600, 1200), 1)))
    second = write(repo, "media/two.jpg", jpeg(picture((1200, 1600), 2)))
    jobs = [job(s, p, post=f"posts/{Path(s).stem}.md") for s in (first, second) for p in CHANNELS]
    jobs.append(job(None, "instagram", title="Sans image", post="posts/card.md"))
    return jobs


def _times(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.jpg")}


def test_second_run_encodes_nothing(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    first = run(jobs)
    assert first.encoded == 7 and len(first.written) == 7
    before = _times(repo / "output")
    second = run(jobs)
    assert (second.encoded, second.written) == (0, ())
    assert second.media == first.media
    assert second.findings == first.findings  # warnings are remembered with the outputs
    assert second.unchanged == tuple(sorted(second.outputs))
    assert _times(repo / "output") == before


def test_touched_but_unchanged_source_renders_nothing(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    run(jobs)
    (repo / "media/one.jpg").write_bytes((repo / "media/one.jpg").read_bytes())
    assert run(jobs).encoded == 0


def test_changing_the_logo_renders_every_image_again(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    run(jobs)
    logo = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((0, 0, 399, 199), fill=(200, 30, 30, 255))
    logo.save(repo / "brand/assets/logo.png")
    result = run(jobs)
    assert result.encoded == 7 and len(result.written) == 7


def test_changing_one_photo_renders_only_its_variants(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    run(jobs)
    before = _times(repo / "output")
    write(repo, "media/two.jpg", jpeg(picture((1200, 1600), 99)))
    result = run(jobs)
    assert result.encoded == 3
    assert set(result.written) == {f"{c}-test/two-1.jpg" for c in CHANNELS}
    after = _times(repo / "output")
    assert {p for p in after if after[p] != before[p]} == set(result.written)


def test_changing_the_title_font_renders_only_title_cards(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    run(jobs)
    fonts = repo / "brand/assets/fonts"
    (fonts / "Other.ttf").write_bytes((fonts / "DejaVuSans-Bold.ttf").read_bytes() + b"\0")
    charter = {**CHARTER, "fonts": {"title": "brand/assets/fonts/Other.ttf"}}
    result = run(jobs, charter)
    assert result.encoded == 1 and result.written == ()  # same glyphs: same bytes, not rewritten


def test_changing_title_colours_renders_only_title_cards(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    run(jobs)
    charter = {**CHARTER, "images": {"title_color": "primary"}}
    result = run(jobs, charter)
    assert result.encoded == 1 and result.written == ("instagram-test/card-1.jpg",)


def test_channel_without_overlay_ignores_logo_changes(run: Run, repo: Path) -> None:
    source = write(repo, "media/one.jpg", jpeg(picture((1600, 1200), 1)))
    plain = job(source, "x", options=(("overlay", "false"),))
    run([plain])
    Image.new("RGBA", (100, 100), (9, 9, 9, 255)).save(repo / "brand/assets/logo.png")
    assert run([plain]).encoded == 0


def test_deleted_output_is_made_again(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    first = run(jobs)
    (repo / "output/x-test/one-1.jpg").unlink()
    result = run(jobs)
    assert result.written == ("x-test/one-1.jpg",)
    assert result.media == first.media


def test_outputs_no_longer_made_are_reported_stale_until_pruned(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    run(jobs)
    fewer = [j for j in jobs if j.platform != "pinterest"]
    result = run(fewer)
    assert result.stale == {"pinterest-test/one-1.jpg", "pinterest-test/two-1.jpg"}
    assert result.stale.isdisjoint(result.outputs)
    for path in result.stale:
        (repo / "output" / path).unlink()  # what the caller's prune does
    assert run(fewer).stale == frozenset()


def test_identical_outputs_are_encoded_once(run: Run, repo: Path) -> None:
    """Three LinkedIn channels with the same settings: one encode, three files."""
    source = write(repo, "media/one.jpg", jpeg(picture((1600, 1200), 1)))
    jobs = [job(source, "linkedin", channel=c) for c in ("li-a", "li-b", "li-c")]
    result = run(jobs)
    assert result.encoded == 1 and len(result.written) == 3
    assert len({m.sha256 for ms in result.media.values() for m in ms}) == 1


def test_parallel_and_serial_builds_give_the_same_bytes(run: Run, repo: Path) -> None:
    jobs = _jobs(repo)
    serial = run(jobs, workers=1)
    import shutil

    shutil.rmtree(repo / "output")
    parallel = run(jobs, workers=2)
    assert parallel.media == serial.media
