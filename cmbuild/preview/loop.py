"""The preview's pages about the loop around the build: what veille heard, when to publish.

Read from the repository's state/ and brand/ by the build (`read_views`), drawn by site.py beside
the calendar. Without them (a preview rendered from variants alone) the pages and their links
are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cmbuild.incremental.inputs import loop_files, stat_of
from cmbuild.layout import CHANNELS_FILE
from cmbuild.preview.shown import Shown
from cmbuild.preview.slots import SLOTS_PAGE, SlotsView, read_slots
from cmbuild.preview.watch import WATCH_PAGE, WatchView, read_watch
from cmbuild.stores.halts import Halt

__all__ = ["SLOTS_PAGE", "WATCH_PAGE", "Views", "read_views"]


@dataclass(frozen=True)
class Views:
    watch: WatchView
    slots: SlotsView


def read_views(
    repo: Path,
    variants: Sequence[Shown],
    halts: tuple[Halt, ...],
    now: datetime | None,
    cache: Path | None,
    known: dict[str, SlotsView] | None = None,
) -> Views:
    """The watch and slots pages' views of the repository at `repo`; charts cached in `cache`.

    `now` is the build's clock (the slots page scores the weeks before its day); None leaves the
    slots unscored, and the page says how to get them. `known` (a long-running process's memo)
    keeps the slots by the stats of what they read and the day: scoring a long history takes
    seconds, and a post edited in `cmbuild serve` changes none of it. It is left with this
    build's slots only.
    """
    day = now.astimezone(UTC).date().isoformat() if now is not None else None
    stats = {**loop_files(repo), CHANNELS_FILE: stat_of(repo / CHANNELS_FILE)}
    key = repr((day, sorted(stats.items())))
    slots = known.get(key) if known is not None else None
    if slots is None:
        slots = read_slots(repo, now, cache)
    if known is not None:
        known.clear()
        known[key] = slots
    return Views(read_watch(repo, variants, halts, cache), slots)
