"""The inbox source: items another watcher drops as JSON files in a folder.

A file (`*.json`, UTF-8) holds one item, in one of two shapes:

- an Apprise JSON notification, as Apprise's `json://` target posts it (changedetection.io, or
  any tool that notifies through Apprise): `{"version": "1.0", "title": ..., "message": ...,
  "type": "info", "attachments": [...]}`; the title and message are what is heard;
- a simple item: `{"title": ..., "text": ..., "url": ..., "uri": ..., "author": ...,
  "published": "2026-12-01T08:00:00Z"}`, only `title` required.

Each file is heard once. The names read (each with a digest of what it held) are the cursor;
the next listen, once `cmbuild watch` has recorded what they gave, moves them to `done/` beside
them, never over a file set aside before, and not a file rewritten under the same name since
(that one is a new item). A crash in between reads them
again, and watch's deduplication (by `uri`: the item's own, else its URL, else a digest of its
words) keeps them from counting twice. A file that is not one of the shapes, or over the size
cap, is moved to `bad/` and named in a ListenError; the other files are read on the next run.
`cmbuild watch-receive` (cmbuild/watch/receiver.py) writes such files from Apprise's POSTs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cmbuild.watch.sources import Heard, InboxSource, ListenContext, Listened, ListenError

DONE = "done"
BAD = "bad"
_CONSUMED = "consumed"


class AppriseNotification(BaseModel):
    """Apprise's JSON notification body (apprise/plugins/custom_json.py, `JSONPayloadField`)."""

    model_config = ConfigDict(extra="allow")  # `:key=value` in the URL adds fields

    version: str
    title: str = ""
    message: str
    type: str = "info"


class DroppedItem(BaseModel):
    """The simple item shape."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    text: str = ""
    url: str | None = Field(default=None, pattern=r"^https?://")
    uri: str | None = Field(default=None, min_length=1)
    author: str | None = None
    published: datetime | None = None


def parse_item(data: bytes) -> Heard:
    """The item a file (or a POST) holds; ValueError saying what is wrong with it."""
    try:
        raw: Any = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    try:
        if "message" in raw or "version" in raw:
            note = AppriseNotification.model_validate(raw)
            return _heard(note.title.strip(), note.message.strip(), None, None, None, None)
        item = DroppedItem.model_validate(raw)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "the item"
        raise ValueError(f"{where}: {problem['msg']}") from None
    if item.published is not None and item.published.tzinfo is None:
        raise ValueError("published: give the time with its zone, e.g. 2026-12-01T08:00:00Z")
    return _heard(item.title, item.text, item.url, item.uri, item.author, item.published)


def _heard(
    title: str,
    text: str,
    url: str | None,
    uri: str | None,
    author: str | None,
    published: datetime | None,
) -> Heard:
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:32]
    return Heard(
        uri=uri or url or f"inbox:{digest}",
        url=url,
        title=title or text.strip().split("\n", 1)[0][:100],
        text=text,
        author=author,
        published=published.astimezone(UTC) if published is not None else None,
    )


def inbox_folder(source: InboxSource, root: Path) -> Path:
    """Where the source's files are dropped (`folder` is relative to the repository)."""
    folder = Path(source.folder)
    return folder if folder.is_absolute() else root / folder


def listen(source: InboxSource, cursor: Mapping[str, str], context: ListenContext) -> Listened:
    """The items of the files dropped since the last listen, in the order of their names."""
    folder = inbox_folder(source, context.root)
    if not folder.is_dir():
        raise ListenError(f"inbox {source.name}: the folder {folder} does not exist; create it")
    if not context.dry_run:
        _set_aside(folder, _unchanged(folder, cursor.get(_CONSUMED, "").splitlines()), DONE)
    items: list[Heard] = []
    read: list[str] = []
    bad: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = _read(path, context.max_bytes)
            items.append(parse_item(data))
            read.append(f"{path.name}\t{_digest(data)}")
        except ValueError as error:
            bad.append(f"{path.name}: {error}")
            if not context.dry_run:
                _set_aside(folder, [path.name], BAD)
    if bad:
        where = "to set aside (dry run: left in place)" if context.dry_run else "set aside"
        raise ListenError(
            f"inbox {source.name}: {where} in {folder / BAD}: "
            + "; ".join(bad)
            + " (the other files are read on the next run)"
        )
    return Listened(tuple(items), {_CONSUMED: "\n".join(read)} if read else {})


def _read(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"over {max_bytes:,} bytes")
    return data


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unchanged(folder: Path, consumed: list[str]) -> list[str]:
    """The names of `consumed` ("name<TAB>digest") whose file still holds what was read: a file
    the watcher rewrote under the same name since is a new item, read again, not set aside."""
    names = []
    for entry in consumed:
        name, _, digest = entry.partition("\t")
        path = folder / name
        try:
            if not digest or _digest(path.read_bytes()) == digest:
                names.append(name)
        except OSError:
            continue  # gone, or not a file: nothing to set aside
    return names


def _set_aside(folder: Path, names: list[str], into: str) -> None:
    """Move the files `names` of `folder` into `folder/into` (those still there), never over a
    file set aside before under the same name (a watcher may reuse one name for every drop)."""
    target = folder / into
    for name in names:
        path = folder / name
        if name and "/" not in name and path.is_file():
            target.mkdir(exist_ok=True)
            path.replace(_free(target, path))


def _free(target: Path, path: Path) -> Path:
    """`target/<name>`, or `target/<stem>.2.json`, `.3`... the first name not taken there."""
    place, number = target / path.name, 1
    while place.exists():
        number += 1
        place = target / f"{path.stem}.{number}{path.suffix}"
    return place
