"""state/inbox.jsonl: what the community said to the brand, one item per line, append-only.

Each line is one inbox item (a reply, comment, mention, quote or direct message) read by
`cmbuild inbox`, with its author, text, link, the variant it answers and what its platform needs
to thread an answer under it (`refs`). The shape is docs/inbox.schema.json, described in
docs/inbox.md. Lines follow the ledger's rules (see cmbuild/stores/jsonl.py): one write + fsync per
line, so a crash loses at most the line being written; a torn last line is set aside to
`inbox.jsonl.torn` before the next append; any other unreadable line is named (file:line) and
left out by readers, never dropped from the file.

Items are known by `id` (`<channel>:<the platform's id of the item>`): appending an item already
in the file writes nothing, so reading the same notifications twice adds nothing.

Reading is the fast path of `cmbuild inbox` over a large store: each line is parsed with orjson
and checked structurally (the documented keys, each of its type); only a line that fails that
check goes through the full model, whose error names the line and key. A line is built into an
item without the dataclass's per-field `__init__` (see `_fast`): it was checked on write too.

An item is *answered* when the ledger holds a sent reply whose `in_reply_to` is its id, or when
the brand's own account answered it on the platform (an item by the channel's account whose
`answers` is that id): see `answered`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from cmbuild.errors import InputError
from cmbuild.load.validation import describe
from cmbuild.stores import inbox_cache, jsonl
from cmbuild.stores.ledger import LedgerLine

Kind = Literal["reply", "comment", "mention", "quote", "dm"]
KINDS: tuple[str, ...] = get_args(Kind)
HINT = (
    "state/inbox.jsonl is written by `cmbuild inbox` only; restore the line from git history or "
    "delete it (the next `cmbuild inbox` reads it again from the platform)"
)


@dataclass(frozen=True)
class InboxItem:
    """One thing someone said to or about the brand on a channel."""

    id: str  # stable: "<channel>:<platform's remote id of the item>"
    channel: str
    platform: str
    kind: Kind
    remote_id: str  # the platform's id or URI of the item (what an answer threads under)
    refs: Mapping[str, str]  # what the platform needs to thread an answer (see docs/inbox.md)
    author_id: str
    author_handle: str
    author_name: str
    text: str
    url: str | None
    language: str | None
    at: datetime  # when it was said, aware UTC
    variant: str | None = None  # the ledger variant it answers, when known
    answers: str | None = None  # id of the item it answers (threads), when known


@dataclass(frozen=True)
class InboxContents:
    """The readable items of the inbox, in file order, and what could not be read."""

    items: tuple[InboxItem, ...]
    errors: tuple[InputError, ...] = ()  # unreadable lines, named file:line: left out
    torn: bytes = b""  # a last line cut short by an interrupted write
    torn_line: int = 0
    ids: frozenset[str] = field(default_factory=frozenset)

    def by_id(self) -> dict[str, InboxItem]:
        return {item.id: item for item in self.items}


_STRINGS: tuple[str, ...] = ("id", "channel", "platform", "kind", "remote_id", "author_id")
_STRINGS += ("author_handle", "author_name", "text", "at")
_OPTIONAL = ("url", "language", "variant", "answers")
_strings, _optional = operator.itemgetter(*_STRINGS), operator.itemgetter(*_OPTIONAL)
_STR, _MAYBE = {str}, {str, type(None)}


class _Line(BaseModel):
    """One line as written: checked before it becomes an InboxItem."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    channel: str
    platform: str
    kind: Kind
    remote_id: str
    refs: dict[str, str]
    author_id: str
    author_handle: str
    author_name: str
    text: str
    url: str | None
    language: str | None
    at: AwareDatetime
    variant: str | None
    answers: str | None


_KEYS = frozenset(_Line.model_fields)


def item_id(channel: str, remote_id: str) -> str:
    """The stable id of the item `remote_id` read on `channel`."""
    return f"{channel}:{remote_id}"


