"""What the inbox tests of each platform share: read the inbox, answer an item, die between the
send and the ledger's line, and the threaded comments every platform with comments goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.answer import Outgoing, Sent, send_answer
from cmbuild.inbox.fetch import InboxRun, InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
from cmbuild.stores.inbox import InboxItem
from cmbuild.stores.ledger import LedgerWriter


def read(root: Path, env: dict[str, str], waits: list[float] | None = None) -> InboxRun:
    """One `cmbuild inbox` reading, whose retries record their waits instead of waiting."""
    policy = RetryPolicy(sleep=(waits if waits is not None else []).append)
    return read_inbox(InboxSettings(root, environ=env, retry=policy, timeout=5.0))


def answer(
    root: Path, env: dict[str, str], item: str, text: str, name: str, *, private: bool = False
) -> Sent:
    """One `cmbuild reply` send of `text` to `item`, under the answer name `name`."""
    settings = PushSettings(root=root, environ=env, retry=RetryPolicy(sleep=lambda _: None))
    channels = {c.name: c for c in load_channels(root)}
    outgoing = Outgoing(item, name, text, private)
    return send_answer(replace(settings, timeout=5.0), outgoing, channels)


def killed_after_send(monkeypatch: pytest.MonkeyPatch, send: Callable[[], Any]) -> None:
    """Run `send`, the process dying after the platform took the answer, before the ledger's
    `published` line; the ledger is left as the crash leaves it."""
    original = LedgerWriter.append

    def die_after_send(self: LedgerWriter, line: Any) -> None:
        if line.kind == "published":
            raise SystemExit("killed between send and ledger")
        original(self, line)

    monkeypatch.setattr(LedgerWriter, "append", die_after_send)
    with pytest.raises(SystemExit):
        send()
    monkeypatch.setattr(LedgerWriter, "append", original)


@dataclass(frozen=True)
class Commenters:
    """How a test has people comment on one platform's fake, and sees the account's answers."""

    channel: str
    env: dict[str, str]
    ask: Callable[[str], str]  # a new top-level comment with this text: its remote id
    join: Callable[[str, str], str]  # someone else's reply under (top-level id, text): its id
    answers: Callable[[str], list[str]]  # the account's answers under a top-level comment


def threads_once(
    root: Path, people: Commenters, monkeypatch: pytest.MonkeyPatch
) -> tuple[InboxItem, InboxItem]:
    """A comment and a reply under it are read once; each answer goes under the thread once,
    even after a crash between the send and the ledger; the items are then answered. The two
    items, for the platform's own checks."""
    asked = people.ask("Où est ma commande ?")
    people.join(asked, "Moi aussi")
    run = read(root, people.env)
    assert not run.failed, run.channels
    by_text = {item.text: item for item in run.contents.items}
    question, reply = by_text["Où est ma commande ?"], by_text["Moi aussi"]
    assert (question.kind, question.remote_id) == ("comment", asked)
    assert (reply.kind, reply.answers) == ("reply", question.id)
    assert read(root, people.env).channels[people.channel].written == 0  # nothing new

    assert answer(root, people.env, question.id, "Nous regardons, merci !", "a").outcome == "sent"
    assert answer(root, people.env, question.id, "Encore ?", "a").outcome == "already sent"
    # Comments nest one level deep: the answer to the reply joins the thread.
    assert answer(root, people.env, reply.id, "Merci !", "b").outcome == "sent"
    assert sorted(people.answers(asked)) == ["Merci !", "Nous regardons, merci !"]
    after = read(root, people.env)
    assert after.channels[people.channel].written == 2  # the account's two answers
    assert question.id in after.answered and reply.id in after.answered

    killed_after_send(monkeypatch, lambda: answer(root, people.env, question.id, "Plus", "c"))
    assert answer(root, people.env, question.id, "Plus", "c").outcome == "reconciled"
    assert people.answers(asked).count("Plus") == 1
    return question, reply


def private_once(
    root: Path,
    env: dict[str, str],
    items: tuple[InboxItem, InboxItem],
    delivered: Callable[[], str | None],
    refused_again: str,
) -> None:
    """A private reply to the first of `items` goes once (`delivered`: what its author got); a
    second one is refused, saying `refused_again`; one to the second item, older than the 7 days
    Meta allows, is refused before any call."""
    fresh, old = items
    sent = answer(root, env, fresh.id, "Écrivez-nous ici.", "dm", private=True)
    assert sent.outcome == "sent", sent
    assert delivered() == "Écrivez-nous ici."
    again = answer(root, env, fresh.id, "Et encore", "dm-2", private=True)
    assert again.outcome == "failed" and refused_again in again.detail
    late = answer(root, env, old.id, "Écrivez-nous ici.", "dm-old", private=True)
    assert late.outcome == "failed" and "within 7 days" in late.detail
