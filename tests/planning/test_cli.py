"""`cmbuild slots` and the check warning on a real content repository and the real stores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cmbuild.stores import activity
from cmbuild.stores.activity import Activity
from tests.helpers import cli
from tests.planning.history import local_times, write_posts

TUE_12 = 1 * 24 + 12
OTHERS = (0 * 24 + 9, 2 * 24 + 18, 3 * 24 + 9)
SUN_03 = 6 * 24 + 3

CHANNELS = """
[defaults]
timezone = "Europe/Paris"
slots = ["09:00", "18:00"]

[channels.bsky]
platform = "bluesky"
slots = ["09:00"]   # the morning

[channels.quiet]
platform = "bluesky"
"""

POST = """---
title: "Un post de nuit"
publish: 2026-01-04 03:00
status: approved
channels:
  bsky: {}
---
Un post publié au milieu de la nuit.
"""


def site(root: Path, history: bool = True) -> Path:
    (root / "brand" / "templates").mkdir(parents=True)
    (root / "brand" / "templates" / "bluesky.j2").write_text("{{ body }}\n", encoding="utf-8")
    (root / "channels.toml").write_text(CHANNELS, encoding="utf-8")
    (root / "posts").mkdir()
    (root / "posts" / "2026-01-04-nuit.md").write_text(POST, encoding="utf-8")
    if history:
        posts = [(t, 40) for t in local_times(TUE_12, 16, "Europe/Paris")]
        for cell in OTHERS:
            posts += [(t, 10) for t in local_times(cell, 16, "Europe/Paris")]
        posts += [(t, 0) for t in local_times(SUN_03, 16, "Europe/Paris")]
        write_posts(root / "state", "bsky", posts)
    return root


def test_slots_ranks_the_planted_hour_first_with_its_confidence(tmp_path: Path) -> None:
    root = site(tmp_path)
    run = cli("slots", "-C", str(root), "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    bsky, quiet = data["channels"]
    assert bsky["slots"][0]["at"] == "Tue 12:00" and bsky["slots"][0]["score"] == 1.0
    assert bsky["slots"][0]["posts"] == 16 and bsky["enough_data"]
    assert quiet["posts"] == 0 and "no metrics for quiet" in quiet["notes"][0]
    assert quiet["slots"][0]["confidence"] == 0
    assert cli("slots", "-C", str(root), "--json").out == run.out  # same data, same answer
    text = cli("slots", "-C", str(root), "--channel", "bsky", "--top", "3").out
    assert "1  Tue 12:00  score 1.00  confidence 0.80  (16 posts, 0 interactions)" in text


def test_propose_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    root = site(tmp_path)
    before = (root / "channels.toml").read_bytes()
    run = cli("slots", "-C", str(root), "--propose")
    assert run.code == 0, run.err
    assert (root / "channels.toml").read_bytes() == before
    assert run.out.startswith("--- a/channels.toml\n+++ b/channels.toml\n")
    assert '-slots = ["09:00"]   # the morning\n' in run.out
    block = run.out.split("[channels.quiet]")[0]
    added = [line for line in block.splitlines() if line.startswith("+    {")]
    assert added[0] == '+    { at = "Tue 12:00", score = 1.00 },'
    assert len([a for a in added if "explore" not in a]) == 7  # one daily slot: 7 a week
    assert any("# explore" in a for a in added)
    # `quiet` has no slots line of its own: one is added under its table.
    assert "[channels.quiet]\n+slots = [" in run.out


def test_check_warns_of_a_post_fixed_in_a_weak_hour_naming_a_better_one(tmp_path: Path) -> None:
    root = site(tmp_path)
    run = cli("check", "-C", str(root), "--json")
    findings = [f for f in json.loads(run.out)["findings"] if f["rule"] == "schedule.weak-slot"]
    assert len(findings) == 1, run.out
    (finding,) = findings
    assert finding["file"] == "posts/2026-01-04-nuit.md" and finding["line"] == 3
    assert finding["channel"] == "bsky" and finding["severity"] == "warning"
    assert "Sun 03:00 (Europe/Paris) is among bsky's weakest hours" in finding["message"]
    assert "best of the week: Tue 12:00, 1.00" in finding["hint"]


def test_check_says_nothing_without_enough_data(tmp_path: Path) -> None:
    root = site(tmp_path, history=False)
    write_posts(root / "state", "bsky", [(t, 0) for t in local_times(SUN_03, 5, "Europe/Paris")])
    run = cli("check", "-C", str(root), "--json")
    assert all(f["rule"] != "schedule.weak-slot" for f in json.loads(run.out)["findings"])


def test_bad_input_is_named(tmp_path: Path) -> None:
    root = site(tmp_path)
    run = cli("slots", "-C", str(root), "--channel", "bksy")
    assert run.code == 2
    assert "channels.toml: --channel bksy: no such channel (did you mean 'bsky'?)" in run.err
    for weeks in ("0", "-3", "999"):
        run = cli("slots", "-C", str(root), "--weeks", weeks)
        assert run.code == 2 and "--weeks: " in run.err and "from 1 to 260" in run.err
    assert cli("slots", "-C", str(root), "--weeks", "many").code == 2


def test_activity_counts_in_the_score_and_a_torn_line_is_named(tmp_path: Path) -> None:
    root = site(tmp_path, history=False)
    times = local_times(4 * 24 + 20, 16, "Europe/Paris")  # Fri 20:15
    items = [
        Activity("quiet", "bluesky", f"at://like/{i}/{n}", "like", t, "test")
        for i, t in enumerate(times)
        for n in range(15)
    ]
    assert activity.append_activity(root / "state", items) == len(items)
    assert activity.append_activity(root / "state", items) == 0  # dedup by key
    month = sorted((root / "state" / "activity").glob("*.jsonl"))[-1]
    with month.open("ab") as handle:
        handle.write(b'{"channel": "quiet", "platf')
    run = cli("slots", "-C", str(root), "--channel", "quiet", "--json")
    assert run.code == 0
    (quiet,) = json.loads(run.out)["channels"]
    assert quiet["interactions"] == len(items) and quiet["slots"][0]["at"] == "Fri 20:00"
    assert f"state/activity/{month.name}:" in run.err and "cut short" in run.err


def test_the_report_shows_the_heatmap_of_a_channel_with_enough_data(tmp_path: Path) -> None:
    root = site(tmp_path)
    run = cli("report", "-C", str(root), "--period", "2025-12")
    assert run.code == 0, run.err
    page = root / "output" / "report" / "2025-12" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert '<div class="chart" id="slots-bsky"><svg' in html
    assert "bsky: score by hour (Europe/Paris)" in html
    assert 'id="slots-quiet"' not in html  # no data of its own: no map of the defaults
    first = page.read_bytes()
    page.unlink()
    shutil.rmtree(root / "output" / ".cmbuild")  # drawn again, not read from the cache
    assert cli("report", "-C", str(root), "--period", "2025-12").code == 0
    assert page.read_bytes() == first
