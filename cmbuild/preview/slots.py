"""preview/slots.html: each channel's week as `cmbuild slots` scores it, with its heatmap.

The same reading and scoring as `cmbuild slots` (cmbuild.planning.run.slots, over WEEKS weeks),
the same heatmap as the report (cmbuild.planning.heatmap). The window ends at the start of the
build's day (UTC), so that every build of one day, from the same stores, gives the same page.
A build given no clock (the library's default) shows how to get the page instead of guessing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup

from cmbuild.errors import InputError, InputErrors
from cmbuild.planning.heatmap import WEEKS, channel_heatmap
from cmbuild.planning.run import ChannelSlots, slots
from cmbuild.planning.scores import Slot

SLOTS_PAGE = "preview/slots.html"
TOP = 5  # best slots listed per channel, as a table under its heatmap


@dataclass(frozen=True)
class ChannelView:
    name: str
    zone: str
    posts: int
    interactions: int
    enough: bool  # False: the scores lean on the defaults, and a note says so
    defaults: str
    notes: tuple[str, ...]
    top: tuple[Slot, ...]
    explore: tuple[Slot, ...]
    heatmap: Markup | None


@dataclass(frozen=True)
class SlotsView:
    """What the slots page shows; `end` is None when the build was given no clock."""

    end: str | None
    weeks: int
    channels: tuple[ChannelView, ...] = ()
    problems: tuple[str, ...] = ()


def read_slots(repo: Path, now: datetime | None, cache: Path | None) -> SlotsView:
    """Every channel's scores over the WEEKS before the start of `now`'s day (UTC)."""
    if now is None:
        return SlotsView(None, WEEKS)
    end = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    shown = end.strftime("%Y-%m-%d %H:%M UTC")
    try:
        result = slots(repo, (), WEEKS, end)
    except InputError as error:
        return SlotsView(shown, WEEKS, problems=(str(error),))
    except InputErrors as errors:
        return SlotsView(shown, WEEKS, problems=tuple(str(e) for e in errors))
    problems = tuple(str(p).replace(f"{repo}/", "") for p in result.problems)
    return SlotsView(shown, WEEKS, tuple(_channel(c, cache) for c in result.channels), problems)


def _channel(channel: ChannelSlots, cache: Path | None) -> ChannelView:
    scores = channel.scores
    svg = channel_heatmap(channel, cache)
    return ChannelView(
        name=channel.channel.name,
        zone=channel.zone,
        posts=scores.posts,
        interactions=scores.interactions,
        enough=scores.enough,
        defaults=channel.defaults,
        notes=channel.notes,
        top=scores.ranked[:TOP],
        explore=scores.explore,
        heatmap=Markup(svg) if svg else None,
    )
