"""The write stage: variant files, manifest, calendar and preview, each only when it changed.

The manifest and the calendar are whole files, but most of their entries did not change: an entry
whose variant was reused is copied from the previous file (its row says where it sits there), and
only the others are serialised again.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cmbuild.files import prune, same_content, update_in_place, write_atomic
from cmbuild.incremental.inputs import Stat, digest, stat_of
from cmbuild.incremental.rows import Row
from cmbuild.manifest.writer import assemble, fragment
from cmbuild.model import Variant

MANIFEST = "manifest.json"
CALENDAR = "calendar.ics"


@dataclass(frozen=True)
class LastWrite:
    """What the previous build wrote: to leave unchanged files alone and copy unchanged entries."""

    digests: Mapping[str, str]  # output path -> digest of the bytes written
    stats: Mapping[str, Stat]  # manifest.json and calendar.ics -> (mtime_ns, size) as written
    files: Mapping[str, tuple[Stat, bytes]]  # their bytes, if a long-running process kept them


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    pruned: tuple[str, ...]
    outputs: list[str]
    digests: dict[str, str]  # every output path -> digest written (the next build's `LastWrite`)
    stats: dict[str, Stat]  # manifest.json and calendar.ics as written
    files: dict[str, tuple[Stat, bytes]]  # their bytes, for a long-running process to keep


@dataclass(frozen=True)
class Sources:
    """Where the writer gets what reused rows do not carry: the variant, its calendar event."""

    variant: Callable[[Row], Variant]  # the final variant of a row
    event: Callable[[Row], bytes]  # its serialised VEVENT


@dataclass
class _Tally:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    current: dict[str, str] = field(default_factory=dict)  # output path -> digest


def write_outputs(
    out: Path,
    rows: Sequence[Row],
    sources: Sources,
    calendar_name: str,
    inputs_digest: str,
    last: LastWrite,
    extra: Mapping[str, bytes | None] | None = None,
    calendar_zone: str | None = None,
) -> WriteReport:
    """Write every output that differs from what is on disk and prune the stale ones.

    `rows` are in manifest order; each reused row's manifest and event spans are updated to where
    its entries now sit. `extra` are more output files (the preview site), by output-relative
    path; None for a file to keep as the last build wrote it. `calendar_zone` is the brand's zone,
    which the calendar declares as its own.
    """
    tally = _Tally()
    listing = _Listing(out)
    _write_texts(out, rows, sources, last.digests, listing, tally)
    _write_extra(out, extra or {}, last.digests, listing, tally)
    calendar = (calendar_name, calendar_zone)
    stats, files = _write_whole_files(out, rows, sources, calendar, inputs_digest, last, tally)
    pruned = prune(out, set(last.digests) - set(tally.current))
    return WriteReport(
        tuple(tally.written),
        tally.unchanged,
        tuple(pruned),
        [*sorted(tally.current), MANIFEST, CALENDAR],
        tally.current,
        stats,
        files,
    )


def _write_texts(
    out: Path,
    rows: Sequence[Row],
    sources: Sources,
    previous: Mapping[str, str],
    listing: _Listing,
    tally: _Tally,
) -> None:
    """Each variant's text file, unless it is the one written last time."""
    for row in rows:
        # A reused row's text is the one written last time (its digest is in the index).
        sha = row.output_sha or previous.get(row.output, "")
        tally.current[row.output] = sha
        if sha and previous.get(row.output) == sha and listing.has(row.output):
            tally.unchanged += 1
            continue
        data = sources.variant(row).text.encode("utf-8")
        tally.current[row.output] = digest(data)
        if update_in_place(os.path.join(out, row.output), data):
            tally.written.append(row.output)
        else:
            tally.unchanged += 1


def _write_extra(
    out: Path,
    extra: Mapping[str, bytes | None],
    previous: Mapping[str, str],
    listing: _Listing,
    tally: _Tally,
) -> None:
    for relative, maybe in sorted(extra.items()):
        if maybe is None:
            tally.current[relative] = previous[relative]
            tally.unchanged += 1
            continue
        sha = digest(maybe)
        tally.current[relative] = sha
        if previous.get(relative) == sha and listing.has(relative):
            tally.unchanged += 1
        elif update_in_place(os.path.join(out, relative), maybe):
            tally.written.append(relative)
        else:
            tally.unchanged += 1


def _write_whole_files(
    out: Path,
    rows: Sequence[Row],
    sources: Sources,
    calendar_of: tuple[str, str | None],
    inputs_digest: str,
    last: LastWrite,
    tally: _Tally,
) -> tuple[dict[str, Stat], dict[str, tuple[Stat, bytes]]]:
    """The manifest and the calendar, atomically when changed; their stats and bytes as written."""
    listed = [row for row in rows if row.status != "draft"]
    old = _Previous(out, last)
    manifest = _manifest(listed, old.data(MANIFEST), sources, inputs_digest)
    calendar = _calendar_file(listed, old.data(CALENDAR), sources, *calendar_of)
    stats: dict[str, Stat] = {}
    files: dict[str, tuple[Stat, bytes]] = {}
    for name, data in ((MANIFEST, manifest), (CALENDAR, calendar)):
        before = old.data(name)  # the file on disk, when it is still the one the index knows
        if data == before if before is not None else same_content(out / name, data):
            tally.unchanged += 1
        else:
            write_atomic(out / name, data)
            tally.written.append(name)
        stat = stat_of(out / name)
        if stat is not None:
            stats[name] = stat
            files[name] = (stat, data)
    return stats, files


def _manifest(
    listed: Sequence[Row], previous: bytes | None, sources: Sources, inputs_digest: str
) -> bytes:
    parts, spans = _splice(
        listed,
        previous,
        lambda row: row.manifest,
        lambda row: fragment(sources.variant(row)),
        _ENTRY_SEPARATOR,
        _ENTRY_START,
    )
    manifest, part_spans = assemble(parts, inputs_digest)
    base = part_spans[0][0] if part_spans else 0
    for row, (offset, length) in zip(listed, spans, strict=True):
        row.manifest = (base + offset, length)
    return manifest


def _calendar_file(
    listed: Sequence[Row], previous: bytes | None, sources: Sources, name: str, zone: str | None
) -> bytes:
    parts, spans = _splice(
        listed, previous, lambda row: row.event, sources.event, b"", _EVENT_START
    )
    calendar = _calendar(listed, parts, name, zone)
    base = len(calendar) - len(_END) - sum(map(len, parts))
    for row, (offset, length) in zip(listed, spans, strict=True):
        row.event = (base + offset, length)
    return calendar


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

    def __init__(self, out: Path, last: LastWrite) -> None:
        self.out = out
        self.last = last
        self._data: dict[str, bytes | None] = {}

    def data(self, name: str) -> bytes | None:
        """The whole previous file, or None if it is gone or no longer the one the index knows."""
        if name not in self._data:
            path = self.out / name
            known = self.last.stats.get(name)
            data = None
            remembered = self.last.files.get(name)
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
