"""state/metrics/YYYY-MM.jsonl: what each published post (and each channel) measured, append-only.

One snapshot per line, in the file of the month of its `at` (UTC): a variant's figures at a fixed
age after publication (`age_hours`), or a channel's own figures (`variant` null: followers). The
shape is docs/metrics.schema.json, described in docs/metrics.md. Lines follow the ledger's rules
(see cmbuild/stores/jsonl.py): one write + fsync per line, so a crash loses at most the line being
written; a torn last line is set aside to `YYYY-MM.jsonl.torn` before the next append; any other
unreadable line is named (file:line) and skipped by readers, never dropped from the file.

A metric a platform does not give (or no longer gives) is recorded as `null`: absent, not zero.

Appending is idempotent: a snapshot whose `snapshot_key` is already in its month's file is not
written again, so re-running a collect at the same time adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from cmbuild.errors import InputError
from cmbuild.stores import jsonl

METRICS_FOLDER = "metrics"  # under state/
SOURCES = ("api", "import")
REQUIRED = ("variant", "channel", "platform", "at", "metrics", "source", "api")
HINT = (
    "state/metrics/ is written by `cmbuild collect` and `import-analytics` only; restore the line "
    "from git history or delete it"
)

MetricValue = int | float | None
Key = tuple[str, str | None, str, str]


@dataclass(frozen=True)
class Snapshot:
    """The figures of one variant (or of a channel, `variant` None) read at one time."""

    variant: str | None
    channel: str
    platform: str
    remote_id: str | None
    at: datetime  # UTC, when the figures were read
    age_hours: float | None  # the fixed age after publication this reading stands for
    metrics: Mapping[str, MetricValue] = field(default_factory=dict)
    source: str = "api"  # "api" (read from the platform) or "import" (web analytics)
    api: str = ""  # the API (and version) the figures came from


@dataclass(frozen=True)
class ReadResult:
    """The snapshots of the files read, and the lines that could not be read (file:line)."""

    snapshots: tuple[Snapshot, ...]
    problems: tuple[InputError, ...]


def month_of(at: datetime) -> str:
    """`YYYY-MM` of `at` in UTC: the name of the file its snapshot goes to."""
    return at.astimezone(UTC).strftime("%Y-%m")


def metrics_dir(state_dir: Path) -> Path:
    return state_dir / METRICS_FOLDER


def month_files(state_dir: Path, months: Iterable[str] | None = None) -> list[Path]:
    """The month files to read, oldest first: all of them, or those of `months` that exist."""
    folder = metrics_dir(state_dir)
    if months is None:
        return sorted(folder.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].jsonl"))
    return [folder / f"{m}.jsonl" for m in sorted(set(months)) if (folder / f"{m}.jsonl").exists()]


def snapshot_key(s: Snapshot) -> Key:
    """What makes two snapshots the same reading: source, variant, channel and age (or time).

    A variant's reading is known by its age bucket (`age:24`); a channel's figures, or a reading
    without an age, by the second it was taken.
    """
    if s.variant is not None and s.age_hours is not None:
        when = f"age:{s.age_hours:g}"
    else:
        when = iso_utc(s.at)
    return (s.source, s.variant, s.channel, when)


def to_json(s: Snapshot) -> bytes:
    """One line of the store, newline included; keys in the documented order."""
    data: dict[str, Any] = {
        "variant": s.variant,
        "channel": s.channel,
        "platform": s.platform,
        "remote_id": s.remote_id,
        "at": iso_utc(s.at),
        "age_hours": s.age_hours,
        "metrics": dict(s.metrics),
        "source": s.source,
        "api": s.api,
    }
    return orjson.dumps(data) + b"\n"


def append_snapshots(state_dir: Path, snapshots: Iterable[Snapshot]) -> int:
    """Append each new snapshot to its month's file (one write + fsync each); lines written.

    A torn last line in a file is set aside first; snapshots already in the file (same
    `snapshot_key`), or repeated in `snapshots`, are not written again.
    """
    known: dict[str, set[Key]] = {}
    written = 0
    for snapshot in snapshots:
        _check(snapshot)
        month = month_of(snapshot.at)
        path = metrics_dir(state_dir) / f"{month}.jsonl"
        if month not in known:
            known[month] = _prepare(path)
        key = snapshot_key(snapshot)
        if key in known[month]:
            continue
        jsonl.append(path, to_json(snapshot))
        known[month].add(key)
        written += 1
    return written


def read_snapshots(state_dir: Path, months: Iterable[str] | None = None) -> ReadResult:
    """Every readable snapshot of the month files (all, or `months`), with the unreadable lines."""
    snapshots: list[Snapshot] = []
    problems: list[InputError] = []
    for path in month_files(state_dir, months):
        for item in iter_lines(path, display(path)):
            if isinstance(item, InputError):
                problems.append(item)
            else:
                snapshots.append(from_record(item))
    return ReadResult(tuple(snapshots), tuple(problems))


def display(path: Path) -> str:
    return f"state/{METRICS_FOLDER}/{path.name}"


def iter_lines(path: Path, shown: str) -> Iterator[dict[str, Any] | InputError]:
    """Each line of one month file as a checked record (a dict), or the problem with it.

    The streaming reader the report uses: no Snapshot is built, so a million lines stay cheap.
    """
    raw = jsonl.read_lines(path)
    for number, chunk in enumerate(raw.lines, start=1):
        if chunk.strip():
            yield _parse(chunk, number, shown)
    if raw.tail.strip():
        item = _parse(raw.tail, raw.tail_line, shown)
        if isinstance(item, InputError):
            yield InputError(
                shown,
                "the last line was cut short by an interrupted write; it is left out",
                line=raw.tail_line,
                hint="the next `cmbuild collect` moves it aside to a .torn file",
            )
        else:
            yield item


def from_record(record: Mapping[str, Any]) -> Snapshot:
    """A Snapshot from a record `iter_lines` checked."""
    return Snapshot(
        variant=record["variant"],
        channel=record["channel"],
        platform=record["platform"],
        remote_id=record.get("remote_id"),
        at=parse_at(record["at"]),
        age_hours=record.get("age_hours"),
        metrics=dict(record["metrics"]),
        source=record["source"],
        api=record["api"],
    )


def _prepare(path: Path) -> set[Key]:
    """Set a torn last line aside (or end a complete one); the keys already in the file."""
    raw = jsonl.read_lines(path)
    if raw.tail:
        if isinstance(_parse(raw.tail, raw.tail_line, display(path)), InputError):
            jsonl.set_aside(path, raw.tail, raw.size - len(raw.tail))
        else:
            jsonl.append(path, b"\n")
    keys: set[Key] = set()
    for item in iter_lines(path, display(path)):
        if not isinstance(item, InputError):
            keys.add(snapshot_key(from_record(item)))
    return keys


def _parse(chunk: bytes, number: int, shown: str) -> dict[str, Any] | InputError:
    try:
        record = orjson.loads(chunk)
    except orjson.JSONDecodeError:
        return InputError(shown, "this line is not valid JSON", line=number, hint=HINT)
    problem = _problem(record)
    if problem is not None:
        key, message = problem
        return InputError(shown, message, line=number, key=key, hint=HINT)
    return record  # type: ignore[no-any-return]


def _problem(record: object) -> tuple[str | None, str] | None:
    if not isinstance(record, dict):
        return None, "this line is not a snapshot (expected an object with variant, channel, ...)"
    for key in REQUIRED:
        if key not in record:
            return key, "missing"
    for key in ("channel", "platform", "at", "api"):
        if not isinstance(record[key], str):
            return key, "should be text"
    for key in ("variant", "remote_id"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return key, "should be text or null"
    age = record.get("age_hours")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int | float)):
        return "age_hours", "should be a number or null"
    if record["source"] not in SOURCES:
        return "source", f"should be one of {', '.join(SOURCES)}"
    metrics = record["metrics"]
    if not isinstance(metrics, dict):
        return "metrics", "should be an object of numbers"
    for name, value in metrics.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"metrics.{name}", "should be a number or null"
    try:
        parse_at(record["at"])
    except ValueError:
        return "at", "should be a date and time in UTC, like 2026-12-01T09:00:00Z"
    return None


def parse_at(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(text)
    return at.astimezone(UTC)


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _check(s: Snapshot) -> None:
    if s.at.tzinfo is None:
        raise ValueError(f"snapshot time without a time zone: {s.at!r}")
    if s.source not in SOURCES:
        raise ValueError(f"snapshot source {s.source!r} is not one of {SOURCES}")
