"""`cmbuild check`: a post fixed at a time in one of its channel's weakest hours (the bottom
tenth of the week, cmbuild/planning/scores.py), with the better hour that day.

Only channels with enough data of their own are judged: the defaults are no ground to warn a
writer. Only times to come, and only times written in full (a date-only post takes a slot).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cmbuild.errors import InputError, InputErrors
from cmbuild.layout import LEDGER_FILE
from cmbuild.load.config import load_channels
from cmbuild.load.site import load_posts
from cmbuild.load.times import DateOnly, TimeError, parse_publish
from cmbuild.model import Finding
from cmbuild.planning.history import has_history
from cmbuild.planning.run import ChannelSlots, slots
from cmbuild.planning.week import cell_of
from cmbuild.schedule.slots import Request, requests_for

RULE = "schedule.weak-slot"
WEEKS = 16


def weak_slot_findings(root: Path, now: datetime) -> list[Finding]:
    """A warning for each (post, channel) fixed after `now` in the channel's bottom 10%."""
    if not has_history((root / LEDGER_FILE).parent):
        return []
    try:
        channels = load_channels(root)
        posts, _ = load_posts(root, sorted((root / "posts").rglob("*.md")), channels)
    except (InputError, InputErrors):
        return []  # the check itself reports them
    zones = {c.name: c.timezone for c in channels}
    fixed: list[tuple[Request, datetime]] = []
    for post in posts:
        for request in requests_for(post):
            try:
                when = parse_publish(request.raw, request.zone or zones[request.channel])
            except TimeError:
                continue  # the check reports it
            if not isinstance(when, DateOnly) and when > now:
                fixed.append((request, when))
    if not fixed:
        return []
    names = sorted({request.channel for request, _ in fixed})
    scored = {s.channel.name: s for s in slots(root, names, WEEKS, now).channels}
    found = []
    for request, when in fixed:
        finding = _finding(scored[request.channel], request, when)
        if finding is not None:
            found.append(finding)
    return found


def _finding(slots: ChannelSlots, request: Request, when: datetime) -> Finding | None:
    scores = slots.scores
    cell = cell_of(when, ZoneInfo(slots.zone))
    if not scores.enough or cell not in scores.bottom():
        return None
    by_cell = {s.cell: s for s in scores.ranked}
    day = cell // 24
    better = next(s for s in scores.ranked if s.cell // 24 == day)  # ranked: best first
    best = scores.ranked[0]
    return Finding(
        rule=RULE,
        severity="warning",
        message=(
            f"{by_cell[cell].label} ({slots.zone}) is among {request.channel}'s weakest hours "
            f"(score {by_cell[cell].score:.2f}, bottom 10% of the last {WEEKS} weeks)"
        ),
        file=request.source,
        line=request.line,
        channel=request.channel,
        hint=(
            f"that day {better.label} scores {better.score:.2f} (best of the week: "
            f"{best.label}, {best.score:.2f}); see `cmbuild slots --channel {request.channel}`"
        ),
    )
