"""state/activity/YYYY-MM.jsonl: when the audience interacted with each channel, append-only.

One interaction per line, in the file of the month of its `at` (UTC): the channel, the platform,
the kind (like, repost, reply, follow...), when it happened and the platform's own stable id for
it (`key`). Who interacted is not kept. The shape is docs/activity.schema.json, described in
docs/slots.md. Lines follow the ledger's rules (cmbuild/stores/jsonl.py): one write + fsync per
line; a torn last line is set aside to `YYYY-MM.jsonl.torn` before the next append; any other
unreadable line is named (file:line) and skipped by readers, never dropped from the file.

Appending is idempotent: an interaction whose (channel, key) is already in its month's file is
not written again, so a collect that lists the same notifications twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from cmbuild.errors import InputError
from cmbuild.stores import jsonl

ACTIVITY_FOLDER = "activity"  # under state/
REQUIRED = ("channel", "platform", "key", "kind", "at", "api")
HINT = (
    "state/activity/ is written by `cmbuild collect` only; restore the line from git history "
    "or delete it"
)


@dataclass(frozen=True)
class Activity:
    """One interaction of the audience with a channel, at `at` (UTC)."""

    channel: str
    platform: str
    key: str  # the platform's stable id of the interaction (a like's URI, a notification id)
    kind: str
    at: datetime
    api: str


def activity_dir(state_dir: Path) -> Path:
    return state_dir / ACTIVITY_FOLDER


def month_files(state_dir: Path) -> list[Path]:
    """Every month file, oldest first."""
    return sorted(activity_dir(state_dir).glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].jsonl"))


def display(path: Path) -> str:
    return f"state/{ACTIVITY_FOLDER}/{path.name}"


def to_json(item: Activity) -> bytes:
    """One line of the store, newline included; keys in the documented order."""
    data = {
        "channel": item.channel,
        "platform": item.platform,
        "key": item.key,
        "kind": item.kind,
        "at": _iso(item.at),
        "api": item.api,
    }
    return orjson.dumps(data) + b"\n"


def append_activity(state_dir: Path, items: Iterable[Activity]) -> int:
    """Append each new interaction to its month's file (one write + fsync each); lines written."""
    known: dict[Path, set[tuple[str, str]]] = {}
    written = 0
    for item in items:
        if item.at.tzinfo is None:
            raise ValueError(f"interaction time without a time zone: {item.at!r}")
        path = activity_dir(state_dir) / f"{item.at.astimezone(UTC):%Y-%m}.jsonl"
        if path not in known:
            known[path] = _prepare(path)
        if (item.channel, item.key) in known[path]:
            continue
        jsonl.append(path, to_json(item))
        known[path].add((item.channel, item.key))
        written += 1
    return written


def iter_records(path: Path) -> Iterator[dict[str, Any] | InputError]:
    """Each line of one month file as a checked record (a dict), or the problem with it."""
    raw = jsonl.read_lines(path)
    shown = display(path)
    for number, chunk in enumerate(raw.lines, start=1):
        if chunk.strip():
            yield _parse(chunk, number, shown)
    if raw.tail.strip():
        item = _parse(raw.tail, raw.tail_line, shown)
        if isinstance(item, InputError):
            item = InputError(
                shown,
                "the last line was cut short by an interrupted write; it is left out",
                line=raw.tail_line,
                hint="the next `cmbuild collect` moves it aside to a .torn file",
            )
        yield item


def newest(state_dir: Path, channel: str) -> datetime | None:
    """When the newest stored interaction of `channel` happened (None: none stored)."""
    for path in reversed(month_files(state_dir)):
        times = [
            r["at"]
            for r in iter_records(path)
            if not isinstance(r, InputError) and r["channel"] == channel
        ]
        if times:
            return datetime.fromisoformat(max(times)).astimezone(UTC)
    return None


def _prepare(path: Path) -> set[tuple[str, str]]:
    """Set a torn last line aside (or end a complete one); the keys already in the file."""
    raw = jsonl.read_lines(path)
    if raw.tail:
        if isinstance(_parse(raw.tail, raw.tail_line, display(path)), InputError):
            jsonl.set_aside(path, raw.tail, raw.size - len(raw.tail))
        else:
            jsonl.append(path, b"\n")
    return {(r["channel"], r["key"]) for r in iter_records(path) if not isinstance(r, InputError)}


def _parse(chunk: bytes, number: int, shown: str) -> dict[str, Any] | InputError:
    try:
        record = orjson.loads(chunk)
    except orjson.JSONDecodeError:
        return InputError(shown, "this line is not valid JSON", line=number, hint=HINT)
    if not isinstance(record, dict):
        return InputError(shown, "this line is not an interaction", line=number, hint=HINT)
    for key in REQUIRED:
        if not isinstance(record.get(key), str):
            message = "missing" if key not in record else "should be text"
            return InputError(shown, message, line=number, key=key, hint=HINT)
    try:
        at = datetime.fromisoformat(record["at"])
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        return InputError(
            shown,
            "should be a date and time in UTC, like 2026-12-01T09:00:00Z",
            line=number,
            key="at",
            hint=HINT,
        )
    return record


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
