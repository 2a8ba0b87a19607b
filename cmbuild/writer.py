"""The write stage: variant files, manifest, calendar and build state, each only when it changed.

The manifest and the calendar are whole files, but most of their entries did not change: an entry
whose variant was reused is copied from the previous file (its row says where it sits there), and
only the others are serialised again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cmbuild.inputs import digest, stat_of
from cmbuild.model import Variant
from cmbuild.rows import Row
from cmbuild.state import Index, PostEntry, Shards, Stat, write_index
from cmbuild.write.files import prune, same_content, write_atomic, write_in_place
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
) -> WriteReport:
    """Write every output that differs from what is on disk, prune the stale ones, save the state.

    `rows` are in manifest order. `extra` are more output files (the preview site), by
    output-relative path; None for a file to keep as the last build wrote it. `index.outputs`
    holds the digests written last time. The index is updated and saved last (`entries` gives its
    posts, once the rows know where their entries now sit), so an interrupted build is simply
    redone by the next one. `memo` (a long-running process's) keeps the manifest and calendar
    bytes in memory for the next build.
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
        if same_content(out / row.output, data):
            unchanged += 1
            continue
        write_in_place(out / row.output, data)
        written.append(row.output)
    for relative, maybe in sorted((extra or {}).items()):
        if maybe is None:
            current[relative] = previous[relative]
            unchanged += 1
            continue
        data = maybe
        sha = digest(data)
        current[relative] = sha
        if (previous.get(relative) == sha and listing.has(relative)) or same_content(
            out / relative, data
        ):
            unchanged += 1
            continue
        write_in_place(out / relative, data)
        written.append(relative)

    listed = [row for row in rows if row.status != "draft"]
    kept = memo if memo is not None else {}
    old = _Previous(out, index, kept)
    manifest_blocks = _splice(
        listed,
        old.data(MANIFEST),
        lambda row: row.manifest,
        lambda row: fragment(sources.variant(row)),
        _ENTRY_SEPARATOR,
        _ENTRY_START,
    )
    manifest, block_spans = assemble((block.data for block in manifest_blocks), inputs_digest)
    for row, span in zip(
        listed, _placed(manifest_blocks, [o for o, _ in block_spans]), strict=True
    ):
        row.manifest = span
    event_blocks = _splice(
        listed, old.data(CALENDAR), lambda row: row.event, sources.event, b"", _EVENT_START
    )
    calendar = _calendar(listed, [block.data for block in event_blocks], calendar_name)
    start = len(calendar) - len(_END) - sum(len(block.data) for block in event_blocks)
    starts = []
    for block in event_blocks:
        starts.append(start)
        start += len(block.data)
    for row, span in zip(listed, _placed(event_blocks, starts), strict=True):
        row.event = span
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


@dataclass
class _Block:
    """Consecutive entries of a whole file: new ones, or a run copied from the previous file."""

    data: bytes
    spans: list[tuple[int, int]]  # each of its rows' (offset, length) within `data`


def _splice(
    rows: Sequence[Row],
    previous: bytes | None,
    span_of: Callable[[Row], tuple[int, int] | None],
    serialise: Callable[[Row], bytes],
    separator: bytes,
    start: bytes,
) -> list[_Block]:
    """The entries of `rows` in order, in blocks: a row whose entry sits right after the previous
    row's entry in the previous file joins its block, so that runs of unchanged entries are copied
    in one slice. An entry is copied only if its span still holds an entry's start."""
    blocks: list[_Block] = []
    run: list[Row] = []
    first = end = 0
    size = len(previous) if previous is not None else 0

    def close() -> None:
        if run:
            assert previous is not None
            blocks.append(
                _Block(
                    previous[first:end],
                    [(span[0] - first, span[1]) for span in map(span_of, run) if span],
                )
            )
            run.clear()

    for row in rows:
        span = span_of(row) if previous is not None else None
        if span is not None:
            offset, length = span
            assert previous is not None
            if offset + length <= size and previous.startswith(start, offset):
                if (
                    run
                    and offset == end + len(separator)
                    and (not separator or previous.startswith(separator, end))
                ):
                    end = offset + length
                else:
                    close()
                    first, end = offset, offset + length
                run.append(row)
                continue
        close()
        data = serialise(row)
        blocks.append(_Block(data, [(0, len(data))]))
    close()
    return blocks


def _placed(blocks: Sequence[_Block], starts: Sequence[int]) -> list[tuple[int, int]]:
    """Where each row's entry now sits, in row order, given where each block starts."""
    return [
        (start + offset, length)
        for block, start in zip(blocks, starts, strict=True)
        for offset, length in block.spans
    ]


def _calendar(listed: Sequence[Row], events: list[bytes], name: str) -> bytes:
    from cmbuild.write.calendar import calendar_ics

    data = calendar_ics(
        events,
        sorted({row.timezone for row in listed}),
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


class _Previous:
    """The manifest and calendar the previous build wrote, if they are still exactly those."""

    def __init__(self, out: Path, index: Index, memo: dict[str, tuple[Stat, bytes]]) -> None:
        self.out = out
        self.index = index
        self.memo = memo
        self._data: dict[str, bytes | None] = {}

    def data(self, name: str) -> bytes | None:
        """The whole previous file, or None if it is gone or no longer the one the index knows."""
        return self._read(name)

    def _read(self, name: str) -> bytes | None:
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
