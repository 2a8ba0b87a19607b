"""The preview's pages about the loop around the build: what veille heard, when to publish.

Read from the repository's state/ and brand/ by the build (`read_views`), drawn by site.py beside
the calendar. Without them (a preview rendered from variants alone) the pages and their links
are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
) -> Views:
    """The watch and slots pages' views of the repository at `repo`; charts cached in `cache`.

    `now` is the build's clock (the slots page scores the weeks before its day); None leaves the
    slots unscored, and the page says how to get them.
    """
    return Views(read_watch(repo, variants, halts, cache), read_slots(repo, now, cache))
