"""The write stage: variant files, manifest, calendar and build state, each only when it changed."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cmbuild.inputs import digest
from cmbuild.model import Variant
from cmbuild.state import State, write_state
from cmbuild.write.files import prune, same_content, write_atomic, write_in_place
from cmbuild.write.manifest import manifest_bytes, order

MANIFEST = "manifest.json"
CALENDAR = "calendar.ics"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    pruned: tuple[str, ...]
    outputs: list[str]


def write_outputs(
    out: Path,
    variants: Sequence[Variant],
    events: Mapping[str, str],
    calendar_name: str,
    inputs_digest: str,
    state: State,
    extra: Mapping[str, bytes] | None = None,
) -> WriteReport:
    """Write every output that differs from what is on disk, prune the stale ones, save the state.

    `extra` are more output files (the preview site), by output-relative path.

    `state.outputs` holds the digests written last time; it is updated in place and saved last, so
    an interrupted build is simply redone by the next one.
    """
    written: list[str] = []
    unchanged = 0
    previous = dict(state.outputs)
    current: dict[str, str] = {}
    listing = _Listing(out)
    files = [(variant.output, variant.text.encode("utf-8")) for variant in variants]
    files.extend(sorted((extra or {}).items()))
    for relative, data in files:
        sha = digest(data)
        current[relative] = sha
        known = previous.get(relative) == sha and listing.has(relative)
        if known or same_content(out / relative, data):
            unchanged += 1
            continue
        write_in_place(out / relative, data)
        written.append(relative)

    from cmbuild.write.calendar import calendar_ics

    listed = [v for v in order(variants) if v.status != "draft"]
    whole_files = {
        MANIFEST: manifest_bytes(variants, inputs_digest),
        CALENDAR: calendar_ics(
            [events[v.id].encode("utf-8") for v in listed],
            sorted({v.timezone for v in listed}),
            name=calendar_name,
            span=(
                (min(v.scheduled.date() for v in listed), max(v.scheduled.date() for v in listed))
                if listed
                else None
            ),
        ),
    }
    for name, data in whole_files.items():
        if same_content(out / name, data):
            unchanged += 1
        else:
            write_atomic(out / name, data)
            written.append(name)
    pruned = prune(out, set(previous) - set(current))
    state.outputs = current
    write_state(out, state)
    return WriteReport(
        tuple(written), unchanged, tuple(pruned), [*sorted(current), MANIFEST, CALENDAR]
    )


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
