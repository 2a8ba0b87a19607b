"""`cmbuild slots`: channels.toml, the stores and the clock → each channel's ranked slots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cmbuild.errors import InputError, InputErrors, did_you_mean
from cmbuild.layout import LEDGER_FILE
from cmbuild.load.config import load_channels
from cmbuild.model import Channel
from cmbuild.planning.defaults import GENERIC, default_name, default_weights
from cmbuild.planning.history import read_histories
from cmbuild.planning.scores import MIN_INTERACTIONS, MIN_POSTS, Scores, score_history
from cmbuild.planning.week import Calendar, calendar, exposure

MAX_WEEKS = 260  # five years: more would mostly measure an audience that has moved on
CACHE = Path("output") / ".cmbuild"  # the stores' per-month summaries (the report's included)


@dataclass(frozen=True)
class ChannelSlots:
    """One channel's scores, with what they rest on in words."""

    channel: Channel
    zone: str
    scores: Scores
    defaults: str  # the defaults' name (the platform's own, or generic)
    notes: tuple[str, ...]  # said to the user: defaults used, clock changes...


@dataclass(frozen=True)
class SlotsResult:
    start: datetime
    end: datetime
    weeks: int
    channels: tuple[ChannelSlots, ...]
    problems: tuple[InputError, ...]  # store lines that could not be read


def check_weeks(weeks: int) -> None:
    """Raise an InputError unless 1 ≤ weeks ≤ MAX_WEEKS."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(
            "--weeks",
            f"{weeks} is not a number of weeks cmbuild can score",
            hint=f"give a whole number from 1 to {MAX_WEEKS}, e.g. --weeks 16 (four months)",
        )


def chosen_channels(root: Path, names: Sequence[str]) -> tuple[Channel, ...]:
    """The channels of channels.toml named (all when none); unknown names are InputErrors."""
    channels = {c.name: c for c in load_channels(root)}
    unknown = [n for n in names if n not in channels]
    if unknown:
        raise InputErrors(
            InputError(
                "channels.toml",
                f"--channel {name}: no such channel{did_you_mean(name, channels)}",
                hint=f"channels: {', '.join(sorted(channels))}",
            )
            for name in unknown
        )
    return tuple(channels[n] for n in sorted(set(names) or channels))


def slots(root: Path, names: Sequence[str], weeks: int, now: datetime) -> SlotsResult:
    """Score every channel of `names` (all when empty) over the `weeks` before `now`."""
    check_weeks(weeks)
    channels = chosen_channels(root, names)
    end = now.astimezone(UTC)
    start = end - timedelta(weeks=weeks)
    state = (root / LEDGER_FILE).parent
    histories = read_histories(state, root / CACHE, start, end, (c.name for c in channels))
    scored = []
    # The window's real hours per cell and its quarters' cells, per zone: worked out once.
    lived: dict[str, tuple[list[int], Calendar]] = {}
    for channel in channels:
        zone = ZoneInfo(channel.timezone or "UTC")
        history = histories.channels[channel.name]
        if zone.key not in lived:
            lived[zone.key] = (exposure(start, end, zone), calendar(start, end, zone))
        hours, window = lived[zone.key]
        weights = default_weights(channel.platform)
        posted, heard = window.cells_us(history.published), window.cells_us(history.interactions)
        scores = score_history(history.engagements, posted, heard, hours, weights)
        notes = _notes(channel, scores, hours, weeks)
        scored.append(
            ChannelSlots(channel, zone.key, scores, default_name(channel.platform), notes)
        )
    return SlotsResult(start, end, weeks, tuple(scored), histories.problems)


def _notes(channel: Channel, scores: Scores, hours: Sequence[int], weeks: int) -> tuple[str, ...]:
    notes = []
    defaults = default_name(channel.platform)
    shape = "cmbuild's generic week" if defaults == GENERIC else f"the {defaults} defaults"
    if scores.posts == 0 and scores.interactions == 0:
        notes.append(
            f"no metrics for {channel.name} in the last {weeks} weeks: these are {shape} "
            "(docs/slots.md), run `cmbuild collect` to learn the channel's own hours"
        )
    elif not scores.enough:
        notes.append(
            f"little data ({scores.posts} posts, {scores.interactions} interactions; "
            f"{MIN_POSTS} posts or {MIN_INTERACTIONS} interactions are enough): "
            f"the scores lean on {shape}"
        )
    if not channel.timezone:
        notes.append("no time zone in channels.toml: hours are in UTC")
    full = weeks
    odd = [i for i, count in enumerate(hours) if count != full]
    if odd:
        notes.append(
            f"a change of clocks falls in the window: {len(odd)} local hours were lived "
            "more or less often than once a week; each real hour counts once"
        )
    return tuple(notes)
