"""preview/slots.html: the slots `cmbuild slots` ranks, each channel's heatmap, defaults noted."""

from __future__ import annotations

import json
from pathlib import Path

from cmbuild.build import build
from tests.helpers import cli, tree
from tests.planning.history import write_posts
from tests.planning.test_cli import site
from tests.preview.dom import Node, parse


def _built(root: Path, out: Path) -> Node:
    run = cli("build", "-C", str(root), "-o", str(out))  # with the clock of CMBUILD_NOW
    assert run.code in (0, 1), run.err
    return parse((out / "preview" / "slots.html").read_text(encoding="utf-8"))


def test_each_channel_shows_the_slots_cmbuild_slots_ranks(tmp_path: Path) -> None:
    root = site(tmp_path / "site")
    page = _built(root, tmp_path / "out")
    ranked = json.loads(cli("slots", "-C", str(root), "--json").out)["channels"]
    sections = page.find_all("section", cls="slots-channel")
    assert [s.attrs["id"] for s in sections] == [f"slots-{c['channel']}" for c in ranked]
    for section, channel in zip(sections, ranked, strict=True):
        rows = [
            [td.text() for td in tr.find_all("td")]
            for tr in section.find("table", cls="slots-top").find("tbody").find_all("tr")
        ]
        expected = [
            [str(rank), s["at"], f"{s['score']:.2f}", f"{s['confidence']:.2f}", str(s["posts"])]
            for rank, s in enumerate(channel["slots"][:5], start=1)
        ]
        assert [row[:5] for row in rows] == expected
        assert section.find("figure", cls="chart").find("svg")  # the heatmap
    bsky, quiet = sections
    assert bsky.find_all("strong", cls="slots-defaults") == []
    assert "16 weeks to 2026-01-01 00:00 UTC" in page.find("p", cls="lead").text()
    assert "Defaults used" in quiet.text() and "the bluesky defaults" in quiet.text()
    assert "no metrics for quiet in the last 16 weeks" in quiet.find("p", cls="slots-note").text()


def test_the_same_stores_give_the_same_page(tmp_path: Path) -> None:
    root = site(tmp_path / "site")
    first = (
        tmp_path / "one" / "preview" / "slots.html",
        tmp_path / "two" / "preview" / "slots.html",
    )
    _built(root, tmp_path / "one")
    _built(root, tmp_path / "two")
    assert first[0].read_bytes() == first[1].read_bytes()
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_build_without_a_clock_says_how_to_get_the_slots(tmp_path: Path) -> None:
    root = site(tmp_path / "site")
    build(root, tmp_path / "out", jobs=1)
    page = parse((tmp_path / "out" / "preview" / "slots.html").read_text(encoding="utf-8"))
    assert page.find_all("section", cls="slots-channel") == []
    assert "built without a clock" in page.find("p", cls="empty").text()


def test_new_metrics_make_the_next_build_redraw_the_page(tmp_path: Path) -> None:
    root = site(tmp_path / "site", history=False)
    before = _built(root, tmp_path / "out")
    assert "Defaults used" in before.find("section", id="slots-bsky").text()
    site(tmp_path / "other")  # the planted history, copied in as `cmbuild collect` would add it
    (root / "state").mkdir(exist_ok=True)
    for path in (tmp_path / "other" / "state").rglob("*.jsonl"):
        target = root / "state" / path.relative_to(tmp_path / "other" / "state")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    after = _built(root, tmp_path / "out")
    bsky = after.find("section", id="slots-bsky")
    assert "Defaults used" not in bsky.text()
    best = bsky.find("table", cls="slots-top").find("tbody").find("tr").find_all("td")
    assert [td.text() for td in best[:3]] == ["1", "Tue 12:00", "1.00"]


def test_a_long_running_process_scores_again_only_when_the_stores_change(tmp_path: Path) -> None:
    from datetime import datetime

    from cmbuild.incremental.memo import Memo
    from tests.helpers import edit

    root, memo = site(tmp_path / "site"), Memo()
    now = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    build(root, tmp_path / "out", jobs=1, memo=memo, now=now)
    (first,) = memo.slots.values()
    assert first.channels[0].top[0].label == "Tue 12:00"
    edit(root / "posts" / "2026-01-04-nuit.md", "milieu de la nuit", "cœur de la nuit")
    assert not build(root, tmp_path / "out", jobs=1, memo=memo, now=now).noop
    (kept,) = memo.slots.values()
    assert kept is first  # a post edit: the same stores, the same day, not scored again
    write_posts(root / "state", "quiet", [(now.replace(year=2025, month=12, day=2), 5)])
    build(root, tmp_path / "out", jobs=1, memo=memo, now=now)
    (scored,) = memo.slots.values()
    assert scored is not first and scored.channels[1].posts == 1
