"""Alerts for complaint and crisis items: each item alerts its intent's `escalate_to`, once.

`escalate_to` names environment variables holding Apprise URLs (the URLs carry secrets). An item
is alerted once: the ids already alerted are kept in state/inbox-alerts.jsonl (one line per item
whose alert every target took). A target that is down leaves the item out of that file, so the
next run tries again; what failed is described by scheme and host only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cmbuild.errors import InputError
from cmbuild.inbox.listing import InboxRow
from cmbuild.stores import jsonl

ALERTS_FILE = "state/inbox-alerts.jsonl"
Send = Callable[[Sequence[str], str, str], list[str]]  # cmbuild.notify.send


@dataclass(frozen=True)
class Escalated:
    """What one run alerted, what it could not, and the variables it did not find."""

    alerted: tuple[str, ...]  # item ids
    failures: tuple[str, ...]  # "<item id>: <target>: <why>", without secrets
    unset: tuple[str, ...]  # escalate_to variables not set in the environment


def alerted_ids(path: Path) -> set[str]:
    """The item ids already alerted (a torn last line is left for the next append to set aside);
    an unreadable complete line is an InputError naming it."""
    raw = jsonl.read_lines(path)
    found = {_alerted(line, number) for number, line in enumerate(raw.lines, 1) if line.strip()}
    if raw.tail and not isinstance(tail := _parsed(raw.tail), InputError):
        found.add(tail)  # a complete line, its newline not yet written
    return found


def _mend(path: Path) -> None:
    """Before an append: a torn last line set aside to .torn, a complete one ended."""
    raw = jsonl.read_lines(path)
    if raw.tail and isinstance(_parsed(raw.tail), InputError):
        jsonl.set_aside(path, raw.tail, raw.size - len(raw.tail))
    elif raw.tail:
        jsonl.append(path, b"\n")


def _alerted(line: bytes, number: int) -> str:
    parsed = _parsed(line, number)
    if isinstance(parsed, InputError):
        raise parsed
    return parsed


def _parsed(line: bytes, number: int | None = None) -> str | InputError:
    try:
        value = json.loads(line)
    except ValueError:
        value = None
    item = value.get("item") if isinstance(value, dict) else None
    if isinstance(item, str):
        return item
    return InputError(
        ALERTS_FILE,
        'this line is not {"item": "<inbox item id>"}',
        line=number,
        key="item",
        hint="fix the line, or remove it: its item is alerted again by the next `cmbuild inbox`",
    )


def escalate(rows: Iterable[InboxRow], env: Mapping[str, str], path: Path, send: Send) -> Escalated:
    """Alert each unanswered row whose intent escalates and that was not alerted before."""
    done = alerted_ids(path)
    mended = False
    alerted: list[str] = []
    failures: list[str] = []
    unset: set[str] = set()
    for row in rows:
        intent = row.intent
        if intent is None or not intent.escalate_to or row.item.id in done:
            continue
        if row.answered_at is not None:
            continue
        names = [name for name in intent.escalate_to if env.get(name)]
        unset.update(name for name in intent.escalate_to if not env.get(name))
        if not names:
            continue
        failed = send([env[name] for name in names], _title(row), _body(row))
        if failed:
            failures.extend(f"{row.item.id}: {failure}" for failure in failed)
            continue
        if not mended:
            _mend(path)
            mended = True
        jsonl.append(path, json.dumps({"item": row.item.id}).encode() + b"\n")
        done.add(row.item.id)
        alerted.append(row.item.id)
    return Escalated(tuple(alerted), tuple(failures), tuple(sorted(unset)))


def _title(row: InboxRow) -> str:
    assert row.intent is not None
    return (
        f"[{row.intent.name}] {row.item.channel}: {row.item.author_name or row.item.author_handle}"
    )


def _body(row: InboxRow) -> str:
    lines = [row.item.text, "", row.item.url or row.item.id]
    if row.command:
        lines += ["", f"Suggested answer: {row.command}"]
    return "\n".join(lines)
