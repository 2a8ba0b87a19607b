"""state/watch/: what veille has heard, matched and alerted, and how each source is doing.

- `seen.jsonl`: one line per item heard (its uri, source, when), so an item is matched once.
- `mentions.jsonl`: one line per item that matched a topic: the item, the topic, the terms.
- `alerts.jsonl`: one line per alert sent (uri and topic). A crisis mention without its line here
  is a pending alert: it is sent again on the next watch until a target takes it.
- `sources.json`: per source, when it was last read, its last error and its cursor (replaced
  atomically; it is state, not history), when the last watch ran, and when the last watch that
  read every source it was due to read ran (`succeeded_at`, what `max_watch_age` is judged on).

The three JSON Lines files follow cmbuild.stores.jsonl: one write and fsync per line; a torn last
line is set aside in `<name>.torn`, and said, never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cmbuild.errors import InputError
from cmbuild.files import write_atomic
from cmbuild.layout import WATCH_DIR as WATCH_DIR  # still importable from here
from cmbuild.stores.jsonl import append, read_lines, set_aside

_SOURCE_TIMES = ("last_read", "last_ok", "retry_at")  # in each source's state
_WATCH_TIMES = ("watched_at", "succeeded_at")  # at the top of sources.json


@dataclass(frozen=True)
class Mention:
    """One item heard that matched one topic."""

    at: str  # when watch heard it, ISO UTC
    source: str
    uri: str
    url: str | None
    title: str
    topic: str
    severity: str
    terms: tuple[str, ...]
    published: str | None = None


@dataclass
class SourceState:
    """How one source is doing."""

    last_read: str | None = None  # the last attempt, ISO UTC
    last_ok: str | None = None  # the last successful read
    error: str | None = None  # the last attempt's problem, None when it went well
    cursor: dict[str, str] = field(default_factory=dict)
    retry_at: str | None = None  # not read again before this (it asked to wait: HTTP 429, 503)


@dataclass(frozen=True)
class LastWatch:
    """When veille last listened, as state/watch/sources.json says."""

    ran: str | None  # the last watch, ISO UTC; None if none ever ran
    succeeded: str | None  # the last watch that read every source it was due to read
    failing: tuple[tuple[str, str], ...] = ()  # the sources whose last read failed, and why


@dataclass(frozen=True)
class Store:
    """The files of state/watch/ under one root.

    With `repair=False` (the preview) reading changes nothing: a torn last line is named in the
    notices and left where it is, for the next `cmbuild watch` to set aside.
    """

    folder: Path
    repair: bool = True

    @classmethod
    def at(cls, root: Path) -> Store:
        return cls(root / WATCH_DIR)

    def _rows(self, name: str, notices: list[str]) -> list[dict[str, Any]]:
        path = self.folder / name
        raw = read_lines(path)
        rows = []
        for number, line in enumerate(raw.lines, start=1):
            if line.strip():
                try:
                    row = json.loads(line)
                except ValueError:
                    notices.append(f"{path}:{number}: not a JSON line, left as it is and skipped")
                    continue
                if isinstance(row, dict):
                    rows.append(row)
                else:
                    notices.append(f"{path}:{number}: not a JSON object, left as it is and skipped")
        if raw.tail:
            try:
                rows.append(json.loads(raw.tail))
                if self.repair:
                    append(path, b"\n")  # a complete line whose newline was lost: finish it
            except ValueError:
                if self.repair:
                    aside = set_aside(path, raw.tail, raw.size - len(raw.tail))
                    kept = f"set aside in {aside.name}, the rest is read"
                else:
                    kept = "skipped, left for `cmbuild watch` to set aside"
                notices.append(
                    f"{path}:{raw.tail_line}: the last line was cut short (an interrupted"
                    f" write); {kept}"
                )
        return rows

    def seen(self, notices: list[str]) -> set[str]:
        return {str(row.get("uri")) for row in self._rows("seen.jsonl", notices)}

    def mentions(self, notices: list[str]) -> list[Mention]:
        found = []
        for row in self._rows("mentions.jsonl", notices):
            try:
                mention = Mention(**{**row, "terms": tuple(row.get("terms", ()))})
                _time_of(mention.at)  # every reader of mentions counts by it
            except (TypeError, ValueError):
                uri = row.get("uri")
                which = f" (uri {uri!r})" if uri else ""
                notices.append(
                    f"{self.folder / 'mentions.jsonl'}: a line that is not a mention{which},"
                    " left as it is and skipped"
                )
                continue
            found.append(mention)
        return found

    def alerted(self, notices: list[str]) -> set[tuple[str, str]]:
        return {
            (str(r.get("uri")), str(r.get("topic"))) for r in self._rows("alerts.jsonl", notices)
        }

    def add_seen(self, rows: Iterable[Mapping[str, str]]) -> None:
        _append_rows(self.folder / "seen.jsonl", rows)

    def add_mentions(self, mentions: Iterable[Mention]) -> None:
        _append_rows(self.folder / "mentions.jsonl", (asdict(m) for m in mentions))

    def add_alerted(self, uri: str, topic: str, at: str) -> None:
        _append_rows(self.folder / "alerts.jsonl", [{"uri": uri, "topic": topic, "at": at}])

    def _sources_file(self) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / "sources.json").read_bytes())
        except FileNotFoundError:
            return {}
        except ValueError as exc:  # not JSON, or not UTF-8
            raise _unreadable(f"it is not readable JSON ({exc})") from None
        return data if isinstance(data, dict) else {}

    def sources(self) -> tuple[str | None, dict[str, SourceState]]:
        """When the last watch ran, and each source's state (every time in it checked)."""
        data = self._sources_file()
        try:
            states = {name: SourceState(**value) for name, value in data.get("sources", {}).items()}
        except (AttributeError, TypeError) as exc:
            raise _unreadable(f"a source's state is not what cmbuild writes ({exc})") from None
        for name, state in states.items():
            for key in _SOURCE_TIMES:
                _check_time(getattr(state, key), f"sources.{name}.{key}")
        for key in _WATCH_TIMES:
            _check_time(data.get(key), key)
        return data.get("watched_at"), states

    def last_watch(self) -> LastWatch:
        """When the last watch ran and the last one that read all its due sources ran."""
        ran, states = self.sources()
        failing = tuple(sorted((n, s.error) for n, s in states.items() if s.error is not None))
        return LastWatch(ran, self._sources_file().get("succeeded_at"), failing)

    def save_sources(
        self, watched_at: str, states: Mapping[str, SourceState], *, succeeded: bool = True
    ) -> None:
        """Record this watch: `succeeded` when no source it was due to read failed."""
        before = self._sources_file().get("succeeded_at")
        data = {
            "watched_at": watched_at,
            "succeeded_at": watched_at if succeeded else before,
            "sources": {name: asdict(states[name]) for name in sorted(states)},
        }
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomic(self.folder / "sources.json", text.encode("utf-8"))


def _check_time(value: object, key: str) -> None:
    """InputError unless `value` is None or an ISO 8601 time with its zone, as cmbuild writes."""
    if value is None:
        return
    if not isinstance(value, str):
        problem = f"{json.dumps(value, ensure_ascii=False)} is not a time"
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return
        problem = f"{value!r} is not a time" if moment is None else f"{value!r} has no time zone"
    raise InputError(
        f"{WATCH_DIR}/sources.json",
        f"{problem}: veille cannot tell when it last listened",
        key=key,
        hint="write a time such as 2026-12-01T09:00:00Z, or null (the source is then read at the"
        " next `cmbuild watch`), or move the file away: the next watch reads every source again"
        " and writes it anew",
    )


def _unreadable(why: str) -> InputError:
    return InputError(
        f"{WATCH_DIR}/sources.json",
        f"{why}: veille cannot tell when each source was last read",
        hint="move the file away (or delete it): the next `cmbuild watch` reads every source"
        " again and writes it anew; what was heard before is kept in the other files",
    )


def _append_rows(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        line = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        append(path, line.encode("utf-8") + b"\n")


def _time_of(value: object) -> datetime:
    """`value` as an aware time; ValueError (TypeError for a non-string) when it is not one."""
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a time")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment
