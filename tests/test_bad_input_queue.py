"""Bad planning input (kind, repeat, queue settings): each names file, line, key and the fix.

One table, as the issue lists them: the change to make to the basic site, and the whole line
the build prints for it (`file:line: key: message (the fix)`). The errors stop the build before
anything is written (exit 2); a blackout longer than the horizon is a warning on channels.toml,
and the posts it keeps from any slot are errors of their own, the rest of the build going on.
Metrics missing for a channel are no error: `cmbuild slots` falls back to the platform's defaults
with a note (tests/planning/test_cli.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import cli, edit
from tests.test_bad_input import POST, assert_error

QUEUE = "[defaults]\n"
TIP = "posts/2026-12-05-conseil.md"

ERRORS = {
    "unknown kind": (
        POST,
        "status: approved",
        "status: approved\nkind: evergren",
        f"{POST}:11: kind: expected one of 'news', 'event' or 'evergreen', got 'evergren' "
        "(did you mean 'evergreen'?) (news (the default), event (a launch, a meetup) or "
        "evergreen (a tip the queue places))",
    ),
    "a repeat that never ends": (
        POST,
        "status: approved",
        "status: approved\nrepeat:\n  every: 2 weeks",
        f"{POST}:11: repeat.until: this repeat never ends (add `until: 2027-06-30` under "
        "`repeat:`: the last day it may come back)",
    ),
    "a repeat that ends before it starts": (
        POST,
        "status: approved",
        "status: approved\nrepeat:\n  until: 2026-01-01",
        f"{POST}:12: repeat.until: this repeat ends (2026-01-01) before the post starts "
        "(2026-12-01) (set `until` to a day after the post's `publish` date)",
    ),
    "max_per_day of 0": (
        "channels.toml",
        QUEUE,
        "[queue]\nmax_per_day = 0\n\n" + QUEUE,
        "channels.toml:2: queue.max_per_day: max_per_day 0 would never let a background post "
        "out: use 1 or more",
    ),
    "an unknown holidays country": (
        "channels.toml",
        QUEUE,
        '[queue]\ncountry = "FX"\n\n' + QUEUE,
        "channels.toml:2: queue.country: unknown country code 'FX'",
    ),
    "a weekday slot misspelt": (
        "channels.toml",
        'slots = ["09:00"',
        'slots = ["Tues 09:00"',
        "channels.toml:4: defaults.slots: slot 'Tues 09:00' is not a 24-hour time",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_planning_input_is_a_located_error(basic: Path, case: str) -> None:
    path, old, new, expected = ERRORS[case]
    edit(basic / path, old, new)
    assert_error(basic, expected)


def test_a_blackout_longer_than_the_horizon_lists_the_posts_it_keeps_out(basic: Path) -> None:
    settings = "[queue]\nblackout_hours = 300\nhorizon_weeks = 1\n\n"
    edit(basic / "channels.toml", QUEUE, settings + QUEUE)
    edit(basic / POST, "status: approved", "status: approved\nkind: event")
    edit(basic / TIP, "publish: 2026-12-05", "publish: 2026-12-05\nkind: evergreen")
    result = cli("build", "--root", str(basic))
    assert result.code == 1, result.err  # errors found, the build written
    assert "Traceback" not in result.err + result.out
    assert (
        "channels.toml:2: [blog, bluesky-test, instagram-test, linkedin-test, mastodon-test, "
        "x-test] warning: queue.blackout_hours: a blackout of "
        "300 hours is longer than the queue's horizon (1 weeks = 168 hours): a background post "
        "near an event may find no slot at all"
    ) in result.out
    assert "hint: shorten blackout_hours (24 keeps a day around each event)" in result.out
    assert "hint: add a slot to the channel, raise its max_per_day or horizon_weeks" in result.out
    for channel in ("mastodon-test", "x-test"):
        assert (
            f"{TIP}:3: [{channel}] error: not placed on {channel}: no free slot from "
            "2026-12-05 to 2026-12-11 (7 days in an event's blackout) (schedule.queue)"
        ) in result.out
    manifest = json.loads((basic / "output/manifest.json").read_text(encoding="utf-8"))
    sources = {v["source"] for v in manifest["variants"]}
    assert POST in sources and TIP not in sources
