"""What the inbox tests of each platform share: read the inbox, answer an item, die between the
send and the ledger's line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cmbuild.inbox.answer import Outgoing, Sent, send_answer
from cmbuild.inbox.fetch import InboxRun, InboxSettings, read_inbox
from cmbuild.load.config import load_channels
from cmbuild.push.retry import RetryPolicy
from cmbuild.push.session import PushSettings
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