def to_json(item: InboxItem) -> bytes:
    """One line of the store, newline included; keys in the documented order."""
    _check(item)
    data: dict[str, Any] = {
        "id": item.id,
        "channel": item.channel,
        "platform": item.platform,
        "kind": item.kind,
        "remote_id": item.remote_id,
        "refs": {key: item.refs[key] for key in sorted(item.refs)},
        "author_id": item.author_id,
        "author_handle": item.author_handle,
        "author_name": item.author_name,
        "text": item.text,
        "url": item.url,
        "language": item.language,
        "at": iso_utc(item.at),
        "variant": item.variant,
        "answers": item.answers,
    }
    return orjson.dumps(data) + b"\n"


def append_items(path: Path, items: Iterable[InboxItem]) -> int:
    """Append each item not yet in the file (one write + fsync each); the number written.

    A torn last line is set aside first (or a complete one without its newline ended); items
    whose id is already in the file, or repeated in `items`, are not written again.
    """
    known = set(_prepare(path))
    written = 0
    for item in items:
        line = to_json(item)
        if item.id in known:
            continue
        jsonl.append(path, line)
        known.add(item.id)
        written += 1
    return written


def read_items(path: Path, display: str, cache: Path | None = None) -> InboxContents:
    """Every readable item of `path` (none when it does not exist), and the unreadable lines.

    `cache`: where the items already read are kept (see `cmbuild.stores.inbox_cache`); only the
    lines after the cached ones are parsed. None: every line is parsed."""
    with inbox_cache.collector_paused():
        return _read(path, display, cache)


def _read(path: Path, display: str, cache: Path | None) -> InboxContents:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    prefix = inbox_cache.load(cache, data) if cache is not None else None
    start = prefix.size if prefix is not None else 0
    chunks = data[start:].split(b"\n")
    tail = chunks.pop()  # b"" when the file ends with a newline
    first = prefix.lines + 1 if prefix is not None else 1
    items = list(prefix.items) if prefix is not None else []
    bad = list(prefix.bad) if prefix is not None else []
    errors = [e for n, c in bad if isinstance(e := _validated(c, n, display), InputError)]
    for number, chunk in enumerate(chunks, start=first):
        if chunk.strip():
            parsed = _parse(chunk, number, display)
            _collect(parsed, items, errors)
            if isinstance(parsed, InputError):
                bad.append((number, chunk))
    if cache is not None and len(data) - len(tail) > start:  # new complete lines to keep
        lines = first - 1 + len(chunks)
        done = inbox_cache.Prefix(len(data) - len(tail), lines, tuple(items), tuple(bad))
        inbox_cache.save(cache, data, done)
    return _contents(items, errors, tail, first + len(chunks), display)


def _contents(
    items: list[InboxItem], errors: list[InputError], tail: bytes, tail_line: int, display: str
) -> InboxContents:
    """The contents, with the last line (after the last newline) read or set aside as torn."""
    torn, torn_line = b"", 0
    if tail.strip():
        last = _parse(tail, tail_line, display)
        if isinstance(last, InputError):
            torn, torn_line = tail, tail_line
            errors.append(
                InputError(
                    display,
                    "the last line was cut short by an interrupted write; it is left out",
                    line=tail_line,
                    hint="the next `cmbuild inbox` moves it aside to inbox.jsonl.torn",
                )
            )
        else:
            items.append(last)
    ids = frozenset(item.id for item in items)
    return InboxContents(tuple(items), tuple(errors), torn, torn_line, ids)


def answered(
    items: Iterable[InboxItem],
    ledger: Iterable[LedgerLine],
    accounts: Mapping[str, str] | None = None,
) -> dict[str, datetime]:
    """When each answered item was first answered, by item id.

    An answer is a ledger line that sent a reply (`published` or `reconciled`, with
    `in_reply_to`), or an item by the channel's own account (`accounts`: channel → the account's
    author id, as the readers store it) whose `answers` names the item.
    """
    items = tuple(items)
    first: dict[str, datetime] = {}

    def note(target: str, at: datetime) -> None:
        if target not in first or at < first[target]:
            first[target] = at

    for line in ledger:
        if line.kind in ("published", "reconciled") and line.in_reply_to:
            note(line.in_reply_to, line.published_at or line.at)
    own = accounts or {}
    for item in items:
        if item.answers and own.get(item.channel) == item.author_id:
            note(item.answers, item.at)
    ids = {item.id for item in items}
    return {key: at for key, at in sorted(first.items()) if key in ids}


