"""`repeat:`: every occurrence of a background post placed under the rules, each a variant."""

from __future__ import annotations

import json
from pathlib import Path

from cmbuild.manifest.reader import read_manifest
from cmbuild.render.variant import variant_id
from cmbuild.schedule.queue import Rules
from cmbuild.schedule.slots import Request, schedule_plan
from tests.helpers import cli, edit
from tests.schedule.test_queue import channel, local

TIP = "posts/2026-12-05-conseil.md"


def tip(first: str, weeks: int, until: str, name: str = "x") -> Request:
    return Request(
        "posts/tip.md", name, first, None, 3, "publish", queued=True,
        repeat_weeks=weeks, repeat_until=until,
    )  # fmt: skip


def test_every_occurrence_is_placed_under_the_rules_golden() -> None:
    channels = {
        "x": channel("x", slots=("09:00", "18:00"), max_per_day=1, country="FR"),
        "y": channel("y", slots=("09:00",)),
    }
    requests = [
        tip("2026-12-18", 1, "2027-01-08"),
        Request("posts/fixed.md", "x", "2026-12-18 09:00", None, 3, "publish"),
        Request("posts/launch.md", "y", "2027-01-08 10:00", None, 3, "publish", event=True),
    ]
    times, plan = schedule_plan(requests, channels, Rules())
    placed = {
        occurrence: (local(p.when), p.reason)
        for (source, _, occurrence), p in plan.placed.items()
        if source == "posts/tip.md"
    }
    assert placed == {
        0: ("2026-12-19 09:00", "best free slot: 09:00; moved on: 2026-12-18 is full (1 a day)"),
        1: ("2026-12-26 09:00", "best free slot: 09:00; moved on: 2026-12-25 is a public holiday"),
        2: ("2027-01-02 09:00", "best free slot: 09:00; moved on: 2027-01-01 is a public holiday"),
    }
    assert local(times["posts/tip.md"]["x"]) == "2026-12-19 09:00"  # the first is the post's time
    # The fourth may not be moved past `until`, and the event's blackout takes that day: named.
    (finding,) = plan.findings
    assert (finding.file, finding.line, finding.severity) == ("posts/tip.md", 3, "error")
    assert finding.message == (
        "not placed on x (recurrence 4): no free slot from 2027-01-08 to 2027-01-08 "
        "(1 days in an event's blackout)"
    )
    assert finding.hint is not None and "shorten blackout_hours" in finding.hint


def test_a_recurrence_moves_to_a_free_day_but_never_past_until() -> None:
    channels = {"x": channel("x", slots=("09:00",), max_per_day=1)}
    other = Request(
        "posts/other.md", "x", "2026-12-07", None, 3, "publish", queued=True,
        repeat_weeks=1, repeat_until="2026-12-21",
    )  # fmt: skip
    requests = [tip("2026-12-07", 1, "2026-12-21"), other]
    _, plan = schedule_plan(requests, channels, Rules())
    days = {key: local(p.when)[:10] for key, p in plan.placed.items()}
    assert days == {
        ("posts/other.md", "x", 0): "2026-12-07",  # posts in path order: other.md first
        ("posts/other.md", "x", 1): "2026-12-14",
        ("posts/other.md", "x", 2): "2026-12-21",
        ("posts/tip.md", "x", 0): "2026-12-08",
        ("posts/tip.md", "x", 1): "2026-12-15",
    }
    (finding,) = plan.findings  # the third of tip.md: 2026-12-21 is full and is its `until`
    assert finding.file == "posts/tip.md"
    assert finding.message == (
        "not placed on x (recurrence 3): no free slot from 2026-12-21 to 2026-12-21 (1 days full)"
    )


def test_a_build_makes_one_variant_per_occurrence(basic: Path) -> None:
    repeat = "kind: evergreen\nrepeat:\n  every: 2 weeks\n  until: 2027-01-31"
    edit(basic / TIP, "publish: 2026-12-05", "publish: 2026-12-05\n" + repeat)
    result = cli("build", "--root", str(basic))
    assert result.code in (0, 1), result.err
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    mine = {v["id"]: v for v in manifest["variants"] if v["source"] == TIP}
    for name in ("x-test", "mastodon-test"):
        first = variant_id(TIP, name)
        ids = [first] + [f"{first}-r{n}" for n in range(2, 6)]  # 12-05, 12-19, 01-02, 01-16, 01-30
        assert [i for i in ids if i in mine] == ids
        days = [mine[i]["scheduled_local"][:10] for i in ids]
        assert days == ["2026-12-05", "2026-12-19", "2027-01-02", "2027-01-16", "2027-01-30"]
        assert mine[ids[1]]["key"] == f"{TIP}#{name}-r2"
        assert mine[ids[1]]["output"] == f"{name}/2026-12-05-conseil-r2.txt"
        assert all(mine[i]["plan"].startswith(("best free slot", "2nd choice")) for i in ids)
        assert all((basic / "output" / mine[i]["output"]).is_file() for i in ids)
    # What push reads: every occurrence is a variant of its own, due at its own time.
    entries = read_manifest(basic / "output/manifest.json", "output/manifest.json")
    assert {e.id for e in entries if e.source == TIP} == set(mine)
    calendar = (basic / "output/calendar.ics").read_text(encoding="utf-8").replace("\r\n ", "")
    assert all(f"UID:{i}" in calendar for i in mine)
    preview = (basic / "output/index.html").read_text(encoding="utf-8")
    assert all(f'title="{v["plan"]}"' in preview for v in mine.values())
