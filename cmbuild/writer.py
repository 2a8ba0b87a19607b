"""The write stage: variant files, manifest, calendar and build state, each only when it changed.

The manifest and the calendar are whole files, but most of their entries did not change: an entry
whose variant was reused is copied from the previous file (its row says where it sits there), and
only the others are serialised again.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cmbuild.inputs import digest, stat_of
from cmbuild.model import Variant
from cmbuild.rows import Row
from cmbuild.state import Index, PostEntry, Shards, Stat, write_index
from cmbuild.write.files import prune, same_content, update_in_place, write_atomic
from cmbuild.write.manifest import assemble, fragment

MANIFEST = "manifest.json"
CALENDAR = "calendar.ics"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    pruned: tuple[str, ...]
    outputs: list[str]


@dataclass(frozen=True)
class Sources:
    """Where the writer gets what reused rows do not carry: the variant, its calendar event."""

    variant: Callable[[Row], Variant]  # the final variant of a row
    event: Callable[[Row], bytes]  # its serialised VEVENT


def write_outputs(
    out: Path,
    rows: Sequence[Row],
    sources: Sources,
    calendar_name: str,
    inputs_digest: str,
    index: Index,
    shards: Shards,
    entries: Callable[[], dict[str, PostEntry]],
    memo: dict[str, tuple[Stat, bytes]] | None = None,
    extra: Mapping[str, bytes | None] | None = None,
    calendar_zone: str | None = None,
) -> WriteReport:
    """Write every output that differs from what is on disk, prune the stale ones, save the state.

    `rows` are in manifest order. `extra` are more output files (the preview site), by
    output-relative path; None for a file to keep as the last build wrote it. `index.outputs`
    holds the digests written last time. The index is updated and saved last (`entries` gives its
    posts, once the rows know where their entries now sit), so an interrupted build is simply
    redone by the next one. `memo` (a long-running process's) keeps the manifest and calendar
    bytes in memory for the next build. `calendar_zone` is the brand's zone, which the calendar
    declares as its own.
    """
    written: list[str] = []
    unchanged = 0
    previous = dict(index.outputs)
    current: dict[str, str] = {}
    listing = _Listing(out)
    for row in rows:
        # A reused row's text is the one written last time (its digest is in the index).
        sha = row.output_sha or previous.get(row.output, "")
        current[row.output] = sha
        if sha and previous.get(row.output) == sha and listing.has(row.output):
            unchanged += 1
            continue
        data = sources.variant(row).text.encode("utf-8")
        current[row.output] = digest(data)
        if update_in_place(os.path.join(out, row.output), data):
            written.append(row.output)
        else:
            unchanged += 1
    for relative, maybe in sorted((extra or {}).items()):
        if maybe is None:
            current[relative] = previous[relative]
            unchanged += 1
            continue
        data = maybe
        sha = digest(data)
        current[relative] = sha
        if previous.get(relative) == sha and listing.has(relative):
            unchanged += 1
        elif update_in_place(os.path.join(out, relative), data):
            written.append(relative)
        else:
            unchanged += 1

    listed = [row for row in rows if row.status != "draft"]
    kept = memo if memo is not None else {}
    old = _Previous(out, index, kept)
    parts, spans = _splice(
        listed,
        old.data(MANIFEST),
        lambda row: row.manifest,
        lambda row: fragment(sources.variant(row)),
        _ENTRY_SEPARATOR,
        _ENTRY_START,
    )
    manifest, part_spans = assemble(parts, inputs_digest)
    base = part_spans[0][0] if part_spans else 0
    for row, (offset, length) in zip(listed, spans, strict=True):
        row.manifest = (base + offset, length)
    del parts  # the entries are in `manifest` now: free them before the events are made
    parts, spans = _splice(
        listed, old.data(CALENDAR), lambda row: row.event, sources.event, b"", _EVENT_START
    )
    calendar = _calendar(listed, parts, calendar_name, calendar_zone)
    base = len(calendar) - len(_END) - sum(map(len, parts))
    for row, (offset, length) in zip(listed, spans, strict=True):
        row.event = (base + offset, length)
    index.written = {}
    for name, data in ((MANIFEST, manifest), (CALENDAR, calendar)):
        before = old.data(name)  # the file on disk, when it is still the one the index knows
        if data == before if before is not None else same_content(out / name, data):
            unchanged += 1
        else:
            write_atomic(out / name, data)
            written.append(name)
        stat = stat_of(out / name)
        if stat is not None:
            index.written[name] = stat
            kept[name] = (stat, data)
    pruned = prune(out, set(previous) - set(current))
    index.outputs = current
    index.posts = entries()
    shards.save()
    write_index(out, index)
    return WriteReport(
        tuple(written), unchanged, tuple(pruned), [*sorted(current), MANIFEST, CALENDAR]
    )


_END = b"END:VCALENDAR\r\n"
_ENTRY_SEPARATOR = b",\n"  # between two manifest entries (see write.manifest.assemble)
_ENTRY_START = b"    {"
_EVENT_START = b"BEGIN:VEVENT\r\n"


def _splice(
    rows: Sequence[Row],
    previous: bytes | None,
    span_of: Callable[[Row], tuple[int, int] | None],
    serialise: Callable[[Row], bytes],
    separator: bytes,
    start: bytes,
) -> tuple[list[bytes], list[tuple[int, int]]]:
    """The entries of `rows`, as parts to join with `separator`, and where each row's entry will
    sit in the joined bytes (offset, length).

    A row whose entry is still in the previous file (it starts where its span says) is copied from
    there; a run of such rows that sat one after the other there is copied in one slice.
    """
    parts: list[bytes] = []
    spans: list[tuple[int, int]] = []
    size = len(previous) if previous is not None else 0
    position = 0  # where the next part starts in the joined bytes
    first = end = -1  # the run being copied: previous[first:end], to sit at `at` (none: first < 0)
    at = 0

    def close_run() -> None:
        nonlocal first, position
        if first >= 0 and previous is not None:
            parts.append(previous[first:end])
            position = at + end - first + len(separator)
        first = -1

    for row in rows:
        span = span_of(row) if previous is not None else None
        if span is not None and previous is not None:
            offset, length = span
            if offset + length <= size and previous.startswith(start, offset):
                follows = offset == end + len(separator) and previous.startswith(separator, end)
                if first < 0 or not follows:
                    close_run()
                    first, at = offset, position
                end = offset + length
                spans.append((at + offset - first, length))
                continue
        close_run()
        data = serialise(row)
        parts.append(data)
        spans.append((position, len(data)))
        position += len(data) + len(separator)
    close_run()
    return parts, spans


def _calendar(listed: Sequence[Row], events: list[bytes], name: str, zone: str | None) -> bytes:
    from cmbuild.write.calendar import calendar_ics

    data = calendar_ics(
        events,
        calendar_zones(zone, [row.timezone for row in listed]),
        name=name,
        span=(
            (
                date.fromisoformat(min(r.local[:10] for r in listed)),
                date.fromisoformat(max(r.local[:10] for r in listed)),
            )
            if listed
            else None
        ),
    )
    assert data.endswith(_END)
    return data


def calendar_zones(brand: str | None, used: Sequence[str]) -> list[str]:
    """The calendar's zones, its own first: the brand's, else the one most variants use.

    A calendar app shows the events in the calendar's zone (X-WR-TIMEZONE) when it has none set, so
    this must be the brand's, not the first zone in alphabetical order.
    """
    counts = Counter(used)
    first = brand or min(counts, key=lambda z: (-counts[z], z), default=None)
    rest = sorted(set(counts) - {first})
    return [first, *rest] if first else rest


class _Previous:
    """The manifest and calendar the previous build wrote, if they are still exactly those."""

    def __init__(self, out: Path, index: Index, memo: dict[str, tuple[Stat, bytes]]) -> None:
        self.out = out
        self.index = index
        self.memo = memo
        self._data: dict[str, bytes | None] = {}

    def data(self, name: str) -> bytes | None:
        """The whole previous file, or None if it is gone or no longer the one the index knows."""
        if name not in self._data:
            path = self.out / name
            known = self.index.written.get(name)
            data = None
            remembered = self.memo.get(name)
            still = known is not None and stat_of(path) == known
            if still and remembered is not None and remembered[0] == known:
                self._data[name] = remembered[1]
                return remembered[1]
            if known is not None and stat_of(path) == known:
                try:
                    data = path.read_bytes()
                except OSError:
                    data = None
                if data is not None and stat_of(path) != known:
                    data = None  # changed while we read it
            self._data[name] = data
        return self._data[name]


class _Listing:
    """Which output files exist, one directory listing per folder (no stat per file)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.folders: dict[str, set[str]] = {}

    def has(self, relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        names = self.folders.get(folder)
        if names is None:
            try:
                names = set(os.listdir(self.out / folder))
            except FileNotFoundError:
                names = set()
            self.folders[folder] = names
        return name in names