def own_items(
    items: Iterable[InboxItem],
    ledger: Iterable[LedgerLine],
    accounts: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """The ids of the items the brand itself wrote, read back from the platforms.

    An answer sent through the ledger (its `remote_id` is the item's), or, where a reading named
    the channel's account (`accounts`, as in `answered`), an item by that account. They are
    answers, not things to answer: the listing leaves them out.
    """
    sent = {
        (line.channel, line.remote_id)
        for line in ledger
        if line.kind in ("published", "reconciled") and line.in_reply_to and line.remote_id
    }
    own = accounts or {}
    return frozenset(
        item.id
        for item in items
        if (item.channel, item.remote_id) in sent
        or (item.channel in own and own[item.channel] == item.author_id)
    )


def _collect(
    parsed: InboxItem | InputError, items: list[InboxItem], errors: list[InputError]
) -> None:
    if isinstance(parsed, InputError):
        errors.append(parsed)
    else:
        items.append(parsed)


def _prepare(path: Path) -> frozenset[str]:
    """Set a torn last line aside (or end a complete one); the ids already in the file."""
    raw = jsonl.read_lines(path)
    if raw.tail:
        if isinstance(_parse(raw.tail, raw.tail_line, str(path)), InputError):
            jsonl.set_aside(path, raw.tail, raw.size - len(raw.tail))
        else:
            jsonl.append(path, b"\n")
    return read_items(path, str(path)).ids


def _parse(chunk: bytes, number: int, display: str) -> InboxItem | InputError:
    fast = _fast(chunk)
    return fast if fast is not None else _validated(chunk, number, display)


def _fast(chunk: bytes) -> InboxItem | None:
    """The item of a well-formed line, or None for the full check to say what is wrong."""
    try:
        data = orjson.loads(chunk)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict or data.keys() != _KEYS or data["kind"] not in KINDS:
        return None
    # Sets of types, built in C: much faster than a Python loop over the fields.
    if set(map(type, _strings(data))) != _STR or not set(map(type, _optional(data))) <= _MAYBE:
        return None
    refs = data["refs"]
    if type(refs) is not dict or not set(map(type, refs.values())) <= _STR:
        return None
    written = data["at"]  # as iso_utc writes it: 2026-12-01T09:00:00Z, maybe with microseconds
    if len(written) not in (20, 27) or written[10] != "T" or written[-1] != "Z":
        return None
    try:
        data["at"] = datetime.fromisoformat(written).astimezone(UTC)
    except ValueError:
        return None
    # Every field is there with its type: set them at once rather than through the frozen
    # dataclass's __init__ (one object.__setattr__ per field), a third of the reading time.
    item: InboxItem = object.__new__(InboxItem)
    item.__dict__.update(data)
    return item


def _validated(chunk: bytes, number: int, display: str) -> InboxItem | InputError:
    try:
        line = _Line.model_validate_json(chunk)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or None
        if first["type"] == "json_invalid":
            return InputError(display, "this line is not valid JSON", line=number, hint=HINT)
        return InputError(display, describe(dict(first)), line=number, key=key, hint=HINT)
    fields = dict(line)
    fields["at"] = line.at.astimezone(UTC)
    return InboxItem(**fields)


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _check(item: InboxItem) -> None:
    if item.at.tzinfo is None:
        raise ValueError(f"inbox item time without a time zone: {item.at!r}")
    if item.kind not in KINDS:
        raise ValueError(f"inbox item kind {item.kind!r} is not one of {KINDS}")
