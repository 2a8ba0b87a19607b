"""The replies/<id>.md files as `cmbuild plan` lists them and `cmbuild push` sends them.

Each file is read (`cmbuild.load.answers`), checked against the inbox and the approved wording
(`cmbuild.inbox.answers`, `compose`), and sent through `cmbuild.inbox.answer` under the ledger
variant `reply:<id>`: a file already sent is never sent again; an interrupted send is reconciled
first. A file with an error finding is not sent, and the finding says why. A file answering an
item of a halted channel, campaign or post is held (`halted`), and `cmbuild push --channel C`
plans and sends only the answers to C's items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cmbuild.errors import InputError, InputErrors
from cmbuild.inbox.answer import Outgoing, Sent, halt_of, send_answer, variant_of
from cmbuild.inbox.answers import compose_answer
from cmbuild.inbox.compose import Composed
from cmbuild.layout import INBOX_FILE
from cmbuild.load.answers import Answer, answer_files, read_answer
from cmbuild.load.charter import load_charter
from cmbuild.load.replies import load_replies
from cmbuild.model import Channel
from cmbuild.push.session import PushSettings
from cmbuild.stores import inbox
from cmbuild.stores.halts import read_halts
from cmbuild.stores.ledger import fold, read_ledger

State = Literal["to send", "already sent", "blocked", "halted"]


@dataclass(frozen=True)
class Planned:
    """One replies/ file: what it would send, and whether it will."""

    source: str
    name: str  # the file's stem: the answer's ledger variant is reply:<name>
    item_id: str
    composed: Composed
    state: State
    why: str = ""  # halted: the halt that holds it


def plan_answers(
    settings: PushSettings, channels: Mapping[str, Channel], today: date
) -> list[Planned]:
    """Every replies/*.md file (answering the chosen channels' items), composed and checked;
    nothing is sent or written."""
    root = settings.root
    files = answer_files(root)
    if not files:
        return []
    answers: list[Answer] = []
    errors: list[InputError] = []
    for path in files:
        try:
            answers.append(read_answer(root, path))
        except InputErrors as found:
            errors.extend(found)
        except InputError as error:
            errors.append(error)
    if errors:
        raise InputErrors(errors)
    items = inbox.read_items(root / INBOX_FILE, INBOX_FILE).by_id()
    wording = load_replies(root, channels)
    charter = load_charter(root, set(channels))
    ledger = fold(read_ledger(settings.ledger_path, settings.display(settings.ledger_path)).lines)
    halts = read_halts(settings.halt_path, settings.display(settings.halt_path))
    only = settings.channels
    planned = []
    for answer in answers:
        item = items.get(answer.in_reply_to)
        if only and item is not None and item.channel not in only:
            continue  # `push --channel`: another channel's answer waits for its own push
        name = answer.source.rsplit("/", 1)[-1].removesuffix(".md")
        composed = compose_answer(answer, items, wording, channels, charter=charter, today=today)
        record = ledger.get(variant_of(name))
        state: State = "to send" if composed.sendable else "blocked"
        halt = halt_of(halts, item, ledger) if item is not None else None
        if record is not None and record.state == "published":
            state = "already sent"
        elif halt is not None and state == "to send":
            state = "halted"
        why = f"{halt.describe()}: not sent" if halt is not None else ""
        planned.append(Planned(answer.source, name, answer.in_reply_to, composed, state, why))
    return planned


def send_answers(
    settings: PushSettings, planned: list[Planned], channels: Mapping[str, Channel]
) -> list[tuple[Planned, Sent]]:
    """Send each sendable answer once (a dry run sends none); what happened to each."""
    results = []
    for answer in planned:
        if answer.state != "to send":
            continue
        composed = answer.composed
        outgoing = Outgoing(
            answer.item_id, answer.name, composed.text, composed.private, composed.language
        )
        results.append((answer, send_answer(settings, outgoing, channels)))
    return results
