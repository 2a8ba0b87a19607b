"""The queue: background posts placed into free slots under each rule, and never against one."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from cmbuild.model import Channel, QueueRules, Utm
from cmbuild.schedule.queue import Rules, Wanted, place
from cmbuild.schedule.slots import Request, schedule_plan
from tests.helpers import cli, edit

PARIS = ZoneInfo("Europe/Paris")


def channel(
    name: str = "x",
    slots: tuple[str, ...] = ("09:00", "12:30", "18:00"),
    scores: tuple[float | None, ...] = (),
    **queue: object,
) -> Channel:
    rules = QueueRules(**queue)  # type: ignore[arg-type]
    return Channel(
        name, "x", "x.j2", "Europe/Paris", "fr", None, Utm("x"), slots=slots,
        slot_scores=scores, queue=rules,
    )  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def want(source: str, first: str = "2026-12-07", name: str = "x", **extra: object) -> Wanted:
    return Wanted(source, name, date.fromisoformat(first), 3, **extra)  # type: ignore[arg-type]


def local(plan_when: datetime) -> str:
    return plan_when.strftime("%Y-%m-%d %H:%M")


def test_the_best_free_slot_is_taken_and_says_so() -> None:
    chan = channel(slots=("Mon 12:30", "09:00"), scores=(0.82, 0.5))
    plan = place([want("posts/a.md")], {}, {"x": chan}, Rules())
    placed = plan.placed[("posts/a.md", "x", 0)]
    assert local(placed.when) == "2026-12-07 12:30"  # a Monday
    assert placed.reason == "best free slot: Mon 12:30, score 0.82"


def test_a_taken_slot_gives_the_next_choice_with_the_reason() -> None:
    chan = channel(slots=("09:00", "12:30", "18:00"), min_gap_hours=0)
    fixed = {"posts/fixed.md": {"x": at("2026-12-07 09:00")}}
    plan = place([want("posts/a.md")], fixed, {"x": chan}, Rules())
    placed = plan.placed[("posts/a.md", "x", 0)]
    assert local(placed.when) == "2026-12-07 12:30"
    assert placed.reason == "2nd choice: 12:30; 09:00 taken"


def test_min_gap_keeps_posts_apart() -> None:
    chan = channel(slots=("09:00", "10:00", "18:00"), min_gap_hours=3)
    fixed = {"posts/fixed.md": {"x": at("2026-12-07 09:00")}}
    plan = place([want("posts/a.md")], fixed, {"x": chan}, Rules())
    placed = plan.placed[("posts/a.md", "x", 0)]
    assert local(placed.when) == "2026-12-07 18:00"
    assert "10:00 within 3 h of another post" in placed.reason


def test_a_full_day_moves_the_post_to_the_next_day_and_says_where() -> None:
    chan = channel(max_per_day=1, min_gap_hours=0)
    fixed = {"posts/fixed.md": {"x": at("2026-12-07 18:00")}}
    plan = place([want("posts/a.md")], fixed, {"x": chan}, Rules())
    placed = plan.placed[("posts/a.md", "x", 0)]
    assert local(placed.when) == "2026-12-08 09:00"
    assert "moved on: 2026-12-07 is full (1 a day)" in placed.reason


def test_blackout_around_an_event() -> None:
    chan = channel(blackout_hours=24)
    rules = Rules(events=[at("2026-12-07 12:00")])
    plan = place([want("posts/a.md")], {}, {"x": chan}, rules)
    assert local(plan.placed[("posts/a.md", "x", 0)].when) == "2026-12-08 12:30"


def test_public_holidays_of_the_country_are_skipped() -> None:
    chan = channel(country="FR")
    plan = place([want("posts/a.md", first="2026-12-25")], {}, {"x": chan}, Rules())
    placed = plan.placed[("posts/a.md", "x", 0)]
    assert local(placed.when) == "2026-12-26 09:00"
    assert "2026-12-25 is a public holiday" in placed.reason


def test_halted_campaign_is_not_placed_and_is_listed() -> None:
    rules = Rules(halted={"campaign tips": "crisis"})
    plan = place([want("posts/a.md", campaign="tips")], {}, {"x": channel()}, rules)
    assert not plan.placed
    (finding,) = plan.findings
    assert finding.message == "not placed on x: campaign tips is halted (crisis)"
    assert (finding.file, finding.line) == ("posts/a.md", 3)


def test_complementarity_keeps_the_same_text_apart_across_channels() -> None:
    channels = {"x": channel("x"), "y": channel("y")}
    plan = place(
        [want("posts/a.md", name="x"), want("posts/a.md", name="y")], {}, channels, Rules()
    )
    gap = plan.placed[("posts/a.md", "y", 0)].when - plan.placed[("posts/a.md", "x", 0)].when
    assert gap > timedelta(hours=24)
    exempt = place(
        [want("posts/a.md", name="x"), want("posts/a.md", name="y")],
        {},
        channels,
        Rules(exempt=(("x", "y"),)),
    )
    assert exempt.placed[("posts/a.md", "y", 0)].when == exempt.placed[("posts/a.md", "x", 0)].when


def test_posts_beyond_the_horizon_are_findings_never_dropped() -> None:
    chan = channel(slots=("09:00",), horizon_weeks=1)
    wanted = [want(f"posts/{n:02}.md") for n in range(9)]
    plan = place(wanted, {}, {"x": chan}, Rules())
    assert len(plan.placed) == 7
    assert [f.file for f in plan.findings] == ["posts/07.md", "posts/08.md"]
    assert "no free slot from 2026-12-07 to 2026-12-13" in plan.findings[0].message


def test_the_build_schedule_places_queued_dated_posts_instead_of_failing() -> None:
    chan = channel(slots=("09:00",), min_gap_hours=0)
    requests = [
        Request("posts/a.md", "x", "2026-12-07", None, 3, "publish"),
        Request("posts/b.md", "x", "2026-12-07", None, 3, "publish", queued=True),
        Request("posts/e.md", "x", "2026-12-09 09:00", None, 3, "publish", event=True),
    ]
    times, plan = schedule_plan(requests, {"x": chan}, Rules())
    assert local(times["posts/a.md"]["x"]) == "2026-12-07 09:00"
    # The 8th is full of nothing but is within 24 h of the event on the 9th: the 10th is not.
    assert local(times["posts/b.md"]["x"]) == "2026-12-11 09:00"
    assert not plan.findings


_DAY = st.sampled_from(["2026-12-07", "2026-12-08", "2026-12-10", "2026-12-14"])
_REPEAT = st.sampled_from([(0, None), (1, "2026-12-21"), (2, "2027-01-04"), (1, "2026-12-08")])


@settings(max_examples=60, deadline=None)
@given(
    wanted=st.lists(
        st.tuples(_DAY, st.sampled_from(["x", "y"]), st.integers(0, 5), _REPEAT), max_size=25
    ),
    events=st.lists(st.sampled_from(["2026-12-08 12:00", "2026-12-11 18:00"]), max_size=2),
    most=st.integers(1, 3),
    gap=st.sampled_from([0.0, 2.0, 4.0]),
)
def test_no_placement_breaks_a_rule(
    wanted: list[tuple[str, str, int, tuple[int, str | None]]],
    events: list[str],
    most: int,
    gap: float,
) -> None:
    queue = {"max_per_day": most, "min_gap_hours": gap, "blackout_hours": 12, "horizon_weeks": 2}
    channels = {n: channel(n, ("09:00", "11:00", "12:30", "18:00"), **queue) for n in "xy"}
    asks = {(name, n): (day, repeat) for day, name, n, repeat in wanted}  # one per (post, channel)
    requests = [
        Request(f"posts/{n}.md", name, day, None, 3, "publish", queued=True,
                repeat_weeks=weeks, repeat_until=until if day <= (until or day) else None)
        for (name, n), (day, (weeks, until)) in asks.items()
    ]  # fmt: skip
    requests += [
        Request(f"posts/event-{n}.md", "x", e, None, 3, "publish", event=True)
        for n, e in enumerate(events)
    ]
    instants = [at(e) for e in events]
    times, plan = schedule_plan(requests, channels, Rules(window_hours=6))
    expected = _asked(requests)
    left = {(f.file, f.channel) for f in plan.findings}
    assert set(plan.placed) <= set(expected)
    assert {k[:2] for k in expected.keys() - plan.placed.keys()} <= left  # none dropped
    assert len(plan.placed) + len(plan.findings) == len(expected)
    fixed = [
        ((s, n, -1), when) for s, by in times.items() for n, when in by.items() if "event" in s
    ]
    placed = [*((key, p.when) for key, p in plan.placed.items()), *fixed]
    for (source, name, k), one in plan.placed.items():
        first = expected[(source, name, k)]
        until = next(r.repeat_until for r in requests if (r.source, r.channel) == (source, name))
        assert one.when.date() >= first
        assert k == 0 or until is None or one.when.date() <= date.fromisoformat(until)
        assert all(abs(one.when - e) > timedelta(hours=12) for e in instants)
        same = [t for key, t in placed if key[1] == name and key != (source, name, k)]
        assert all(abs(one.when - t) >= timedelta(hours=gap) and t != one.when for t in same)
        assert sum(t.date() == one.when.date() for t in same) < most
        twins = [t for key, t in placed if key[0] == source and key[1] != name]
        assert all(abs(one.when - t) > timedelta(hours=6) for t in twins)


def _asked(requests: list[Request]) -> dict[tuple[str, str, int], date]:
    """Every occurrence asked for, and its first day: the first, then each `every` weeks up to
    `until` (worked out here, apart from the code under test)."""
    found = {}
    for r in (r for r in requests if r.queued):
        first = date.fromisoformat(str(r.raw))
        last = date.fromisoformat(r.repeat_until) if r.repeat_until else first
        step = 7 * r.repeat_weeks if r.repeat_weeks else 1
        for k in range(1 + (last - first).days // step):
            found[(r.source, r.channel, k)] = first + timedelta(days=k * step)
    return found


def test_a_build_places_an_evergreen_post_and_keeps_its_channels_apart(basic: Path) -> None:
    post = basic / "posts/2026-12-05-conseil.md"
    edit(post, "publish: 2026-12-05", "publish: 2026-12-05\nkind: evergreen")
    charter = basic / "brand/charter.toml"
    edit(charter, 'exempt = [["x-test", "bluesky-test", "mastodon-test"]]', "exempt = []")
    result = cli("build", "--root", str(basic))
    assert result.code in (0, 1), result.err
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    times = {
        v["channel"]: datetime.fromisoformat(v["scheduled"])
        for v in manifest["variants"]
        if v["source"] == "posts/2026-12-05-conseil.md"
    }
    # The same text on x and mastodon: more than the charter's window apart.
    assert abs(times["x-test"] - times["mastodon-test"]) > timedelta(hours=24)


def test_a_post_the_queue_cannot_place_is_named_not_dropped(basic: Path) -> None:
    (basic / "state").mkdir(exist_ok=True)
    (basic / "state/halt.toml").write_text(
        '[[halt]]\nscope = "campaign"\nname = "conseils"\nreason = "crise"\n'
        'since = "2026-12-01T00:00:00Z"\n',
        encoding="utf-8",
    )
    post = basic / "posts/2026-12-05-conseil.md"
    edit(post, "publish: 2026-12-05", "publish: 2026-12-05\nseries: conseils")
    result = cli("build", "--root", str(basic))
    assert result.code in (0, 1), result.err  # the rest of the build goes on
    assert (
        "posts/2026-12-05-conseil.md:3: [mastodon-test] warning: not placed on mastodon-test: "
        "campaign conseils is halted (crise)"
    ) in result.out
    assert "Traceback" not in result.err
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    sources = {v["source"] for v in manifest["variants"]}
    assert "posts/2026-12-05-conseil.md" not in sources and len(sources) > 1


def test_a_new_halt_is_seen_by_the_next_build_and_a_resume_too(basic: Path) -> None:
    post = basic / "posts/2026-12-05-conseil.md"
    edit(post, "publish: 2026-12-05", "publish: 2026-12-05\nseries: conseils")
    first = cli("build", "--root", str(basic))
    assert first.code in (0, 1), first.err
    again = cli("build", "--root", str(basic))
    assert again.code in (0, 1), again.err
    (basic / "state").mkdir(exist_ok=True)
    halt = basic / "state/halt.toml"
    halt.write_text(
        '[[halt]]\nscope = "campaign"\nname = "conseils"\nreason = "crise"\n'
        'since = "2026-12-01T00:00:00Z"\n',
        encoding="utf-8",
    )
    # The build after the halt is not a no-op: the post is taken off its slots, and named.
    halted = cli("build", "--root", str(basic))
    assert halted.code in (0, 1), halted.err
    assert "campaign conseils is halted (crise)" in halted.err + halted.out
    halt.unlink()
    resumed = cli("build", "--root", str(basic))
    assert resumed.code in (0, 1), resumed.err
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    assert any(v["source"] == "posts/2026-12-05-conseil.md" for v in manifest["variants"])


def test_the_reason_of_a_placement_is_in_the_manifest_and_the_calendar(basic: Path) -> None:
    post = basic / "posts/2026-12-05-conseil.md"
    edit(post, "publish: 2026-12-05", "publish: 2026-12-05\nkind: evergreen")
    result = cli("build", "--root", str(basic))
    assert result.code in (0, 1), result.err
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    placed = [v for v in manifest["variants"] if v["source"] == "posts/2026-12-05-conseil.md"]
    assert placed and all(v["kind"] == "evergreen" for v in placed)
    assert all(v["plan"].startswith(("best free slot: ", "2nd choice: ")) for v in placed)
    others = [v for v in manifest["variants"] if v["source"] != "posts/2026-12-05-conseil.md"]
    assert all("plan" not in v for v in others)
    calendar = (basic / "output/calendar.ics").read_text(encoding="utf-8")
    assert "background" in calendar and "DESCRIPTION:[" in calendar.replace("\r\n ", "")


def test_the_preview_shows_the_plan_with_its_lanes_and_reasons(basic: Path) -> None:
    post = basic / "posts/2026-12-05-conseil.md"
    edit(post, "publish: 2026-12-05", "publish: 2026-12-05\nkind: evergreen")
    assert cli("build", "--root", str(basic)).code in (0, 1)
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    reasons = {v["plan"] for v in manifest["variants"] if "plan" in v}
    calendar = (basic / "output/index.html").read_text(encoding="utf-8")
    assert "lane-evergreen" in calendar and '<h3 class="legend-title">Plan</h3>' in calendar
    assert all(f'title="{reason}"' in calendar for reason in reasons)
    page = next((basic / "output").glob("preview/posts/*conseil*.html")).read_text(encoding="utf-8")
    assert all(f'<span class="plan-why">{reason}</span>' in page for reason in reasons)
    # The next build after an unrelated edit keeps the reasons (read back from the index).
    edit(basic / "posts/2026-12-10-brouillon.md", "status:", "status:")
    (basic / "posts/2026-12-10-brouillon.md").touch()
    assert cli("build", "--root", str(basic)).code in (0, 1)
    assert (basic / "output/index.html").read_text(encoding="utf-8") == calendar


def test_plan_week_marks_queued_posts_with_their_reason(basic: Path) -> None:
    post = basic / "posts/2026-12-05-conseil.md"
    edit(post, "publish: 2026-12-05", "publish: 2026-12-05\nkind: evergreen")
    assert cli("build", "--root", str(basic)).code in (0, 1)
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    placed = [v for v in manifest["variants"] if "plan" in v]
    first = min(datetime.fromisoformat(v["scheduled"].replace("Z", "+00:00")) for v in placed)
    now = (first - timedelta(hours=1)).isoformat()
    result = cli("plan", "--root", str(basic), "--week", "--now", now)
    assert result.code == 0, result.err
    shown = [
        v
        for v in placed
        if datetime.fromisoformat(v["scheduled_local"]) - first < timedelta(days=7)
    ]
    assert shown and all(f"queued: {v['plan']}" in result.out for v in shown)
