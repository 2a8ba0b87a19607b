"""`cmbuild slots --propose`: the change to each channel's `slots = [...]` in channels.toml, as a
unified diff to apply through a pull request. Nothing is written.

A proposed slot is an inline table, `{ at = "Tue 12:00", score = 0.82 }`, best first: as many as
the channel uses today in a week (its daily slots × 7, from PROPOSE_MIN to PROPOSE_MAX), then the
exploration slots, marked by a comment.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from cmbuild.layout import CHANNELS_FILE
from cmbuild.load.tomlfile import key_lines
from cmbuild.planning.run import ChannelSlots
from cmbuild.planning.scores import Slot

PROPOSE_MIN = 3
PROPOSE_MAX = 21


def proposed(slots: ChannelSlots) -> tuple[list[Slot], list[Slot]]:
    """The slots to propose (best first) and the exploration slots after them."""
    count = min(max(len(slots.channel.slots) * 7, PROPOSE_MIN), PROPOSE_MAX)
    explore = list(slots.scores.explore)
    best = [s for s in slots.scores.ranked if s not in explore][:count]
    return best, explore


def propose_diff(root: Path, channels: Sequence[ChannelSlots]) -> str:
    """The unified diff of channels.toml with each channel's proposed slots ("" if none)."""
    path = root / CHANNELS_FILE
    before = path.read_text(encoding="utf-8")
    lines = before.splitlines(keepends=True)
    # From the last table up, so that earlier line numbers stay right.
    for slots in sorted(channels, key=lambda s: _anchor(before, s), reverse=True):
        start, stop, indent = _span(lines, key_lines(before), slots.channel.name)
        lines[start:stop] = _entry(slots, indent)
    after = "".join(lines)
    shown = CHANNELS_FILE
    diff = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        f"a/{shown}", f"b/{shown}",
    )  # fmt: skip
    return "".join(diff)


def _anchor(text: str, slots: ChannelSlots) -> int:
    return key_lines(text).get(f"channels.{slots.channel.name}", 0)


def _span(lines: list[str], keys: dict[str, int], name: str) -> tuple[int, int, str]:
    """Lines [start, stop) the channel's `slots` takes (empty: insert below its header)."""
    line = keys.get(f"channels.{name}.slots")
    if line is None:
        header = keys.get(f"channels.{name}", 0)
        return header, header, ""
    start = line - 1
    stop = start
    while stop < len(lines) and "]" not in lines[stop].split("#", 1)[0]:
        stop += 1
    text = lines[start]
    return start, stop + 1, text[: len(text) - len(text.lstrip())]


def _entry(slots: ChannelSlots, indent: str) -> list[str]:
    best, explore = proposed(slots)
    rows = [f"{indent}slots = [  # proposed by `cmbuild slots` over {slots.zone} hours\n"]
    rows += [f"{indent}    {_table(s)},\n" for s in best]
    rows += [f"{indent}    {_table(s)},  # explore: little data here yet\n" for s in explore]
    rows.append(f"{indent}]\n")
    return rows


def _table(slot: Slot) -> str:
    return f'{{ at = "{slot.label}", score = {slot.score:.2f} }}'
