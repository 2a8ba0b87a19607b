"""state/ledger.jsonl: the append-only record of what a push sent, one JSON object per line.

Every line is written with one `write` on a file opened for appending, then fsync'd, before the
push goes on: a crash can lose at most the line being written, never one already there. Before a
variant is sent, a `pending` line records the intent; after, a `published` line records the remote
id. A `pending` line with nothing after it means the push stopped in between: the next push asks
the platform before sending again (see apply.py). The file lives in the content repository and is
committed after each push, so the history of what went out is reviewable like the posts.

A torn last line (a crash in the middle of a write) is moved aside to `ledger.jsonl.torn`, with a
warning; any other unreadable line is an input error naming its line: nothing is ever dropped.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from cmbuild.errors import ErrorCollector, InputError
from cmbuild.layout import LOCK_SUFFIX
from cmbuild.load.validation import describe
from cmbuild.stores import jsonl

Kind = Literal["pending", "published", "failed", "retracted", "reconciled"]
State = Literal["pending", "published", "failed", "retracted"]


class LedgerLine(BaseModel):
    """One event in the life of a variant on its platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    variant: str
    channel: str
    platform: str
    campaign: str | None = None
    post: str | None = None  # the post file, for people reading the ledger
    content_hash: str
    idempotency_key: str
    text_sha256: str | None = None  # to recognise the post on the platform after a crash
    remote_id: str | None = None
    url: str | None = None
    published_at: AwareDatetime | None = None
    at: AwareDatetime  # when this line was written
    code: str | None = None  # failed: missed, auth, config, error, unsent
    reason: str | None = None
    in_reply_to: str | None = None  # a reply to the community: the inbox item id it answers

    def to_json(self) -> bytes:
        data = self.model_dump(mode="json", exclude_none=True)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


@dataclass(frozen=True)
class Record:
    """What the ledger says about one variant: its state and the line that published it."""

    variant: str
    state: State
    last: LedgerLine
    receipt: LedgerLine | None  # the published or reconciled line, once there is one


@dataclass(frozen=True)
class LedgerContents:
    lines: tuple[LedgerLine, ...]
    size: int  # bytes of complete lines
    torn: bytes = b""  # a last line cut short by a crash
    torn_line: int = 0
    missing_newline: bool = False  # the last line is complete but lacks its newline


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def read_ledger(path: Path, display: str) -> LedgerContents:
    """Every line of the ledger; InputErrors naming the line of anything unreadable."""
    raw = jsonl.read_lines(path)
    errors = ErrorCollector()
    lines: list[LedgerLine] = []
    for number, chunk in enumerate(raw.lines, start=1):
        line = _parse(chunk, number, display, errors)
        if line is not None:
            lines.append(line)
    errors.raise_if_any()
    if not raw.tail:
        return LedgerContents(tuple(lines), raw.size)
    last = _parse(raw.tail, raw.tail_line, display, ErrorCollector())
    if last is not None:
        return LedgerContents((*lines, last), raw.size, missing_newline=True)
    size = raw.size - len(raw.tail)
    return LedgerContents(tuple(lines), size, torn=raw.tail, torn_line=raw.tail_line)


def _parse(raw: bytes, number: int, display: str, errors: ErrorCollector) -> LedgerLine | None:
    if not raw.strip():
        return None
    try:
        return LedgerLine.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        message = describe(dict(first)) if first["type"] != "json_invalid" else "not valid JSON"
        errors.add(
            InputError(
                display,
                f"{key}: {message}" if key else message,
                line=number,
                hint="the ledger is written by `cmbuild push` only; restore it from git history",
            )
        )
        return None


def fold(lines: Iterable[LedgerLine]) -> dict[str, Record]:
    """The state of every variant the ledger mentions, from its lines in order."""
    records: dict[str, Record] = {}
    for line in lines:
        before = records.get(line.variant)
        receipt = before.receipt if before else None
        state: State
        if line.kind in ("published", "reconciled"):
            state, receipt = "published", line
        elif line.kind == "retracted":
            state = "retracted"
        elif before is not None and before.state in ("published", "retracted"):
            continue  # a published post stays published: it is never sent again
        else:
            state = "pending" if line.kind == "pending" else "failed"
        records[line.variant] = Record(line.variant, state, line, receipt)
    return records


class LedgerWriter:
    """Appends lines to the ledger, each fsync'd before `append` returns. Hold the lock first."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display

    def repair(self, contents: LedgerContents) -> str | None:
        """Set a torn last line aside (or end a complete one); a warning to show, if any."""
        if contents.missing_newline:
            self._write(b"\n")
            return None
        if not contents.torn:
            return None
        aside = jsonl.set_aside(self.path, contents.torn, contents.size)
        return (
            f"{self.display}:{contents.torn_line}: the last line was cut short by an interrupted "
            f"write; its {len(contents.torn)} bytes were moved to {aside.name}, earlier lines kept"
        )

    def append(self, line: LedgerLine) -> None:
        self._write(line.to_json())

    def _write(self, data: bytes) -> None:
        jsonl.append(self.path, data)


class LedgerBusy(Exception):
    """Another push (or retract) holds the ledger's lock."""


@contextlib.contextmanager
def locked(path: Path, display: str, *, wait: bool = False) -> Iterator[None]:
    """Hold the ledger's lock (`ledger.jsonl.lock` beside it) for the duration of the block.

    flock locks are released by the kernel when the process ends, even on SIGKILL, so a crashed
    push never leaves a stale lock behind.
    """
    lock_path = path.with_name(path.name + LOCK_SUFFIX)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise LedgerBusy(
                f"another push is running on {display} (process {holder} holds "
                f"{lock_path.name}): nothing was done; run again when it has finished, "
                "or pass --wait to wait for it"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
